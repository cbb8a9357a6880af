package incident

// Timeline entry kinds of grouping.wait (internal/dispatch/wait.go).
const (
	// KindHeld records an opening whose page (and grouping and inhibition) is held until
	// its wait is over, so that an incident opened earlier but delivered later can still
	// become its group's parent (Data: "until", RFC 3339).
	KindHeld Kind = "held"
)
