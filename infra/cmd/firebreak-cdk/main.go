// Command firebreak-cdk is Firebreak's CDK app (cdk.json runs it): it loads the
// configuration, builds the stack of package infra, runs cdk-nag on it and synthesizes
// it to cdk.out. `make synth`, `make deploy`, `make diff` and `make destroy` drive it
// through the CDK CLI.
//
// Context (-c key=value): config (a configuration file; default: the firebreak.yaml
// built into this binary, the one the Lambdas embed), stack (the stack name, default
// Firebreak), account and region (default: CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION,
// which the CLI sets from the AWS profile).
//
// Organizations (docs/organizations.md): with an organization section in the
// configuration the central stack also gets a central event bus, and, when its region is
// known and is not us-east-1, the app adds the stack <stack>GlobalForwarder in us-east-1
// (the global-service rules, forwarding to the central bus). -c forwarder=true makes the
// app the forwarder of one account and region instead (stack <stack>Forwarder, no
// Lambda, no bootstrap), -c forwarder=global the us-east-1 global-service forwarder
// alone, -c forwarder=all both (make synth, StackSet templates); -c centralBusArn=<ARN>
// (the central stack's CentralBusArn output) is the default of their CentralBusArn
// parameter.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/infra"
	"github.com/firebreak-ops/firebreak/internal/config"
)

func main() { os.Exit(run()) }

func run() int {
	defer infra.ReleaseJSII()
	app := awscdk.NewApp(nil)
	if err := build(app); err != nil {
		fmt.Fprintln(os.Stderr, "firebreak-cdk:", err)
		return 1
	}
	asm := app.Synth(nil)
	failed := false
	for _, st := range *asm.Stacks() {
		for _, m := range *st.Messages() {
			if m.Level == "error" {
				failed = true
				fmt.Fprintf(os.Stderr, "firebreak-cdk: %s: %v\n", *m.Id, m.Entry.Data)
			}
		}
	}
	if failed {
		fmt.Fprintln(os.Stderr, "firebreak-cdk: the stack has unsuppressed cdk-nag errors (above); fix them or add a suppression with a reason in infra/")
		return 1
	}
	return 0
}

func build(app awscdk.App) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	ctx := func(key string) string {
		if v, ok := app.Node().TryGetContext(jsii.String(key)).(string); ok {
			return v
		}
		return ""
	}
	var cfg *config.Config
	warning := ""
	if path := ctx("config"); path != "" {
		if !filepath.IsAbs(path) {
			path = filepath.Join(root, path)
		}
		if cfg, err = config.Load(path); err != nil {
			return err
		}
		if data, err := os.ReadFile(path); err == nil && !bytes.Equal(data, firebreak.ConfigBytes()) {
			warning = fmt.Sprintf("%s differs from the %s built into the Lambdas: the stack follows %[1]s, the Lambdas classify with the built-in one. Copy it to %[2]s and run make build for both to agree.", path, firebreak.ConfigFile)
		}
	} else if cfg, err = firebreak.Config(); err != nil {
		return err
	}

	env := &awscdk.Environment{}
	if v := first(ctx("account"), os.Getenv("CDK_DEFAULT_ACCOUNT")); v != "" {
		env.Account = jsii.String(v)
	}
	if v := first(ctx("region"), os.Getenv("CDK_DEFAULT_REGION")); v != "" {
		env.Region = jsii.String(v)
	}
	name := first(ctx("stack"), "Firebreak")

	infra.Check(app, true)
	if mode := ctx("forwarder"); mode != "" && mode != "false" {
		_, err := infra.NewForwarders(app, name, mode, cfg, ctx("centralBusArn"), env)
		return err
	}
	s, err := infra.NewStack(app, name, infra.Props{Config: cfg, Root: root, Env: env})
	if err != nil {
		return err
	}
	if warning != "" {
		awscdk.Annotations_Of(s.Stack).AddWarningV2(jsii.String("firebreak:config"), jsii.String(warning))
	}
	_, err = infra.NewGlobalForwarder(app, s)
	return err
}

// repoRoot is the directory holding cdk.json: the working directory or a parent.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "cdk.json")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cdk.json not found in the working directory or its parents: run from the repository")
		}
		dir = parent
	}
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
