package classify_test

import (
	"bytes"
	"testing"
	"time"

	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/event"
)

// BenchmarkClassifyAccounts measures what the account directory adds to classifying an
// event: every catalog sample, raised in the samples' own account (listed, standard
// tier), in a gold account (raised, re-owned, its own objectives) and in an unlisted
// one, classified by the shipped configuration (the work) and by the same configuration
// without accounts: (the baseline), interleaved in one loop, each first in turn.
func BenchmarkClassifyAccounts(b *testing.B) {
	cfg := defaultConfig(b)
	bare := *cfg
	bare.Accounts, bare.Tiers, bare.UnknownAccounts = nil, nil, ""
	with, without := newClassifier(b, cfg), newClassifier(b, &bare)
	samples, err := catalog.Samples()
	if err != nil {
		b.Fatal(err)
	}
	var evs []event.Event
	for _, s := range samples {
		raw, err := catalog.ReadSample(s.File)
		if err != nil {
			b.Fatal(err)
		}
		for _, account := range []string{"123456789012", "111122223333", "777788889999"} {
			parsed, err := event.Parse(bytes.ReplaceAll(raw, []byte("123456789012"), []byte(account)))
			if err != nil {
				b.Fatal(err)
			}
			evs = append(evs, parsed...)
		}
	}
	var base, work time.Duration
	n := 0
	for b.Loop() {
		for _, e := range evs {
			// Which goes first alternates: the second of a pair finds the event in cache.
			for i := range 2 {
				c, d := without, &base
				if (i+n)%2 == 1 {
					c, d = with, &work
				}
				t := time.Now()
				if _, err := c.Classify(e); err != nil {
					b.Fatal(err)
				}
				*d += time.Since(t)
			}
			n++
		}
	}
	b.ReportMetric(float64(base.Nanoseconds())/float64(n), "bare-ns/event")
	b.ReportMetric(float64(work.Nanoseconds())/float64(n), "directory-ns/event")
	b.ReportMetric(float64(work)/float64(base), "x-bare")
}
