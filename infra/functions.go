package infra

import (
	"reflect"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/page"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/runbook"
)

// functionSpecs is every Lambda the stack knows how to deploy, by its directory under
// functions/. A directory missing here fails synthesis with a message naming this file.
//
// Adding a Lambda is one entry: its size, its timeout, the store interfaces its handler
// is given (its DynamoDB grants follow from them) and a wire function that grants the
// rest of what it calls (topics, state machines, the link keys, ...) and attaches its
// event sources. The shared construct (newFunction) does the rest.
//
// Timeouts stay under the lease the handlers take on their claims (store.Lease), so a
// claim outlives the attempt that holds it (TestTimeoutsUnderLeases).
var functionSpecs = map[string]functionSpec{
	"intake": {
		Description: "Firebreak intake: SQS batches of EventBridge events → classified, correlated incidents",
		MemoryMB:    256,
		Timeout:     60 * time.Second,
		// Concurrency is bounded by the event source mapping's maximum concurrency
		// (deploy.intake.max_concurrency), not by reserving account capacity.
		Store: storeMethods(reflect.TypeFor[intake.Store](), reflect.TypeFor[intake.BeatStore]()),
		wire:  wireIntake,
	},
	"dispatch": {
		Description: "Firebreak dispatch: the table's stream of incident changes → runbooks started and responders told, once per change",
		MemoryMB:    256,
		Timeout:     60 * time.Second,
		// The dispatcher, its quiet rules (silences, inhibition, grouping), and the
		// runbook task it runs in-process for dry_run runbooks.
		Store: storeMethods(reflect.TypeFor[dispatch.Store](), reflect.TypeFor[dispatch.QuietStore](), reflect.TypeFor[runbook.TaskStore](),
			reflect.TypeFor[review.Store](),         // post-incident reviews opened on resolution
			reflect.TypeFor[page.OverrideStore](),   // who is on call: the stored overrides
			reflect.TypeFor[problem.TrackerStore](), // problems of recurring fingerprints
			reflect.TypeFor[dispatch.HoldStore]()),  // openings held for grouping.wait
		wire: wireDispatch,
	},
	"escalate": {
		Description: "Firebreak escalate: every minute, the incident clocks → escalations, update reminders, objective breaches, auto-resolve",
		MemoryMB:    256,
		Timeout:     50 * time.Second, // a tick ends before the next one starts
		Store: storeMethods(reflect.TypeFor[escalate.Store](), reflect.TypeFor[escalate.FollowupStore](), reflect.TypeFor[page.OverrideStore](),
			reflect.TypeFor[escalate.HeartbeatStore](), // the heartbeat clock
			reflect.TypeFor[escalate.ProblemLister](),  // the open-problems gauge
			reflect.TypeFor[escalate.TimelineStore](),  // the audiences' update cadence
			// openings held for grouping.wait, decided with dispatch's quiet rules
			reflect.TypeFor[escalate.HoldLister](), reflect.TypeFor[dispatch.QuietStore](),
			reflect.TypeFor[dispatch.TrackerStore]()), // a held page's recurring problem
		wire: wireEscalate,
	},
	TaskFunction: {
		Description: "Firebreak runbook task: the phases, approvals and notices of runbook state machines",
		MemoryMB:    256,
		Timeout:     30 * time.Second,
		Store:       storeMethods(reflect.TypeFor[runbook.TaskStore]()),
		wire:        wireRunbook,
	},
	APIFunction: {
		Description: "Firebreak API: incidents, approvals and silences behind an IAM Function URL; signed one-click links behind the public links URL",
		MemoryMB:    256,
		Timeout:     15 * time.Second,
		// The links URL is public: reserving (and capping) the api's concurrency keeps a
		// flood of link requests from taking the account's Lambda capacity from intake
		// and dispatch; each instance also answers at most api.LinkRate link requests a
		// second. Lambda keeps 100 of an account's concurrency unreserved, so the account
		// needs a concurrency quota of at least 110 (the default is 1,000).
		ReservedConcurrency: 10,
		// What the handler reads and writes directly, and the lifecycle service that
		// changes incidents.
		Store: storeMethods(reflect.TypeFor[api.Store](), reflect.TypeFor[lifecycle.Store](), reflect.TypeFor[api.Problems](),
			reflect.TypeFor[review.Store](), reflect.TypeFor[action.Store](), reflect.TypeFor[action.Lister](), // problems, reviews and actions
			reflect.TypeFor[review.OutcomeStore]()), // the report's follow-ups section
		wire: wireAPI,
	},
	WebhookFunction: { // webhooks.go
		Description: "Firebreak webhook: chat and webhook deliveries off the outbound queue → chat topics and signed HTTPS POSTs",
		MemoryMB:    128,
		Timeout:     webhookTimeout,
		wire:        wireWebhook,
	},
	RotateFunction: {
		Description: "Firebreak link-keys rotation: a new signing key, the two before it kept",
		MemoryMB:    128,
		Timeout:     30 * time.Second,
		wire:        wireRotate,
	},
}

func wireIntake(s *Stack, f *Function) error {
	if err := s.Store.Grant(s, f); err != nil {
		return err
	}
	s.Intake.consume(s, f)
	return nil
}

func wireDispatch(s *Stack, f *Function) error {
	if err := s.Store.Grant(s, f); err != nil {
		return err
	}
	s.Notifications.publishers(s, f)
	s.Contacts.publishers(s, f)
	s.Outbound.publishers(s, f)  // chat and webhook deliveries (webhooks.go)
	s.Audiences.publishers(s, f) // first notices, updates and resolutions to audiences
	s.Runbooks.starters(s, f)
	s.Links.signers(s, f)
	d, err := newDispatch(s, f)
	if err != nil {
		return err
	}
	s.Dispatch = d
	return nil
}

func wireEscalate(s *Stack, f *Function) error {
	if err := s.Store.Grant(s, f); err != nil {
		return err
	}
	s.Notifications.publishers(s, f)
	s.Contacts.publishers(s, f)
	s.Outbound.publishers(s, f)
	if dispatch.Wait(s.config) > 0 {
		s.Audiences.publishers(s, f) // the first notices of openings held for grouping.wait
	}
	s.Links.signers(s, f)
	s.Escalation = newEscalation(s, f)
	return nil
}

func wireRunbook(s *Stack, f *Function) error {
	if err := s.Store.Grant(s, f); err != nil {
		return err
	}
	s.Notifications.publishers(s, f)
	s.Outbound.publishers(s, f)
	s.Links.signers(s, f)
	return nil
}

func wireAPI(s *Stack, f *Function) error {
	if err := s.Store.Grant(s, f); err != nil {
		return err
	}
	s.Links.verifiers(s, f)
	s.API = newAPI(s, f)
	return nil
}

func wireRotate(s *Stack, f *Function) error {
	s.Links.rotator(s, f)
	return nil
}
