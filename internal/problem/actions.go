package problem

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
)

// A problem with open actions stays visibly open: its tracked actions are shown with it
// (problems show, problems list) and resolving it is refused while any is open. Closing
// an action as won't do, with a reason, is always possible, so the refusal never traps
// a problem; it makes leaving work behind a decision someone writes down.

// ErrOpenActions is matched by a resolution refused because the problem's tracked
// actions are still open.
var ErrOpenActions = errors.New("actions still open")

// ActionLister lists tracked actions by what they are linked to (store.Actions): one
// query of the link's partition.
type ActionLister interface {
	ActionsOf(ctx context.Context, link string) ([]action.Action, error)
}

// ActionsOf are the tracked actions of p: those filed linked to it (action link kind
// problem) and those filed elsewhere and recorded on it by id (problems note --action),
// ordered by due time then id. A recorded id that names no filed action is left out (p's
// Actions still lists it). The cost is one query for p and one per other link its
// recorded ids name: bounded by p's own actions, never by history.
func ActionsOf(ctx context.Context, st ActionLister, p Problem) ([]action.Action, error) {
	out, err := st.ActionsOf(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("actions of problem %s: %w", p.ID, err)
	}
	seen := map[string]bool{}
	for _, a := range out {
		seen[a.ID] = true
	}
	wanted := map[string][]string{} // link → recorded ids not yet found
	var links []string
	for _, id := range p.Actions {
		if seen[id] {
			continue
		}
		link, err := action.LinkOf(id)
		if err != nil || link == p.ID {
			continue // not an action id, or one of p's own that was never filed
		}
		if wanted[link] == nil {
			links = append(links, link)
		}
		wanted[link] = append(wanted[link], id)
	}
	for _, link := range links {
		list, err := st.ActionsOf(ctx, link)
		if err != nil {
			return nil, fmt.Errorf("actions of problem %s: actions of %s: %w", p.ID, link, err)
		}
		for _, a := range list {
			if slices.Contains(wanted[link], a.ID) && !seen[a.ID] {
				seen[a.ID] = true
				out = append(out, a)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Due.Equal(out[j].Due) {
			return out[i].Due.Before(out[j].Due)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// openActionsErr is the refusal to resolve problem id while acts are open (nil: none
// open), naming each with its owner and due time.
func openActionsErr(id string, acts []action.Action, now time.Time) error {
	var open []string
	for _, a := range acts {
		if a.Status != action.Open {
			continue
		}
		due := "due " + a.Due.UTC().Format("2006-01-02 15:04")
		if a.Overdue(now) {
			due = "overdue since " + a.Due.UTC().Format("2006-01-02 15:04")
		}
		open = append(open, fmt.Sprintf("%s (%s, %s: %s)", a.ID, a.Owner, due, a.Title))
	}
	if len(open) == 0 {
		return nil
	}
	return fmt.Errorf("%w: problem %s cannot be resolved while %d of its actions are open: %s; close each as done, or as won't do with a reason, first",
		ErrOpenActions, id, len(open), strings.Join(open, ", "))
}
