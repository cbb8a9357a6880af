package escalate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/silence"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// SilenceEnded is the step at the end of the silence that kept an incident quiet: if the
// incident is still open or acknowledged its responders are paged then, told the silence
// ended (a mitigated one is only noted on the timeline). From then on its clocks run as
// if it had opened when the silence ended.
const SilenceEnded Kind = "silence-ended"

// SilenceStore lists the silences made through the API; both stores have it.
type SilenceStore interface {
	Silences(ctx context.Context) ([]silence.Silence, error)
}

var (
	_ SilenceStore = (*store.Memory)(nil)
	_ SilenceStore = (*store.Dynamo)(nil)
)

// plan is Plan for an incident a silence kept quiet: it adds the step at the end of the
// silence, and once the silence is over plans the clocks as if the incident had opened
// then. Other incidents are planned by Plan alone.
func (e *Escalator) plan(ctx context.Context, inc incident.Incident, now time.Time) ([]Step, *Step, error) {
	if inc.SilencedBy == "" || inc.Parent != "" || !inc.Status.Active() {
		due, next := Plan(e.Config, inc, now)
		return due, next, nil
	}
	end, ends, err := e.silenceEnd(ctx, inc)
	if err != nil {
		return nil, nil, err
	}
	if !ends { // a weekly window with no end, in force all week: quiet for good
		due, next := Plan(e.Config, inc, now)
		return due, next, nil
	}
	step := Step{Kind: SilenceEnded, Key: fmt.Sprintf("silence-ended:%s:%d", inc.SilencedBy, end.Unix()), At: end,
		Teams: dispatch.Recipients(e.Config, inc)}
	if now.Before(end) {
		due, next := Plan(e.Config, inc, now)
		if next == nil || end.Before(next.At) {
			next = &step
		}
		return due, next, nil
	}
	loud := inc
	loud.SilencedBy = ""
	if loud.Status == incident.Open && loud.StateAt.Before(end) {
		loud.StateAt = end // escalation and the acknowledge objective count from the end of the silence
	}
	due, next := Plan(e.Config, loud, now)
	return append([]Step{step}, due...), next, nil
}

// silenceEnd is when the silence that kept inc quiet ends or ended (silence.EndFor),
// among the configured silences and those made through the API.
func (e *Escalator) silenceEnd(ctx context.Context, inc incident.Incident) (time.Time, bool, error) {
	list := append([]silence.Silence(nil), e.Config.Silences...)
	if ss, ok := e.Store.(SilenceStore); ok {
		stored, err := ss.Silences(ctx)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("silence %s of %s: %w", inc.SilencedBy, inc.ID, err)
		}
		list = append(list, stored...)
	}
	end, ok := silence.EndFor(list, inc.SilencedBy, inc.OpenedAt)
	return end, ok, nil
}

// silenceEnded pages an incident's responders when its silence is over, if it is still
// open or acknowledged. The entry is a "notified" one: someone was paged, so its
// mitigation and resolution are told too.
func (e *Escalator) silenceEnded(ctx context.Context, inc incident.Incident, st Step) error {
	entry := incident.Entry{Incident: inc.ID, At: st.At, Actor: "firebreak", Key: st.Key,
		Data: map[string]string{"step": string(st.Kind), "silence": inc.SilencedBy, "change": string(SilenceEnded)}}
	if inc.Status != incident.Open && inc.Status != incident.Acknowledged {
		entry.Kind = incident.KindSilenceEnded
		entry.Detail = fmt.Sprintf("Silence %s ended; the incident is %s: nobody paged.", inc.SilencedBy, inc.Status)
		return e.Store.AddEntries(ctx, entry)
	}
	policy := e.Config.Severities[string(inc.Severity)]
	if inc.Severity == incident.Info || policy == nil || len(policy.Channels) == 0 {
		entry.Kind = incident.KindSilenceEnded
		entry.Detail = fmt.Sprintf("Silence %s ended; the incident is still %s, but %s has no notification channels: nobody paged.", inc.SilencedBy, inc.Status, inc.Severity)
		return e.Store.AddEntries(ctx, entry)
	}
	msg := fmt.Sprintf("Silence %s ended at %s; this incident is still %s and nobody was paged while it was silenced.",
		inc.SilencedBy, st.At.UTC().Format("2006-01-02 15:04:05 UTC"), inc.Status)
	n := notify.Notice{Kind: notify.SilenceEnded, Incident: inc, Policy: policy, Message: msg}
	if t := e.Config.Teams[inc.Team]; t != nil {
		n.TeamName = t.Name
	}
	if e.Links != nil {
		n.Actions = e.Links.Actions(inc, notify.SilenceEnded)
	}
	var told []string
	for _, team := range st.Teams {
		if _, err := e.Sender.Send(ctx, team, n); err != nil {
			return err
		}
		told = append(told, team)
	}
	entry.Kind = incident.KindNotified
	entry.Detail = fmt.Sprintf("Silence %s ended while the incident is still %s: told %s.", inc.SilencedBy, inc.Status, strings.Join(told, ", "))
	entry.Data["teams"] = strings.Join(told, ",")
	e.log().InfoContext(ctx, "silence ended", "incident", inc.ID, "silence", inc.SilencedBy, "teams", entry.Data["teams"])
	return e.Store.AddEntries(ctx, entry)
}
