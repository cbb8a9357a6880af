package store

import (
	"context"
	"fmt"
	"hash/maphash"
	"slices"
	"time"
)

// The memory store's claims of actions and approvals of runbook steps.

// Claim reserves the action key of an incident for owner; see Dynamo.Claim.
func (m *Memory) Claim(_ context.Context, id, key, owner string, lease time.Duration) (ClaimState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.settle()
	h := m.claimHash(id, key)
	if _, ok := m.finished[h]; ok {
		return Finished, nil
	}
	if m.known(id) {
		if _, err := m.hot(id); err != nil { // its finished actions come back with it
			return Held, err
		}
		if slices.Contains(m.doneOf[id], h) {
			return Finished, nil
		}
	}
	k := id + "\x00" + key
	c, ok := m.claims[k]
	now := m.now()
	if ok && now.Before(c.until) && c.owner != owner {
		return Held, nil
	}
	m.claims[k] = claim{owner: owner, until: now.Add(lease)}
	return Claimed, nil
}

// Done marks a claimed action finished; it is never claimed again.
func (m *Memory) Done(_ context.Context, id, key, _ string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.settle()
	delete(m.claims, id+"\x00"+key)
	h := m.claimHash(id, key)
	if m.known(id) { // an incident's finished actions are kept, and spilled, with it
		inc, err := m.hot(id)
		if err != nil {
			return err
		}
		if !slices.Contains(m.doneOf[inc.ID], h) {
			if m.doneOf == nil {
				m.doneOf = map[string][][2]uint64{}
			}
			m.doneOf[inc.ID] = append(m.doneOf[inc.ID], h)
		}
		return nil
	}
	if m.finished == nil {
		m.finished = map[[2]uint64]struct{}{}
	}
	m.finished[h] = struct{}{}
	return nil
}

// claimHash is a finished action's key in 128 bits (two hashes of independent seeds):
// a replay finishes several actions per incident, and keeps 16 bytes for each instead
// of its id and key; two keys collide with a probability of about n²/2¹²⁹.
func (m *Memory) claimHash(id, key string) [2]uint64 {
	var h [2]uint64
	for i, seed := range [2]maphash.Seed{m.seed, m.claimSeed} {
		var mh maphash.Hash
		mh.SetSeed(seed)
		mh.WriteString(id)
		mh.WriteByte(0)
		mh.WriteString(key)
		h[i] = mh.Sum64()
	}
	return h
}

// Release gives up owner's unfinished claim so that a retry can take it at once.
func (m *Memory) Release(_ context.Context, id, key, owner string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := id + "\x00" + key
	if c, ok := m.claims[k]; ok && c.owner == owner {
		delete(m.claims, k)
	}
	return nil
}

// PutApproval records a pending approval; recording the same key again changes nothing.
func (m *Memory) PutApproval(_ context.Context, a Approval) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.known(a.Incident) {
		return fmt.Errorf("approval %s: incident %s: %w", a.Key, a.Incident, ErrNotFound)
	}
	if m.approvals[a.Incident] == nil {
		m.approvals[a.Incident] = map[string]Approval{}
	}
	if _, ok := m.approvals[a.Incident][a.Key]; !ok {
		a.Decision, a.By, a.DecidedAt = "", "", time.Time{}
		m.approvals[a.Incident][a.Key] = a
	}
	return nil
}

// Approvals lists an incident's approvals, oldest first.
func (m *Memory) Approvals(_ context.Context, id string) ([]Approval, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Approval
	for _, a := range m.approvals[id] {
		out = append(out, a)
	}
	sortApprovals(out)
	return out, nil
}

// Decide records the decision on a pending approval and returns it with its token;
// ErrDecided if it was decided before, ErrNotFound if there is no such approval.
func (m *Memory) Decide(_ context.Context, id, key, decision, by string, at time.Time) (Approval, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.approvals[id][key]
	if !ok {
		return Approval{}, fmt.Errorf("approval %s of %s: %w", key, id, ErrNotFound)
	}
	if a.Decision != "" {
		return a, fmt.Errorf("approval %s of %s: %w (%s by %s)", key, id, ErrDecided, a.Decision, a.By)
	}
	a.Decision, a.By, a.DecidedAt = decision, by, at.UTC()
	m.approvals[id][key] = a
	return a, nil
}
