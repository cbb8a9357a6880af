package dispatch

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/token"
)

// Announcer publishes messages to audiences (the communication plan): notify.Notifier
// does, to the audience's topic. The dispatcher's Sender is used as one when it is one;
// a sender that is not (a test's) tells no audience.
type Announcer interface {
	Announce(ctx context.Context, n notify.AudienceNotice) (string, error)
}

// Viewer signs read-only viewer links to the status page (token.Links does). The
// dispatcher's Links are used as one when they are one; without, audience messages go
// without the link.
type Viewer interface {
	ViewURL(ctx context.Context, scope string, ttl time.Duration) (string, time.Time, error)
}

var (
	_ Announcer = (*notify.Notifier)(nil)
	_ Viewer    = (*token.Links)(nil)
)

// announcer is where messages to audiences go: the one function a chat or webhook
// notifier of audiences hooks into.
func (d *Dispatcher) announcer() Announcer {
	if a, ok := d.Sender.(Announcer); ok && d.Config.Communication != nil {
		return a
	}
	return nil
}

// timeline reads an incident's timeline through the quiet store (nil: none to read).
func (d *Dispatcher) timeline(ctx context.Context, id string) ([]incident.Entry, bool, error) {
	if d.Quiet == nil {
		return nil, false, nil
	}
	tl, err := d.Quiet.Timeline(ctx, id)
	return tl, err == nil, err
}

// announceUpdates publishes the updates posted to audiences by the change r carries: a
// person's update moves LastUpdateAt, and the incident.KindUpdatePosted entries stamped
// at that moment are what was posted. Each goes to its audience's topic once (its
// entry's key), however often the record is delivered. Only a communication plan with
// audiences reads the timeline.
func (d *Dispatcher) announceUpdates(ctx context.Context, r store.StreamRecord) error {
	a := d.announcer()
	if a == nil || r.Old == nil || r.New.LastUpdateAt.IsZero() || r.New.LastUpdateAt.Equal(r.Old.LastUpdateAt) {
		return nil
	}
	tl, ok, err := d.timeline(ctx, r.New.ID)
	if err != nil || !ok {
		return err
	}
	var posted []incident.Entry
	for _, e := range tl {
		if e.Kind == incident.KindUpdatePosted && e.At.Equal(r.New.LastUpdateAt) && e.Data[incident.DataAudience] != "" {
			posted = append(posted, e)
		}
	}
	if len(posted) == 0 {
		return nil
	}
	inc, err := d.Store.Get(ctx, r.New.ID)
	if err != nil {
		return fmt.Errorf("announce updates of %s: %w", r.New.ID, err)
	}
	for i, e := range posted {
		audience := e.Data[incident.DataAudience]
		n := d.audienceNotice(inc, tl, notify.AudienceUpdate, audience, e.At)
		n.Text = updateText(e, audience)
		if eta, err := time.Parse(time.RFC3339, e.Data[incident.DataETA]); err == nil {
			n.ETA = eta
		}
		if err := d.tellAudience(ctx, a, n, "audience:update:"+e.Key, incident.NoticeUpdate, e.At.Add(time.Duration(1+i))); err != nil {
			return err
		}
	}
	return nil
}

// updateText is the text of a posted update: its detail without the "Update to <audience>: "
// the timeline adds and the estimated resolution (the message gives that on its own line).
func updateText(e incident.Entry, audience string) string {
	text := strings.TrimPrefix(e.Detail, "Update to "+audience+": ")
	if i := strings.LastIndex(text, " (estimated resolution "); i >= 0 && e.Data[incident.DataETA] != "" {
		text = text[:i]
	}
	return text
}

// announce tells the audiences of the communication plan what a change means for them:
// an incident that opened (or was raised to a severity whose plan names audiences that
// have not heard of it) gets a first notice to each of them, unless it is quiet; a
// resolution is announced to every audience the timeline says was told of the incident.
func (d *Dispatcher) announce(ctx context.Context, inc incident.Incident, change Change, quiet bool, at time.Time) error {
	a := d.announcer()
	if a == nil {
		return nil
	}
	switch {
	case (change == Opened || change == SeverityRaised) && !quiet:
		plan := d.Config.AudiencesFor(inc.Severity)
		if len(plan) == 0 {
			return nil
		}
		var tl []incident.Entry
		if change != Opened { // a commander may be named by now
			var err error
			if tl, _, err = d.timeline(ctx, inc.ID); err != nil {
				return err
			}
		}
		for i, ac := range plan {
			n := d.audienceNotice(inc, tl, notify.AudienceFirst, ac.Audience, at)
			if err := d.tellAudience(ctx, a, n, "audience:first:"+ac.Audience, incident.NoticeFirst, at.Add(time.Duration(100+i))); err != nil {
				return err
			}
		}
	case change == Resolved:
		tl, ok, err := d.timeline(ctx, inc.ID)
		if err != nil || !ok {
			return err
		}
		inc.ResolvedAt = at
		for i, audience := range incident.Told(tl) {
			n := d.audienceNotice(inc, tl, notify.AudienceResolved, audience, at)
			key := fmt.Sprintf("audience:resolved:%s:%d", audience, at.UnixNano())
			if err := d.tellAudience(ctx, a, n, key, incident.NoticeResolved, at.Add(time.Duration(100+i))); err != nil {
				return err
			}
		}
	}
	return nil
}

