package oncall_test

import (
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/oncall"
)

// BenchmarkAtTenYearsVsOneWeek asks who is on call one week after a rotation started
// (the baseline) and ten years after, interleaved in one loop: the ratio shows the cost
// does not grow with the rotation's history (no walk from the start).
func BenchmarkAtTenYearsVsOneWeek(b *testing.B) {
	s := &oncall.Schedule{Layers: []*oncall.Layer{
		{Name: "base", Members: []string{"a", "b", "c", "d"}, Every: "week", HandOff: "09:00", TimeZone: "Europe/Berlin", Start: "2026-01-05"},
		{Name: "hours", Members: []string{"e", "f"}, Every: "day", HandOff: "09:00", TimeZone: "America/New_York", Start: "2026-01-05",
			Restrictions: []oncall.Restriction{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, From: "09:00", To: "17:00"}}},
	}}
	if probs := s.Compile(nil); len(probs) > 0 {
		b.Fatal(probs)
	}
	var overrides []oncall.Override
	near, far := ts("2026-01-14T15:00:00Z"), ts("2036-01-16T15:00:00Z")
	var base, work time.Duration
	n := 0
	for b.Loop() {
		t := time.Now()
		if _, err := oncall.At("s", s, overrides, near); err != nil {
			b.Fatal(err)
		}
		base += time.Since(t)
		t = time.Now()
		if _, err := oncall.At("s", s, overrides, far); err != nil {
			b.Fatal(err)
		}
		work += time.Since(t)
		n++
	}
	b.ReportMetric(float64(base.Nanoseconds())/float64(n), "one-week-ns/op")
	b.ReportMetric(float64(work.Nanoseconds())/float64(n), "ten-years-ns/op")
	b.ReportMetric(float64(work)/float64(base), "x-one-week")
}
