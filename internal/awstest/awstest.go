// Package awstest is a local HTTP endpoint that speaks just enough of the SNS (query
// protocol), Step Functions (JSON 1.0) and Secrets Manager (JSON 1.1) APIs for the
// real aws-sdk-go-v2 clients to talk to it, and records every request they send. Tests use it to assert what the SDK
// actually sent; nothing here is a stand-in for logic under test.
package awstest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// Request is one recorded API call.
type Request struct {
	Service string          // "sns", "states" or "secretsmanager"
	Action  string          // e.g. Publish, StartExecution
	Form    url.Values      // query-protocol parameters (SNS)
	JSON    json.RawMessage // JSON-protocol body (Step Functions, Secrets Manager)
	Signed  bool            // carried a SigV4 Authorization header
}

// Reply is what the endpoint answers to one action: an HTTP status and body.
type Reply struct {
	Status int
	Body   string
}

// Server records requests and answers them.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	requests []Request
	// Answer, when set, decides the reply to a request; returning ok=false uses the
	// default success reply.
	Answer func(r Request) (Reply, bool)
	seq    int
}

// New starts a recording endpoint on a random loopback port.
func New() *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := Request{Signed: strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256")}
	target := r.Header.Get("X-Amz-Target")
	if svc, action, ok := jsonTarget(target); ok {
		req.Service, req.Action, req.JSON = svc, action, body
	} else {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req.Service, req.Action, req.Form = "sns", form.Get("Action"), form
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.seq++
	n := s.seq
	answer := s.Answer
	s.mu.Unlock()
	reply, ok := Reply{}, false
	if answer != nil {
		reply, ok = answer(req)
	}
	if !ok {
		reply = defaultReply(req, n)
	}
	switch req.Service {
	case "states":
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	case "secretsmanager":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	default:
		w.Header().Set("Content-Type", "text/xml")
	}
	w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("req-%d", n))
	w.WriteHeader(reply.Status)
	_, _ = io.WriteString(w, reply.Body)
}

// jsonTarget names the service and action of a JSON-protocol request by its X-Amz-Target.
func jsonTarget(target string) (service, action string, ok bool) {
	for prefix, svc := range map[string]string{"AWSStepFunctions.": "states", "secretsmanager.": "secretsmanager"} {
		if strings.HasPrefix(target, prefix) {
			return svc, strings.TrimPrefix(target, prefix), true
		}
	}
	return "", "", false
}

func defaultReply(r Request, n int) Reply {
	switch {
	case r.Service == "sns" && r.Action == "Publish":
		return Reply{200, fmt.Sprintf(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>msg-%d</MessageId></PublishResult><ResponseMetadata><RequestId>req-%d</RequestId></ResponseMetadata></PublishResponse>`, n, n)}
	case r.Service == "states" && r.Action == "StartExecution":
		var in struct{ StateMachineArn, Name string }
		_ = json.Unmarshal(r.JSON, &in)
		arn := strings.Replace(in.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + in.Name
		return Reply{200, fmt.Sprintf(`{"executionArn":%q,"startDate":1793610000}`, arn)}
	case r.Service == "states":
		return Reply{200, `{}`}
	case r.Service == "secretsmanager":
		// Nothing is stored here: a test answers with the secret it wants.
		return JSONError("ResourceNotFoundException", r.Action+" has no answer recorded here")
	}
	return Reply{400, fmt.Sprintf(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>%s is not recorded here</Message></Error></ErrorResponse>`, r.Action)}
}

// StatesError is a Step Functions JSON-protocol error reply.
func StatesError(typ, msg string) Reply {
	return Reply{400, fmt.Sprintf(`{"__type":%q,"message":%q}`, typ, msg)}
}

// JSONError is a JSON-protocol (1.1) error reply, as Secrets Manager sends.
func JSONError(typ, msg string) Reply { return StatesError(typ, msg) }

// Requests returns the requests recorded so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Of returns the recorded requests of one action.
func (s *Server) Of(action string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Action == action {
			out = append(out, r)
		}
	}
	return out
}

var creds = credentials.NewStaticCredentialsProvider("local", "local", "")

// SNS returns a real SNS client that sends to this endpoint.
func (s *Server) SNS() *sns.Client {
	return sns.New(sns.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.URL), Credentials: creds, RetryMaxAttempts: 1})
}

// SFN returns a real Step Functions client that sends to this endpoint.
func (s *Server) SFN() *sfn.Client {
	return sfn.New(sfn.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.URL), Credentials: creds, RetryMaxAttempts: 1})
}

// SecretsManager returns a real Secrets Manager client that sends to this endpoint.
func (s *Server) SecretsManager() *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.URL), Credentials: creds, RetryMaxAttempts: 1})
}
