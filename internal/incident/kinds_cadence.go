package incident

// Timeline entry kinds of the communication plan (config communication:): what each
// audience was told, and its update cadence.
const (
	// KindAudienceNotified records a message published to an audience's topic (Data:
	// DataAudience, DataNotice, "message_id"): the first notice, an update, the resolution.
	// The timeline is the one record of which audiences heard of an incident.
	KindAudienceNotified Kind = "audience-notified"
	// KindAudienceNotNotified records a message that could not be published to an
	// audience for good (no such audience or topic; Data: DataAudience, DataNotice, "error").
	KindAudienceNotNotified Kind = "audience-not-notified"
	// KindUpdateReminded: an update to an audience is due; the commander (or the owner
	// team, without one) was reminded (Data: DataAudience, DataDue).
	KindUpdateReminded Kind = "audience-update-due"
	// KindUpdateMissed: the update to an audience was not posted within its cadence and
	// grace; a breach of the communication plan, counted as the metric UpdatesMissed
	// (Data: DataAudience, DataDue).
	KindUpdateMissed Kind = "audience-update-missed"
)

// Timeline data keys of the communication plan's entries.
const (
	DataNotice = "notice" // NoticeFirst, NoticeUpdate, NoticeResolved
	DataDue    = "due"    // when the audience's update was due, RFC 3339
)

// What an audience was told (DataNotice).
const (
	NoticeFirst    = "first"
	NoticeUpdate   = "update"
	NoticeResolved = "resolved"
)

// Told lists the audiences a timeline says were told of the incident (a first notice or
// an update published to them), in the order they first were.
func Told(tl []Entry) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range tl {
		a := e.Data[DataAudience]
		if e.Kind != KindAudienceNotified || a == "" || seen[a] || e.Data[DataNotice] == NoticeResolved {
			continue
		}
		seen[a] = true
		out = append(out, a)
	}
	return out
}
