package incident

// Timeline entry kinds of post-incident reviews and their tracked actions (packages
// review and action). They are written on the timeline of the incident a review is
// about; an action linked to an incident or its review is recorded there too.
const (
	KindReviewOpened    = "review-opened"    // resolving a significant incident opened its review
	KindReviewEdited    = "review-edited"    // a section of the review was written or rewritten
	KindReviewCompleted = "review-completed" // the review was marked complete
	KindReviewReminded  = "review-reminded"  // the owner was reminded that the review is (nearly) due
	KindActionFiled     = "action-filed"     // a tracked action was filed (by a person, or suggested)
	KindActionDone      = "action-done"      // an action was done
	KindActionWontDo    = "action-wont-do"   // an action was closed as won't do, with a reason
	KindActionReminded  = "action-reminded"  // the owner was reminded that an action is (nearly) due
)
