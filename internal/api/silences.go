package api

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/silence"
	"github.com/firebreak-ops/firebreak/internal/store"
)

func view(s silence.Silence, now time.Time) SilenceView {
	v := state(s, now)
	v.Origin = OriginAPI
	if w, ok := s.Window(now); ok {
		v.Next = &w
	}
	return v
}

func state(s silence.Silence, now time.Time) SilenceView {
	state := "active"
	switch {
	case !s.Ends.IsZero() && !now.Before(s.Ends):
		state = "ended"
	case !s.Starts.IsZero() && now.Before(s.Starts):
		state = "pending"
	case !s.Active(now): // a weekly window between its occurrences
		state = "waiting"
	}
	return SilenceView{Silence: s, State: state}
}

// maxSilence is how long an ad hoc silence may last without force: the configuration's
// defaults.max_silence (0: no maximum).
func (h *Handler) maxSilence() time.Duration {
	if h.Lifecycle != nil && h.Lifecycle.Config != nil && h.Lifecycle.Config.Defaults.MaxSilence != nil {
		return h.Lifecycle.Config.Defaults.MaxSilence.Duration
	}
	return config.DefaultMaxSilence
}

// silences is GET /silences: the configuration's planned windows, then those made
// through the API.
func (h *Handler) silences(c *call) (any, error) {
	list, err := h.Store.Silences(c.ctx)
	if err != nil {
		return nil, err
	}
	now := h.now()
	out := make([]SilenceView, 0, len(list))
	if h.Lifecycle != nil && h.Lifecycle.Config != nil {
		for _, s := range h.Lifecycle.Config.Silences {
			v := view(s, now)
			v.Origin = OriginConfig
			out = append(out, v)
		}
	}
	for _, s := range list {
		out = append(out, view(s, now))
	}
	return SilencesResponse{Silences: out}, nil
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// addSilence is POST /silences {matchers, starts, ends | duration, comment}. With an
// Idempotency-Key the id is derived from it and the caller, so a retry stores the same
// silence again instead of a second one.
func (h *Handler) addSilence(c *call) (any, error) {
	var b SilenceRequest
	if err := decode(c.body, &b); err != nil {
		return nil, err
	}
	now := h.now()
	s := silence.Silence{Comment: strings.TrimSpace(b.Comment), CreatedBy: c.actor, CreatedAt: now, Matchers: b.Matchers, Starts: b.Starts.UTC(), Ends: b.Ends.UTC()}
	if b.Starts.IsZero() {
		s.Starts = now
	}
	switch {
	case b.Duration != "" && !b.Ends.IsZero():
		return nil, fail(errBadRequest, "give ends or duration, not both")
	case b.Duration != "":
		d, err := time.ParseDuration(b.Duration)
		if err != nil || d <= 0 {
			return nil, fail(errBadRequest, "duration %q is not a positive duration like 2h or 90m", b.Duration)
		}
		s.Ends = s.Starts.Add(d)
	case b.Ends.IsZero():
		return nil, fail(errBadRequest, "ends or duration: missing (how long should it be quiet?)")
	}
	if len(s.Comment) > maxReason {
		return nil, fail(errBadRequest, "comment: at most %d characters", maxReason)
	}
	if !s.Ends.After(now) {
		return nil, fail(errBadRequest, "ends: %s is already past", s.Ends.Format(time.RFC3339))
	}
	if why := s.NeedsForce(h.maxSilence()); len(why) > 0 {
		if !b.Force {
			return nil, fail(errBadRequest, "silence needs force: %s; say so with force (firebreak incidents silence add --force) if that is what you mean", strings.Join(why, "; and "))
		}
		s.Forced = &silence.Forced{By: c.actor, Reasons: why}
	}
	key := header(c.req, "idempotency-key")
	if key != "" && !keyRe.MatchString(key) {
		return nil, fail(errBadRequest, "Idempotency-Key must be 1 to 128 letters, digits, '.', '_', ':' or '-'")
	}
	id, err := h.silenceID(c.actor, key)
	if err != nil {
		return nil, err
	}
	s.ID = id
	if err := s.Validate(); err != nil {
		return nil, fail(errBadRequest, "silence: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if err := h.do(c.ctx, func(ctx context.Context) error { return h.Store.PutSilence(ctx, s) }); err != nil {
		return nil, err
	}
	if s.Forced != nil {
		h.log().WarnContext(c.ctx, "silence forced", "silence", s.ID, "by", c.actor, "ends", s.Ends, "reasons", strings.Join(s.Forced.Reasons, "; "))
	} else {
		h.log().InfoContext(c.ctx, "silence added", "silence", s.ID, "by", c.actor, "ends", s.Ends)
	}
	return created(SilenceResponse{Silence: view(s, now)}), nil
}

func (h *Handler) silenceID(actor, key string) (string, error) {
	b := make([]byte, 10)
	if key != "" {
		sum := sha256.Sum256([]byte(actor + "\x00" + key))
		copy(b, sum[:])
	} else if _, err := io.ReadFull(h.random(), b); err != nil {
		return "", fmt.Errorf("silence id: %w", err)
	}
	return "sil-" + idEncoding.EncodeToString(b), nil
}

// endSilence is DELETE /silences/{id}: the silence ends now (it is kept, ended, so the
// record of who silenced what stays).
func (h *Handler) endSilence(c *call) (any, error) {
	id := c.param("id")
	list, err := h.Store.Silences(c.ctx)
	if err != nil {
		return nil, err
	}
	now := h.now()
	for _, s := range list {
		if s.ID != id {
			continue
		}
		if !s.Ends.IsZero() && !s.Ends.After(now) {
			return nil, fail(errConflict, "silence %s already ended at %s", id, s.Ends.UTC().Format(time.RFC3339))
		}
		s.Ends = now
		if !s.Starts.IsZero() && !s.Starts.Before(now) {
			s.Starts = now.Add(-time.Second) // it had not begun: it never will
		}
		s.Comment = fmt.Sprintf("%s (ended early by %s)", s.Comment, c.actor)
		if err := h.do(c.ctx, func(ctx context.Context) error {
			if err := h.Store.PutSilence(ctx, s); err != nil {
				return err
			}
			return h.wake(ctx, id, now)
		}); err != nil {
			return nil, err
		}
		h.log().InfoContext(c.ctx, "silence ended", "silence", id, "by", c.actor)
		return SilenceResponse{Silence: view(s, now)}, nil
	}
	return nil, fail(errNotFound, "silence %s not found", id)
}

// dueSetter schedules the escalator's next look at an incident; both stores have it.
type dueSetter interface {
	SetDue(ctx context.Context, id string, due time.Time, version int) (bool, error)
}

var (
	_ dueSetter = (*store.Memory)(nil)
	_ dueSetter = (*store.Dynamo)(nil)
)

// wake makes the active incidents a silence kept quiet due now, so that the escalator
// pages them for the end of the silence at once rather than at its planned end. It reads
// the active incidents only.
func (h *Handler) wake(ctx context.Context, id string, now time.Time) error {
	ds, ok := h.Store.(dueSetter)
	if !ok {
		return nil
	}
	active, err := h.Store.List(ctx, store.Filter{Status: incident.ActiveStatuses})
	if err != nil {
		return fmt.Errorf("end silence %s: find what it silenced: %w", id, err)
	}
	for _, inc := range active {
		if inc.SilencedBy != id || inc.Parent != "" {
			continue
		}
		// Stale (the incident changed meanwhile) means it is due already.
		if _, err := ds.SetDue(ctx, inc.ID, now, inc.Version); err != nil {
			return fmt.Errorf("end silence %s: wake %s: %w", id, inc.ID, err)
		}
	}
	return nil
}
