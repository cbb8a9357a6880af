package dispatch

import (
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Grouper applies grouping: incidents with the same group key (their By fields, Key)
// opened within Window of the first of them are grouped under it, one page per group.
type Grouper struct {
	By     []string
	Window time.Duration
}

// NewGrouper is the configured grouping; ok is false when there is none.
func NewGrouper(g *config.Grouping) (Grouper, bool) {
	if g == nil {
		return Grouper{}, false
	}
	return Grouper{By: g.By, Window: g.Window.Duration}, true
}

// Key is inc's group key.
func (g Grouper) Key(inc incident.Incident) string { return Key(g.By, inc) }

// Candidates is the query for the incidents inc may be grouped under: the active ones
// opened within the window before it (sharing its account, region and team when the
// key holds them). Dispatch asks for the resolved and closed ones too, and keeps those
// active when inc's page was due (quiet.go).
func (g Grouper) Candidates(inc incident.Incident) store.Filter {
	f := store.Filter{Status: incident.ActiveStatuses, OpenedSince: inc.OpenedAt.Add(-g.Window), OpenedUntil: inc.OpenedAt}
	narrow(&f, g.By, inc)
	return f
}

// Parent is the incident among near (oldest first) that inc is grouped under: the first
// opened before it (of two opened at the same time, the one with the smaller id), so
// that of two incidents each is never the other's parent, whichever is decided first.
func (g Grouper) Parent(inc incident.Incident, near []incident.Incident) (incident.Incident, bool) {
	key := g.Key(inc)
	for _, parent := range near {
		if parent.ID == inc.ID || parent.Parent != "" || !openedBefore(parent, inc) ||
			inc.OpenedAt.Sub(parent.OpenedAt) > g.Window || g.Key(parent) != key {
			continue
		}
		return parent, true
	}
	return incident.Incident{}, false
}

// openedBefore reports whether a opened before b: by opening time, then id.
func openedBefore(a, b incident.Incident) bool {
	if !a.OpenedAt.Equal(b.OpenedAt) {
		return a.OpenedAt.Before(b.OpenedAt)
	}
	return a.ID < b.ID
}
