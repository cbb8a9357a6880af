package api

import (
	"errors"
	"fmt"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// TestBranch: the message a caller sees is the failure of what was asked, never a
// failed release of its claim joined to it.
func TestBranch(t *testing.T) {
	conflict := fmt.Errorf("%w: cannot go from resolved to acknowledged", lifecycle.ErrConflict)
	released := &store.ReleaseError{Incident: "FB-1", Key: "api:ack:k", Err: conflict, Release: errors.New("table unavailable")}
	tests := []struct {
		name string
		err  error
		kind error
		want string // "" for no branch
	}{
		{"the error itself", conflict, lifecycle.ErrConflict, conflict.Error()},
		{"past a failed release", released, lifecycle.ErrConflict, conflict.Error()},
		{"past a wrapped failed release", fmt.Errorf("note: %w", released), lifecycle.ErrConflict, conflict.Error()},
		{"another kind", released, lifecycle.ErrInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if b := branch(tt.err, tt.kind); b != nil {
				got = b.Error()
			}
			if got != tt.want {
				t.Errorf("branch(%v) = %q; want %q", tt.err, got, tt.want)
			}
		})
	}
}
