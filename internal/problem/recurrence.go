package problem

import (
	"fmt"
	"sort"
	"time"
)

// MaxOccurrences is how many recent occurrences a fingerprint's recurrence item keeps
// (the oldest are dropped): the bound on its size and on the work of deciding.
const MaxOccurrences = 32

// Occurrence is one incident opening (Reopen false, At its opening time) or re-opening
// (Reopen true, At when it re-opened) of a fingerprint.
type Occurrence struct {
	Incident string    `json:"incident"`
	At       time.Time `json:"at"`
	Reopen   bool      `json:"reopen,omitempty"`
}

func (o Occurrence) before(p Occurrence) bool {
	if !o.At.Equal(p.At) {
		return o.At.Before(p.At)
	}
	if o.Incident != p.Incident {
		return o.Incident < p.Incident
	}
	return !o.Reopen && p.Reopen
}

// Recurrence is the per-fingerprint item: recent occurrences and the open problem.
type Recurrence struct {
	Fingerprint string `json:"fingerprint"`
	// Occurrences, oldest first, at most MaxOccurrences.
	Occurrences []Occurrence `json:"occurrences"`
	// Open is the fingerprint's open problem ("" : none); Start the earliest occurrence
	// it explains; LinkedFrom the Start up to which its incidents are all linked.
	Open  string    `json:"open,omitempty"`
	Start time.Time `json:"start,omitzero"`
	// At and Why: when the open problem's rule matched and which; with Start, the match
	// of the occurrences kept (recomputed as they arrive, so any order ends the same).
	At         time.Time `json:"at,omitzero"`
	Why        string    `json:"why,omitempty"`
	LinkedFrom time.Time `json:"linked_from,omitzero"`
	// Seq counts the problems ever opened for the fingerprint.
	Seq int `json:"seq"`
	// Since: occurrences at or before it belong to a problem already resolved.
	Since   time.Time `json:"since,omitzero"`
	Version int       `json:"version"`
}

// Add records o (once: adding it again changes nothing) and drops the oldest beyond
// MaxOccurrences. It reports whether the item changed.
func (r *Recurrence) Add(o Occurrence) bool {
	o.At = o.At.UTC()
	i := sort.Search(len(r.Occurrences), func(i int) bool { return !r.Occurrences[i].before(o) })
	if i < len(r.Occurrences) && r.Occurrences[i] == o {
		return false
	}
	if len(r.Occurrences) >= MaxOccurrences && i == 0 {
		return false // older than everything kept: it would be dropped at once
	}
	r.Occurrences = append(r.Occurrences, Occurrence{})
	copy(r.Occurrences[i+1:], r.Occurrences[i:])
	r.Occurrences[i] = o
	if len(r.Occurrences) > MaxOccurrences {
		r.Occurrences = r.Occurrences[len(r.Occurrences)-MaxOccurrences:]
	}
	return true
}

// Rule is a resolved recurrence rule: Incidents incidents within Within, or one
// incident re-opened Reopens times (0: that half of the rule is off).
type Rule struct {
	Incidents int
	Within    time.Duration
	Reopens   int
}

// Match is a recurrence that makes a problem: Start is the earliest occurrence it
// explains, At the occurrence that completed it, Why the rule that matched.
type Match struct {
	Start, At time.Time
	Why       string
}

// Qualifies reports whether the occurrences after Since make a problem under rule: the
// earliest window of Within holding Incidents incidents (from its first opening), or an
// incident re-opened Reopens times (from its first occurrence), whichever starts
// earlier. It depends on the set of occurrences only, never on their order of arrival.
func (r *Recurrence) Qualifies(rule Rule) (Match, bool) {
	var m Match
	found := false
	take := func(c Match) {
		later := c.Start.After(m.Start) || (c.Start.Equal(m.Start) && (c.At.After(m.At) || (c.At.Equal(m.At) && c.Why >= m.Why)))
		if !found || !later {
			m, found = c, true
		}
	}
	var opens []Occurrence
	reopens := map[string][]time.Time{}
	first := map[string]time.Time{}
	for _, o := range r.Occurrences {
		if !o.At.After(r.Since) {
			continue
		}
		if _, ok := first[o.Incident]; !ok {
			first[o.Incident] = o.At
		}
		if o.Reopen {
			reopens[o.Incident] = append(reopens[o.Incident], o.At)
		} else {
			opens = append(opens, o)
		}
	}
	if rule.Incidents > 0 {
		for i := range opens {
			distinct := map[string]bool{}
			for j := i; j < len(opens) && opens[j].At.Sub(opens[i].At) <= rule.Within; j++ {
				distinct[opens[j].Incident] = true
				if len(distinct) == rule.Incidents {
					take(Match{Start: opens[i].At, At: opens[j].At,
						Why: fmt.Sprintf("%d incidents of one fingerprint within %s", rule.Incidents, short(rule.Within))})
					break
				}
			}
			if found {
				break
			}
		}
	}
	if rule.Reopens > 0 {
		for id, ts := range reopens {
			if len(ts) >= rule.Reopens {
				take(Match{Start: first[id], At: ts[rule.Reopens-1], Why: fmt.Sprintf("incident %s re-opened %d times", id, len(ts))})
			}
		}
	}
	return m, found
}

// short writes a duration as days when it is whole days (7d), else as Go does.
func short(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// Explained lists, in time order, the distinct incidents with an occurrence at or after
// from (and after Since).
func (r *Recurrence) Explained(from time.Time) []string {
	var out []string
	seen := map[string]bool{}
	for _, o := range r.Occurrences {
		if o.At.Before(from) || !o.At.After(r.Since) || seen[o.Incident] {
			continue
		}
		seen[o.Incident] = true
		out = append(out, o.Incident)
	}
	return out
}

// Count is the number of distinct incidents after Since.
func (r *Recurrence) Count() int { return len(r.Explained(time.Time{})) }
