package classify

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/firebreak-ops/firebreak"
	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/pattern"
)

// TestBySourceMatchesAsTheWholeTaxonomy: the lowest class bySource reports for an event
// (through its source's automaton, compiled on first use) is the lowest the whole
// taxonomy's automaton reports, for every catalog sample and for events whose source
// is unknown to the taxonomy, missing or not a string.
func TestBySourceMatchesAsTheWholeTaxonomy(t *testing.T) {
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	ps := make([]json.RawMessage, len(cfg.Taxonomy))
	for i, c := range cfg.Taxonomy {
		ps[i] = c.Pattern
	}
	whole, err := pattern.Compile(ps)
	if err != nil {
		t.Fatal(err)
	}
	by, err := newBySource(ps)
	if err != nil {
		t.Fatal(err)
	}
	if len(by.matchers) != 0 {
		t.Errorf("newBySource compiled %d automata; want none before the first event", len(by.matchers))
	}
	type doc struct {
		name string
		doc  map[string]any
		more []pattern.Member
	}
	var docs []doc
	samples, err := catalog.Samples()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		raw, err := catalog.ReadSample(s.File)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := event.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			var v view
			v.fill(&e)
			docs = append(docs, doc{s.File, e.Doc, append([]pattern.Member(nil), v.top[:]...)})
			// The same event from a source no class names, and with its source missing or
			// not a string: only classes that do not pin the source may match.
			for _, src := range []any{"firebreak.test", nil, []any{"aws.ec2"}} {
				d := map[string]any{}
				for k, x := range e.Doc {
					d[k] = x
				}
				if src == nil {
					delete(d, "source")
				} else {
					d["source"] = src
				}
				docs = append(docs, doc{s.File + " source=" + jsonText(src), d, append([]pattern.Member(nil), v.top[:]...)})
			}
		}
	}
	matched := 0
	for _, d := range docs {
		want, err := whole.FirstDecoded(d.doc, d.more...)
		if err != nil {
			t.Fatal(err)
		}
		got, err := by.first(d.doc, d.more...)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("bySource.first(%s) = class %d; want %d, as the whole taxonomy matches", d.name, got, want)
		}
		if got >= 0 {
			matched++
		}
	}
	if matched < len(samples)/2 {
		t.Errorf("only %d of %d documents matched a class; want most samples to", matched, len(docs))
	}
	seen := map[string]bool{}
	for _, d := range docs {
		key, ok := d.doc["source"].(string)
		if !ok {
			key = allKey
		}
		seen[key] = true
	}
	if len(by.matchers) != len(seen) {
		t.Errorf("bySource compiled %d automata; want one per source seen (%d)", len(by.matchers), len(seen))
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestBySourceConcurrentFirstEvents: goroutines classifying events of many sources at
// once, each source's automaton compiled by whichever comes first, all get the answer of
// one goroutine alone (run with -race, as make test does).
func TestBySourceConcurrentFirstEvents(t *testing.T) {
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	samples, err := catalog.Samples()
	if err != nil {
		t.Fatal(err)
	}
	var evs []event.Event
	for _, s := range samples {
		raw, err := catalog.ReadSample(s.File)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := event.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, parsed...)
	}
	alone, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]string, len(evs))
	for i, e := range evs {
		r, err := alone.Classify(e)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = r.Class
	}
	shared, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const workers = 8
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for k := range evs {
				i := (k + w*len(evs)/workers) % len(evs) // each worker starts at another source
				r, err := shared.Classify(evs[i])
				if err == nil && r.Class != want[i] {
					err = fmt.Errorf("Classify(%s) = %q; want %q", evs[i].ID, r.Class, want[i])
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
