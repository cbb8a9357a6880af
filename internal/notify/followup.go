package notify

// FollowupDue tells an owner that a post-incident review or a tracked action is due
// soon, or overdue (escalate/followups.go). Its Message says which and by when.
const FollowupDue Kind = "followup-due"

func init() { headlines[FollowupDue] = "Follow-up due" }
