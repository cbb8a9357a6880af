package lambdaenv

import (
	"reflect"
	"testing"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/classify"
)

// TestLoadDerives: Load builds the compiled configuration's values and compiles the
// schedules, unless the function resolves no on-call (WithoutSchedules); it parses no
// title template in either case (internal/classify compiles titles from their text).
func TestLoadDerives(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      []Option
		schedules bool
	}{
		{"default", nil, true},
		{"without schedules", []Option{WithoutSchedules()}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, err := Load(vars(nil), nil, tc.opts...)
			if err != nil {
				t.Fatalf("Load = %v", err)
			}
			cfg := env.Config
			if len(cfg.Schedules) == 0 || len(cfg.Taxonomy) == 0 {
				t.Fatalf("compiled configuration has %d schedules, %d classes; want firebreak.yaml's (some of each)", len(cfg.Schedules), len(cfg.Taxonomy))
			}
			for name, s := range cfg.Schedules {
				for i, l := range s.Layers {
					// The compiled plan is oncall's unexported cache; reflection reads whether it is set.
					if got := !reflect.ValueOf(l).Elem().FieldByName("plan").IsNil(); got != tc.schedules {
						t.Errorf("schedules.%s.layers[%d] compiled = %v; want %v", name, i, got, tc.schedules)
					}
				}
			}
			for _, cl := range append(cfg.Taxonomy, cfg.Fallback) {
				if cl.TitleT != nil {
					t.Errorf("class %s: TitleT parsed at Load; want it left to classify", cl.Class)
				}
			}
		})
	}
}

// TestPlainTitles: the generated PlainTitles says what classify.Plain says of
// firebreak.yaml, so that intake links the template engine exactly when a title needs it.
func TestPlainTitles(t *testing.T) {
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatalf("firebreak.yaml: %v", err)
	}
	if got, want := PlainTitles, classify.Plain(cfg); got != want {
		t.Errorf("PlainTitles = %v; want classify.Plain(firebreak.yaml) = %v: run `go generate ./internal/lambdaenv`", got, want)
	}
}
