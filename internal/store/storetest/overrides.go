package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/oncall"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// runOverrides: stored on-call overrides are found by the time they cover, are stored
// once however often a create is retried, and are removed by id.
func runOverrides(t *testing.T, f Factory) {
	ctx := context.Background()
	h := func(hours int) time.Time { return t0.Add(time.Duration(hours) * time.Hour) }
	ids := func(os []oncall.Override) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.Contact)
		}
		return out
	}

	t.Run("OverridesByTime", func(t *testing.T) {
		st := f(t)
		put := []oncall.Override{
			{Schedule: "primary", Contact: "past", Start: h(-48), End: h(-24)},
			{Schedule: "primary", Contact: "now", Start: h(-1), End: h(2), Reason: "swap"},
			{Schedule: "primary", Contact: "later", Start: h(24), End: h(30), Layer: "weekly"},
			{Schedule: "other", Contact: "elsewhere", Start: h(-1), End: h(2)},
		}
		for _, o := range put {
			if _, err := st.PutOverride(ctx, o); err != nil {
				t.Fatalf("PutOverride(%s) = %v", o.Contact, err)
			}
		}
		for _, tc := range []struct {
			name     string
			from, to time.Time
			want     []string
		}{
			{"now", h(0), h(1), []string{"now"}},
			{"a week", h(0), h(24 * 7), []string{"now", "later"}},
			{"ends exactly at from", h(2), h(3), nil},
			{"starts exactly at to", h(20), h(24), nil},
			{"the past", h(-30), h(-25), []string{"past"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := st.Overrides(ctx, "primary", tc.from, tc.to)
				if err != nil || !slices.Equal(ids(got), tc.want) {
					t.Errorf("Overrides(primary, %s, %s) = %v, %v; want %v", tc.from, tc.to, ids(got), err, tc.want)
				}
			})
		}
		got, _ := st.Overrides(ctx, "primary", h(20), h(30))
		if len(got) != 1 || got[0].Layer != "weekly" || !got[0].Start.Equal(h(24)) || got[0].ID == "" {
			t.Errorf("Overrides(primary, later) = %+v; want the later override with its layer, start and id", got)
		}
	})

	t.Run("RetriedPutStoresOnce", func(t *testing.T) {
		st := f(t)
		o := oncall.Override{Schedule: "primary", Contact: "bob", Start: h(1), End: h(5)}
		a, err := st.PutOverride(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		b, err := st.PutOverride(ctx, o)
		if err != nil || a.ID != b.ID || a.ID != store.OverrideID(a) {
			t.Errorf("PutOverride twice = %q, %q (%v); want the same id %q", a.ID, b.ID, err, store.OverrideID(a))
		}
		if got, _ := st.Overrides(ctx, "primary", h(0), h(10)); len(got) != 1 {
			t.Errorf("Overrides after a retried put = %d; want 1", len(got))
		}
	})

	t.Run("Remove", func(t *testing.T) {
		st := f(t)
		o, err := st.PutOverride(ctx, oncall.Override{Schedule: "primary", Contact: "bob", Start: h(1), End: h(5)})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.RemoveOverride(ctx, "other", o.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RemoveOverride(other schedule) = %v; want ErrNotFound", err)
		}
		if err := st.RemoveOverride(ctx, "primary", o.ID); err != nil {
			t.Fatalf("RemoveOverride = %v", err)
		}
		if got, _ := st.Overrides(ctx, "primary", h(0), h(10)); len(got) != 0 {
			t.Errorf("Overrides after remove = %v; want none", ids(got))
		}
		if err := st.RemoveOverride(ctx, "primary", o.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RemoveOverride again = %v; want ErrNotFound", err)
		}
		if err := st.RemoveOverride(ctx, "primary", "nonsense"); !errors.Is(err, store.ErrBadOverride) {
			t.Errorf("RemoveOverride(nonsense) = %v; want ErrBadOverride", err)
		}
	})

	t.Run("BadOverrides", func(t *testing.T) {
		st := f(t)
		for _, tc := range []struct {
			name string
			o    oncall.Override
		}{
			{"no schedule", oncall.Override{Contact: "bob", Start: h(1), End: h(2)}},
			{"no contact", oncall.Override{Schedule: "primary", Start: h(1), End: h(2)}},
			{"no end", oncall.Override{Schedule: "primary", Contact: "bob", Start: h(1)}},
			{"end before start", oncall.Override{Schedule: "primary", Contact: "bob", Start: h(2), End: h(1)}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := st.PutOverride(ctx, tc.o); !errors.Is(err, store.ErrBadOverride) {
					t.Errorf("PutOverride(%+v) = %v; want ErrBadOverride", tc.o, err)
				}
			})
		}
	})
}
