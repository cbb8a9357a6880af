package incident

// Timeline entry kinds of heartbeats (package heartbeat). A missed heartbeat's incident
// opens with KindOpened and is mitigated with KindMitigated, like any other; these say
// why, beside them.
const (
	KindHeartbeatMissed  Kind = "heartbeat-missed"  // no beat came within interval + grace of the last one
	KindHeartbeatResumed Kind = "heartbeat-resumed" // a beat came again after a miss
)
