package incident

// Timeline kinds of on-call paging (internal/page).
const (
	// KindOncallGap: a page to a schedule found nobody on call; it fell through to a
	// team's addresses (or to nobody, when the schedule and the page name no team).
	KindOncallGap Kind = "oncall-gap"
)
