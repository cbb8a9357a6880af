package runbook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// StartAPI is the Step Functions API the starter uses.
type StartAPI interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

var _ StartAPI = (*sfn.Client)(nil)

// StepFunctions starts runbooks as Step Functions executions.
type StepFunctions struct {
	Client        StartAPI
	StateMachines map[string]string // runbook name → state machine ARN
}

var _ Starter = (*StepFunctions)(nil)

// Start starts the runbook's state machine with a deterministic execution name; a name
// already used (a redelivered change) reports the existing execution.
func (s *StepFunctions) Start(ctx context.Context, runbook, name string, input json.RawMessage) (Execution, error) {
	arn, ok := s.StateMachines[runbook]
	if !ok {
		return Execution{}, cannotStart{fmt.Errorf("runbook %q has no state machine", runbook)}
	}
	ex := Execution{Name: name, ARN: executionARN(arn, name), Status: "started"}
	out, err := s.Client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(arn), Name: aws.String(name), Input: aws.String(string(input)),
	})
	var exists *types.ExecutionAlreadyExists
	switch {
	case errors.As(err, &exists):
		ex.Status = "already started"
	case err != nil:
		return Execution{}, err
	default:
		ex.ARN = aws.ToString(out.ExecutionArn)
	}
	ex.URL = ConsoleURL(ex.ARN)
	return ex, nil
}

func executionARN(stateMachine, name string) string {
	return strings.Replace(stateMachine, ":stateMachine:", ":execution:", 1) + ":" + name
}

// ConsoleURL is where an execution can be watched in the AWS console.
func ConsoleURL(executionARN string) string {
	parts := strings.Split(executionARN, ":")
	if len(parts) < 4 || parts[3] == "" {
		return ""
	}
	region := parts[3]
	return fmt.Sprintf("https://%s.console.aws.amazon.com/states/home?region=%s#/v2/executions/details/%s", region, region, executionARN)
}
