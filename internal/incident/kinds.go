package incident

// Kind is what a timeline entry records. Every kind Firebreak writes is one of the
// constants below (features of their own declare theirs in kinds_<feature>.go): the
// timeline, the CLI and the status page read them, so a kind is spelled in one place.
type Kind string

// Kinds written by intake: an event's effect on its incident.
const (
	KindOpened         Kind = "opened"
	KindMitigated      Kind = "mitigated"
	KindRetriggered    Kind = "retriggered"
	KindSeverityRaised Kind = "severity-raised"
	KindReopened       Kind = "reopened"
)

// Kinds written by people working the incident (lifecycle, the API).
const (
	KindAcknowledged     Kind = "acknowledged"
	KindResolved         Kind = "resolved"
	KindClosed           Kind = "closed"
	KindSeverityChanged  Kind = "severity-changed"
	KindOwnerChanged     Kind = "owner-changed"
	KindNote             Kind = "note"
	KindLink             Kind = "link"
	KindApprovalApproved Kind = "approval-approved"
	KindApprovalRejected Kind = "approval-rejected"
)

// Kinds written by dispatch: who was told, what was started, and why not.
const (
	KindNotified          Kind = "notified"
	KindNotNotified       Kind = "not-notified"
	KindNotPaged          Kind = "not-paged"
	KindRunbookStarted    Kind = "runbook-started"
	KindRunbookSkipped    Kind = "runbook-skipped"
	KindRunbookNotStarted Kind = "runbook-not-started"
	// Why a new incident did not page (Quiet reasons; ParentReason holds the last two).
	KindSilenced  Kind = "silenced"
	KindInhibited Kind = "inhibited"
	KindGrouped   Kind = "grouped"
	// On the parent's timeline: a child attached under it.
	KindChildInhibited Kind = "child-inhibited"
	KindChildGrouped   Kind = "child-grouped"
)

// Kinds written by the escalator's clocks.
const (
	KindEscalated         Kind = "escalated"
	KindUpdateDue         Kind = "update-due"
	KindObjectiveBreached Kind = "objective-breached"
	KindSilenceEnded      Kind = "silence-ended"
)

// Kinds written by runbooks (the task and the local runner).
const (
	KindRunbookTriage     Kind = "runbook-triage"
	KindRunbookDiagnose   Kind = "runbook-diagnose"
	KindRunbookRemediate  Kind = "runbook-remediate"
	KindRunbookVerify     Kind = "runbook-verify"
	KindRunbookDocument   Kind = "runbook-document"
	KindRunbookNotified   Kind = "runbook-notified"
	KindRunbookFailed     Kind = "runbook-failed"
	KindRunbookCall       Kind = "runbook-call"
	KindApprovalRequested Kind = "approval-requested"
)

// TransitionKind is the entry a move to status to records: the status itself, except
// that a move back to open is a re-opening.
func TransitionKind(to Status) Kind {
	switch to {
	case Open:
		return KindReopened
	case Acknowledged:
		return KindAcknowledged
	case Mitigated:
		return KindMitigated
	case Resolved:
		return KindResolved
	case Closed:
		return KindClosed
	}
	return Kind(to)
}

// ChildKind is the entry a parent's timeline gets when a child is attached under it
// for reason (KindInhibited or KindGrouped).
func ChildKind(reason Kind) Kind {
	switch reason {
	case KindInhibited:
		return KindChildInhibited
	case KindGrouped:
		return KindChildGrouped
	}
	return "child-" + reason
}
