package incident

import (
	"fmt"
	"time"
)

// Timeline data keys that tie an entry to its cause.
const (
	DataEventID   = "event_id"  // the event that caused the entry (intake's entries)
	DataSeverity  = "severity"  // the severity whose policy the entry acts on (clock steps)
	DataChange    = "change"    // the change a notification tells of
	DataExecution = "execution" // the runbook execution an entry belongs to
	// DataReplaces: a mitigation moved earlier names the state time of the one it
	// replaced (RFC 3339), whose entry stays as delivery history.
	DataReplaces = "replaces"
)

// changeKinds are the timeline entries a notification's change can tell of.
var changeKinds = map[string][]Kind{
	"opened":          {KindOpened},
	"retriggered":     {KindRetriggered, KindReopened},
	"severity-raised": {KindSeverityRaised},
	"mitigated":       {KindMitigated},
	"resolved":        {KindResolved},
	"owner-changed":   {KindOwnerChanged},
}

// Causality checks that a timeline says nothing before what caused it, and returns every
// entry that does. The rules, each stated on the timeline alone:
//
//   - entries are in time order, and none precedes the incident's opening;
//   - an entry caused by an event (DataEventID) is stamped with that event's time
//     (eventTime reports it, when the caller knows the event);
//   - a clock step of a severity's policy (DataSeverity) comes no earlier than the entry
//     that gave the incident that severity (opened, severity-raised, severity-changed);
//   - a notification (DataChange) comes no earlier than the change it tells of;
//   - a runbook's entries (DataExecution) come no earlier than the runbook's start;
//   - an update reminder comes no earlier than an acknowledgement, and a resolution by
//     the clock no earlier than the recovery it waited on.
func Causality(tl []Entry, eventTime func(id string) (time.Time, bool)) []error {
	var errs []error
	bad := func(e Entry, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s %s %s (%s): %s", e.Incident, e.At.UTC().Format(time.RFC3339Nano), e.Kind, e.Key, fmt.Sprintf(format, args...)))
	}
	var opened *Entry
	for i := range tl {
		if tl[i].Kind == KindOpened && (opened == nil || tl[i].At.Before(opened.At)) {
			opened = &tl[i]
		}
	}
	if opened == nil && len(tl) > 0 {
		bad(tl[0], "the timeline has no %q entry", KindOpened)
	}
	// seen: the latest entry of each kind so far; severityAt: when each severity was given.
	seen := map[Kind]time.Time{}
	severityAt := map[string]time.Time{}
	started := map[string]time.Time{}
	for i, e := range tl {
		if i > 0 && e.At.Before(tl[i-1].At) {
			bad(e, "out of order: after an entry at %s", tl[i-1].At.UTC().Format(time.RFC3339Nano))
		}
		if opened != nil && e.At.Before(opened.At) {
			bad(e, "before the incident opened at %s", opened.At.UTC().Format(time.RFC3339Nano))
		}
		if id := e.Data[DataEventID]; id != "" && eventTime != nil {
			if t, ok := eventTime(id); ok && !t.Equal(e.At) {
				bad(e, "stamped %s; its event %s happened at %s", e.At.UTC().Format(time.RFC3339Nano), id, t.UTC().Format(time.RFC3339Nano))
			}
		}
		if sev := e.Data[DataSeverity]; sev != "" && e.Kind != KindOpened {
			if t, ok := severityAt[sev]; !ok || e.At.Before(t) {
				bad(e, "acts on the %s policy before the incident was %s", sev, sev)
			}
		}
		if c := e.Data[DataChange]; c != "" {
			found := false
			for _, k := range changeKinds[c] {
				if _, ok := seen[k]; ok {
					found = true
				}
			}
			if !found {
				bad(e, "tells of %s before any such change", c)
			}
		}
		if x := e.Data[DataExecution]; x != "" && e.Kind != KindRunbookStarted && e.Kind != KindRunbookSkipped {
			if _, ok := started[x]; !ok {
				bad(e, "belongs to runbook execution %s before it started", x)
			}
		}
		switch {
		case e.Kind == KindUpdateDue:
			if _, ok := seen[KindAcknowledged]; !ok {
				bad(e, "an update reminder before any acknowledgement")
			}
		case e.Kind == KindResolved && e.Actor == "firebreak":
			if _, ok := seen[KindMitigated]; !ok {
				bad(e, "resolved by the clock before any recovery")
			}
		}
		seen[e.Kind] = e.At
		switch e.Kind {
		case KindOpened:
			if s := e.Data[DataSeverity]; s != "" {
				severityAt[s] = e.At
			}
		case KindSeverityRaised, KindSeverityChanged:
			if s := e.Data["to"]; s != "" {
				severityAt[s] = e.At
			}
		case KindRunbookStarted:
			if x := e.Data[DataExecution]; x != "" {
				started[x] = e.At
			}
		}
	}
	return errs
}