// audienceNotice is the message to audience about inc at time at: its facts, commander,
// the next update due by the plan, and the audience's viewer link.
func (d *Dispatcher) audienceNotice(inc incident.Incident, tl []incident.Entry, kind notify.Kind, audience string, at time.Time) notify.AudienceNotice {
	n := notify.AudienceNotice{Kind: kind, Incident: inc, Audience: audience, Commander: d.personName(incident.Roles(tl)[incident.RoleCommander])}
	if a := d.Config.Audience(audience); a != nil {
		n.AudienceName = a.Name
	}
	if t := d.Config.Teams[inc.Team]; t != nil {
		n.TeamName = t.Name
	}
	if p := d.Config.Severities[string(inc.Severity)]; p != nil {
		n.SeverityName = p.Name
	}
	if kind != notify.AudienceResolved {
		for _, ac := range d.Config.AudiencesFor(inc.Severity) {
			if ac.Audience == audience {
				n.Every, n.NextUpdate = ac.Cadence.Every.Duration, at.Add(ac.Cadence.Every.Duration)
			}
		}
	}
	n.ViewURL, n.ViewExpires = d.viewURL(inc, token.Scope{Audience: audience})
	return n
}

// viewURL is a viewer link to inc's page on the status page, as scope sees it (empty
// when the dispatcher's links sign none, or signing fails: the message goes without).
func (d *Dispatcher) viewURL(inc incident.Incident, scope token.Scope) (string, time.Time) {
	v, ok := d.Links.(Viewer)
	if !ok {
		return "", time.Time{}
	}
	// The Links interfaces carry no context; reading the keys is bounded here instead.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u, exp, err := v.ViewURL(ctx, scope.String(), 0)
	if err != nil {
		d.log().ErrorContext(ctx, "viewer link left out of the message", "incident", inc.ID, "scope", scope.String(), "error", err)
		return "", time.Time{}
	}
	return u + "incidents/" + url.PathEscape(inc.ID), exp
}

// statusURL is the responders' viewer link to inc: its account's status page (every
// account's, when the incident has none), read-only.
func (d *Dispatcher) statusURL(inc incident.Incident) string {
	u, _ := d.viewURL(inc, token.Scope{Account: inc.Account})
	return u
}

// personName is how a message names a role holder: a contact's name, or the free name.
func (d *Dispatcher) personName(who string) string {
	if id, ok := strings.CutPrefix(who, config.ContactPrefix); ok {
		if c := d.Config.Contact(id); c != nil && c.Name != "" {
			return c.Name
		}
	}
	return who
}

// tellAudience publishes n once per key and records it on the timeline at the given
// time (incident.KindAudienceNotified), or its permanent failure
// (incident.KindAudienceNotNotified); a retryable failure is returned for the stream to
// retry.
func (d *Dispatcher) tellAudience(ctx context.Context, a Announcer, n notify.AudienceNotice, key, notice string, at time.Time) error {
	inc := n.Incident
	_, err := d.once().Do(ctx, inc.ID, key, func(ctx context.Context) (string, error) {
		entry := incident.Entry{Incident: inc.ID, At: at, Actor: "firebreak", Key: key,
			Data: map[string]string{incident.DataAudience: n.Audience, incident.DataNotice: notice}}
		id, err := a.Announce(ctx, n)
		if err != nil && !IsPermanent(err) {
			return "", err
		}
		if err != nil {
			entry.Kind = incident.KindAudienceNotNotified
			entry.Detail = fmt.Sprintf("Could not tell %s (%s): %v. Not retried: it would fail the same way until the configuration is fixed.", n.Audience, notice, err)
			entry.Data["error"] = err.Error()
			return d.failed(ctx, inc, "announce", entry, err)
		}
		entry.Kind = incident.KindAudienceNotified
		entry.Detail = fmt.Sprintf("Told %s: %s.", n.Audience, map[string]string{incident.NoticeFirst: "first notice", incident.NoticeUpdate: "update",
			incident.NoticeResolved: "resolved"}[notice])
		entry.Data["message_id"] = id
		if err := d.Store.AddEntries(ctx, entry); err != nil {
			return "", err
		}
		d.log().InfoContext(ctx, "audience told", "incident", inc.ID, "audience", n.Audience, "notice", notice, "message_id", id)
		return id, nil
	})
	return err
}
