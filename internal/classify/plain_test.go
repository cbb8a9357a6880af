package classify_test

import (
	"reflect"
	"strings"
	"testing"

	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event"
)

// TestNewPlainAsNew: with the default configuration (plain titles, no templates parsed,
// as compiled into the Lambdas), NewPlain's classifier says of every sample what New's
// says of it with the configuration as parsed.
func TestNewPlainAsNew(t *testing.T) {
	parsed := defaultConfig(t)
	if !classify.Plain(parsed) {
		t.Fatalf("Plain(firebreak.yaml) = false; want every default title plain")
	}
	bare := defaultConfig(t)
	for _, cl := range append(bare.Taxonomy, bare.Fallback) {
		cl.TitleT = nil // what lambdaenv's compiled configuration holds
	}
	plain, err := classify.NewPlain(bare)
	if err != nil {
		t.Fatalf("NewPlain(firebreak.yaml) = %v", err)
	}
	full := newClassifier(t, parsed)
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
		got, err1 := plain.Classify(evs[0])
		want, err2 := full.Classify(evs[0])
		if err1 != nil || err2 != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("NewPlain: Classify(%q) = %+v, %v; want %+v, %v (New's)", s.File, got, err1, want, err2)
		}
	}
}

// TestPlain: a configuration with a title that needs the template engine is not plain,
// and NewPlain refuses it, naming the class; New renders it.
func TestPlain(t *testing.T) {
	cfg, err := config.Parse("t.yaml", []byte(strings.Replace(string(minimalConfig), `title: "{{.Resource}} down"`, `title: "{{if .Resource}}{{.Resource}} down{{end}}"`, 1)))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	if classify.Plain(cfg) {
		t.Errorf("Plain(a title with {{if}}) = true; want false")
	}
	if _, err := classify.NewPlain(cfg); err == nil || !strings.Contains(err.Error(), "class ops.down: title") {
		t.Errorf("NewPlain(a title with {{if}}) = %v; want an error naming class ops.down's title", err)
	}
	c, err := classify.New(cfg)
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	got, err := c.Classify(event.Event{ID: "e1", Source: "app.ops", Resource: "db-1", Raw: []byte(`{"source":"app.ops"}`)})
	if err != nil || got.Title != "db-1 down" {
		t.Errorf("Classify(db-1).Title = %q, %v; want %q", got.Title, err, "db-1 down")
	}
}

var minimalConfig = []byte(`version: 1
defaults: {team: platform}
teams:
  platform: {email: [oncall@example.com]}
taxonomy:
  - class: ops.down
    match: {"source": ["app.ops"]}
    severity: sev2
    incident: true
    title: "{{.Resource}} down"
fallback:
  class: misc.unclassified
  severity: info
  incident: false
severities:
  sev1: {channels: [email], acknowledge_within: 5m}
  sev2: {channels: [email], acknowledge_within: 15m}
  sev3: {channels: [email], acknowledge_within: 1h}
  sev4: {channels: []}
`)
