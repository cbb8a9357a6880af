package classify_test

import (
	"encoding/json"
	"testing"
	"time"

	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/event"
)

// BenchmarkClassifyVsUnmarshal measures, for every catalog sample in turn, a plain
// json.Unmarshal of the event (the baseline) and Firebreak's whole per-event work:
// parse the envelope and detail, normalise, match the taxonomy, render the title and
// fingerprint. Both run interleaved in the same loop, so the ratio compares like with
// like on a shared machine.
func BenchmarkClassifyVsUnmarshal(b *testing.B) {
	c := newClassifier(b, defaultConfig(b))
	samples, err := catalog.Samples()
	if err != nil {
		b.Fatal(err)
	}
	raws := make([][]byte, len(samples))
	for i, s := range samples {
		if raws[i], err = catalog.ReadSample(s.File); err != nil {
			b.Fatal(err)
		}
	}
	var base, work time.Duration
	n := 0
	for b.Loop() {
		for _, raw := range raws {
			t := time.Now()
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				b.Fatal(err)
			}
			base += time.Since(t)

			t = time.Now()
			evs, err := event.Parse(raw)
			if err != nil {
				b.Fatal(err)
			}
			for _, e := range evs {
				r, err := c.Classify(e)
				if err != nil || r.Fingerprint == "" {
					b.Fatal(err)
				}
			}
			work += time.Since(t)
			n++
		}
	}
	b.ReportMetric(float64(base.Nanoseconds())/float64(n), "unmarshal-ns/event")
	b.ReportMetric(float64(work.Nanoseconds())/float64(n), "classify-ns/event")
	b.ReportMetric(float64(work)/float64(base), "x-unmarshal")
}
