package page

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// PersonLinks makes the one-click links of a notice paged to a person: they act as
// that person (token.Links implements it).
type PersonLinks interface {
	ActionsAs(inc incident.Incident, kind notify.Kind, contact string) []notify.Action
}

// GapStore is what recording an on-call gap needs: the entry is written once however
// often the page is retried.
type GapStore interface {
	store.Claims
	AddEntries(ctx context.Context, entries ...incident.Entry) error
}

// RecordGaps writes a timeline entry per gap (once, through store.Once: keyed
// prefix:<schedule>) and counts it in the OncallGaps metric by schedule. A metric that
// cannot be written is logged.
func RecordGaps(ctx context.Context, st GapStore, m *metrics.Writer, log *slog.Logger, lease time.Duration, id, prefix string, gaps []Gap, at time.Time) error {
	for _, g := range gaps {
		key := prefix + ":" + g.Schedule
		_, err := store.Once{Claims: st, Lease: lease}.Do(ctx, id, key, func(ctx context.Context) (string, error) {
			detail := fmt.Sprintf("Nobody on call for %s at %s: paged team %s's addresses instead.", g.Schedule, g.At.UTC().Format(time.RFC3339), g.Team)
			if g.Team == "" {
				detail = fmt.Sprintf("Nobody on call for %s at %s, and no team to fall through to: nobody paged for it.", g.Schedule, g.At.UTC().Format(time.RFC3339))
			}
			if err := st.AddEntries(ctx, incident.Entry{Incident: id, At: at, Kind: incident.KindOncallGap, Actor: "firebreak", Key: key,
				Detail: detail, Data: map[string]string{"schedule": g.Schedule, "team": g.Team}}); err != nil {
				return "", err
			}
			if err := m.Emit(g.At, map[string]string{"Schedule": g.Schedule}, map[string]int{"OncallGaps": 1}); err != nil && log != nil {
				log.WarnContext(ctx, "metrics not written", "error", err)
			}
			return "gap", nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Personal addresses a notice to a recipient: who is paged and why, and links that act
// as that person when links can (PersonLinks).
func Personal(n notify.Notice, rc Recipient, links any) notify.Notice {
	n.Paged = rc.Paged
	if pl, ok := links.(PersonLinks); ok && rc.Contact != "" {
		n.Actions = pl.ActionsAs(n.Incident, n.Kind, rc.Contact)
	}
	return n
}

// Data adds who a recipient is to a timeline entry's data (contact, schedule).
func (rc Recipient) Data(data map[string]string) map[string]string {
	if rc.Contact != "" {
		data["contact"] = rc.Contact
	}
	if rc.Schedule != "" {
		data["schedule"] = rc.Schedule
	}
	return data
}
