package incident

// Timeline entry kinds of problems (package problem): written on the timelines of the
// incidents a problem explains, and on the problem's own timeline.
const (
	// KindProblemLinked: the incident was linked to a problem (recurrence or by hand).
	KindProblemLinked Kind = "problem-linked"
	// KindProblemOpened: a problem was opened (problem timeline).
	KindProblemOpened Kind = "problem-opened"
	// KindProblemStatus: a problem's status changed (problem timeline).
	KindProblemStatus Kind = "problem-status"
	// KindProblemNote: a note, root cause or workaround was recorded (problem timeline).
	KindProblemNote Kind = "problem-note"
	// KindProblemNotified: the problem's owner team was told it opened (problem timeline).
	KindProblemNotified Kind = "problem-notified"
	// KindProblemIncident: an incident was linked (problem timeline).
	KindProblemIncident Kind = "problem-incident"
)

// DataProblem is the timeline data key naming the problem an entry concerns.
const DataProblem = "problem"
