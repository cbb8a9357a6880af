package action

import (
	"fmt"
	"time"
)

// Stage of a reminder of something due (an action, a review).
type Stage string

// Stages, in order.
const (
	Near    Stage = "near"    // Before ahead of the due time
	AtDue   Stage = "due"     // at the due time: it is now overdue
	Overdue Stage = "overdue" // every Every after the due time, while it stays open
)

// Reminder is one reminder: its key is unique per due time, so a reminder is sent once
// whatever the ticks do, and a new due time starts a new series.
type Reminder struct {
	Stage Stage
	N     int // Overdue: 1 for the first repeat
	At    time.Time
	Key   string
}

// Schedule is when the owner of something due is reminded: Before ahead of the due
// time (0: not), at it, and every Every after it while it stays open (0: not again).
type Schedule struct {
	Before, Every time.Duration
}

// Plan returns the latest reminder due at or before now (nil: none is) and when the
// next one is due (zero: never). Reminders at or before floor (when the thing was
// filed) are not sent: who filed it knows. Its cost is constant: a tick that comes late
// sends only the latest reminder it missed.
func (s Schedule) Plan(due, floor, now time.Time) (latest *Reminder, next time.Time) {
	at := func(stage Stage, n int) Reminder {
		t := due
		switch stage {
		case Near:
			t = due.Add(-s.Before)
		case Overdue:
			t = due.Add(time.Duration(n) * s.Every)
		}
		key := fmt.Sprintf("remind:%s:%d", stage, due.Unix())
		if stage == Overdue {
			key += fmt.Sprintf(":%d", n)
		}
		return Reminder{Stage: stage, N: n, At: t, Key: key}
	}
	var series []Reminder // the reminders up to and including the first after now
	if s.Before > 0 {
		series = append(series, at(Near, 0))
	}
	series = append(series, at(AtDue, 0))
	if s.Every > 0 && now.After(due) {
		k := int(now.Sub(due) / s.Every) // the latest repeat at or before now
		if k >= 1 {
			series = append(series, at(Overdue, k))
		}
		series = append(series, at(Overdue, k+1))
	} else if s.Every > 0 {
		series = append(series, at(Overdue, 1))
	}
	for i := range series {
		r := series[i]
		if !r.At.After(floor) && !floor.IsZero() {
			continue
		}
		if r.At.After(now) {
			if next.IsZero() {
				next = r.At
			}
			continue
		}
		latest = &r
	}
	return latest, next
}
