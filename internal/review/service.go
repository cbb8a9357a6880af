package review

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Incidents reads an incident with its timeline and writes timeline entries.
type Incidents interface {
	Get(ctx context.Context, id string) (incident.Incident, error)
	Timeline(ctx context.Context, id string) ([]incident.Entry, error)
	AddEntries(ctx context.Context, entries ...incident.Entry) error
}

// Reviews keeps reviews (store.Reviews).
type Reviews interface {
	OpenReview(ctx context.Context, r Review) (Review, bool, error)
	GetReview(ctx context.Context, id string) (Review, error)
	UpdateReview(ctx context.Context, r Review) (bool, error)
}

// Actions files and lists the actions of a review.
type Actions interface {
	AddAction(ctx context.Context, a action.Action) (action.Action, bool, error)
	ActionsOf(ctx context.Context, link string) ([]action.Action, error)
}

// Store is what the review service needs.
type Store interface {
	Incidents
	Reviews
	Actions
}

// Service opens, shows, edits and completes reviews.
type Service struct {
	Store  Store
	Config *config.Config
	Now    func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// Schedule is when the owners of reviews and actions are reminded.
func Schedule(cfg *config.Config) action.Schedule {
	p := cfg.ReviewPolicy()
	return action.Schedule{Before: p.RemindBefore, Every: p.OverdueEvery}
}

// Resolved opens the review of an incident resolved at at, when its severity calls for
// one (config reviews.severity): due reviews.due_within later, owned by the incident's
// team, with the runbook gap its record shows filed as an action. Every write is
// conditional or keyed, so a redelivered resolution changes nothing; a review already
// open (the incident was re-opened and resolved again) is kept.
func (s *Service) Resolved(ctx context.Context, inc incident.Incident, at time.Time) (Review, bool, error) {
	pol := s.Config.ReviewPolicy()
	if !pol.Reviewed(inc.Severity) {
		return Review{}, false, nil
	}
	at = at.UTC()
	r := Review{ID: inc.ID, Title: inc.Title, Class: inc.Class, Severity: inc.Severity, Owner: inc.Team, Status: Open,
		OpenedAt: at, Due: at.Add(pol.DueWithin)}
	_, r.NextRemind = Schedule(s.Config).Plan(r.Due, at, at)
	got, created, err := s.Store.OpenReview(ctx, r)
	if err != nil {
		return Review{}, false, fmt.Errorf("open review of %s: %w", inc.ID, err)
	}
	if got.OpenedAt.Equal(at) { // this resolution opened it (now or on an earlier delivery)
		if err := s.Store.AddEntries(ctx, incident.Entry{Incident: inc.ID, At: at.Add(10), Kind: incident.KindReviewOpened, Actor: "firebreak",
			Key: "review:opened", Detail: fmt.Sprintf("Post-incident review opened: owner %s, due %s.", got.Owner, stamp(got.Due)),
			Data: map[string]string{"owner": got.Owner, "due": got.Due.Format(time.RFC3339)}}); err != nil {
			return got, created, err
		}
		if err := s.fileGap(ctx, inc, got, at); err != nil {
			return got, created, err
		}
	}
	return got, created, nil
}

// fileGap files the runbook gap of the record as an action, once.
func (s *Service) fileGap(ctx context.Context, inc incident.Incident, r Review, at time.Time) error {
	tl, err := s.Store.Timeline(ctx, inc.ID)
	if err != nil {
		return fmt.Errorf("review of %s: %w", inc.ID, err)
	}
	gap := RunbookGap(inc, tl)
	if gap == "" {
		return nil
	}
	a := action.Action{ID: action.ID(r.ID, gap), Title: gap, Owner: r.Owner, Due: r.Due, Status: action.Open,
		LinkKind: action.LinkReview, Link: r.ID, Source: action.SourceRunbookGap, CreatedAt: at, CreatedBy: "firebreak"}
	_, a.NextRemind = Schedule(s.Config).Plan(a.Due, at, at)
	if _, _, err := s.Store.AddAction(ctx, a); err != nil {
		return fmt.Errorf("file runbook gap of %s: %w", inc.ID, err)
	}
	return s.Store.AddEntries(ctx, incident.Entry{Incident: inc.ID, At: at.Add(11), Kind: incident.KindActionFiled, Actor: "firebreak",
		Key: "action:" + a.ID, Detail: fmt.Sprintf("Action %s filed for %s, due %s: %s.", a.ID, a.Owner, stamp(a.Due), gap),
		Data: map[string]string{"action": a.ID, "owner": a.Owner, "source": a.Source}})
}

// Document is the review of an incident, generated from its record.
func (s *Service) Document(ctx context.Context, id string) (Document, error) {
	r, err := s.Store.GetReview(ctx, id)
	if err != nil {
		return Document{}, err
	}
	inc, err := s.Store.Get(ctx, id)
	if err != nil {
		return Document{}, fmt.Errorf("review %s: %w", id, err)
	}
	tl, err := s.Store.Timeline(ctx, id)
	if err != nil {
		return Document{}, fmt.Errorf("review %s: %w", id, err)
	}
	acts, err := s.Store.ActionsOf(ctx, id)
	if err != nil {
		return Document{}, fmt.Errorf("review %s: %w", id, err)
	}
	var policy *config.SeverityPolicy
	if s.Config != nil {
		policy = s.Config.PolicyFor(inc.Severity, inc.Tier)
	}
	return Build(Record{Review: r, Incident: inc, Timeline: tl, Actions: acts, Policy: policy}), nil
}

// MaxEntryText bounds the text of an edit kept on the timeline; a longer one is kept
// in part, with its length.
const MaxEntryText = 1500

// Edit sets a section of a review, and keeps the edit on the incident's timeline.
// Setting a section to the text it has changes nothing (a retried edit), except that
// when it was the review's last edit, by the same person, its entry is written (keyed
// and stamped as it was made): the earlier attempt may have written the review and
// lost the entry.
func (s *Service) Edit(ctx context.Context, id, section, text, by string) (Review, error) {
	if by == "" {
		return Review{}, fmt.Errorf("%w: who is editing is unknown", ErrInvalid)
	}
	return s.update(ctx, id, func(r Review, at time.Time) (Review, *incident.Entry, bool, error) {
		next, err := r.Edit(section, text)
		if err != nil {
			return r, nil, false, err
		}
		if next.Sections[section] == r.Sections[section] {
			if r.EditedBy == by && r.EditedSection == section && !r.EditedAt.IsZero() {
				return r, editEntry(r, section, by, r.EditedAt, r.Version), false, nil
			}
			return r, nil, false, nil
		}
		next.EditedAt, next.EditedBy, next.EditedSection = at, by, section
		return next, editEntry(next, section, by, at, next.Version+1), true, nil
	})
}

// editEntry is the timeline entry of the edit of section that made version ver of r.
func editEntry(r Review, section, by string, at time.Time, ver int) *incident.Entry {
	kept := r.Sections[section]
	detail := fmt.Sprintf("Review section %s edited by %s", section, by)
	if kept == "" {
		detail = fmt.Sprintf("Review section %s cleared by %s", section, by)
	}
	if len(kept) > MaxEntryText {
		kept = kept[:MaxEntryText] + fmt.Sprintf("… (%d bytes in all)", len(r.Sections[section]))
	}
	return &incident.Entry{Incident: r.ID, At: at, Kind: incident.KindReviewEdited, Actor: by, Detail: detail,
		Key: fmt.Sprintf("review:edit:%d", ver), Data: map[string]string{"section": section, "text": kept}}
}

// Complete marks a review complete. Its actions must be filed: with none, noActions
// must say so. Completing it again the same way is a no-op (a retried request).
func (s *Service) Complete(ctx context.Context, id, by string, noActions bool) (Review, error) {
	if by == "" {
		return Review{}, fmt.Errorf("%w: who is completing it is unknown", ErrInvalid)
	}
	acts, err := s.Store.ActionsOf(ctx, id)
	if err != nil {
		return Review{}, fmt.Errorf("review %s: %w", id, err)
	}
	return s.update(ctx, id, func(r Review, at time.Time) (Review, *incident.Entry, bool, error) {
		if r.Status == Complete && r.CompletedBy == by && r.NoActions == noActions {
			// Done: its entry is written again (keyed, stamped at the completion), in
			// case the attempt that completed it lost it.
			return r, completedEntry(r, len(acts)), false, nil
		}
		next, err := r.Complete(len(acts), noActions, by, at)
		if err != nil {
			return r, nil, false, err
		}
		return next, completedEntry(next, len(acts)), true, nil
	})
}

// completedEntry is the timeline entry of r's completion, with acts actions filed.
func completedEntry(r Review, acts int) *incident.Entry {
	detail := fmt.Sprintf("Review completed by %s with %d action(s) filed", r.CompletedBy, acts)
	if r.NoActions {
		detail = fmt.Sprintf("Review completed by %s: no action needed", r.CompletedBy)
	}
	if r.CompletedAt.After(r.Due) {
		detail += fmt.Sprintf(", %s after it was due", short(r.CompletedAt.Sub(r.Due)))
	}
	return &incident.Entry{Incident: r.ID, At: r.CompletedAt, Kind: incident.KindReviewCompleted, Actor: r.CompletedBy, Detail: detail + ".",
		Key: "review:completed", Data: map[string]string{"actions": fmt.Sprint(acts), "late": fmt.Sprint(r.CompletedAt.After(r.Due))}}
}

// update applies change to the review with an optimistic write, trying again when
// another writer changed it meanwhile, then records the entry change returned; a
// change that leaves the review as it is (changed false) records its entry alone.
func (s *Service) update(ctx context.Context, id string, change func(r Review, at time.Time) (next Review, entry *incident.Entry, changed bool, err error)) (Review, error) {
	if strings.TrimSpace(id) == "" {
		return Review{}, fmt.Errorf("%w: review id is required", ErrInvalid)
	}
	for range 5 {
		r, err := s.Store.GetReview(ctx, id)
		if err != nil {
			return Review{}, err
		}
		at := s.now()
		next, entry, changed, err := change(r, at)
		if err != nil || entry == nil {
			return next, err
		}
		if !changed {
			return next, s.Store.AddEntries(ctx, *entry)
		}
		ok, err := s.Store.UpdateReview(ctx, next)
		if err != nil {
			return Review{}, err
		}
		if !ok {
			continue
		}
		next.Version++
		return next, s.Store.AddEntries(ctx, *entry)
	}
	return Review{}, fmt.Errorf("%w: review %s keeps changing under this request; try again", ErrConflict, id)
}
