package notify

import (
	"time"
)

// Paged is who a notice is addressed to and why, when it goes to a person rather than a
// team: "Alice Schmidt", "on call for platform-primary until Mon 09:00 Europe/Berlin".
type Paged struct {
	Name string
	Why  string
}

// OnCallWhy says why a person on call for a schedule is paged: until when (in the
// schedule's time zone, the weekday and time; with the date when the shift ends more
// than six days after now).
func OnCallWhy(schedule string, now, until time.Time, loc *time.Location) string {
	end := until.In(loc)
	layout := "Mon 15:04"
	if until.Sub(now) > 6*24*time.Hour {
		layout = "Mon 2 Jan 15:04"
	}
	return "on call for " + schedule + " until " + end.Format(layout) + " " + loc.String()
}
