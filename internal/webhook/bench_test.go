package webhook_test

import (
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/chat/chattest"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/webhook"
)

// BenchmarkDeliveriesVsPage measures what the relay adds to a page: for every notice
// kind in turn, the page's own rendering (notify.PublishInput: e-mail, SMS, attributes;
// the baseline) and the deliveries of a team with a chat channel and three webhooks
// (chat JSON, webhook body and its id, one signature). Both run interleaved in the same
// loop, so the ratio compares like with like on a shared machine.
func BenchmarkDeliveriesVsPage(b *testing.B) {
	cfg := chatConfig()
	var notices []notify.Notice
	for _, n := range chattest.Cases() {
		notices = append(notices, n)
	}
	key := []byte(key)
	var base, work time.Duration
	n := 0
	for b.Loop() {
		for _, nt := range notices {
			t := time.Now()
			if _, err := notify.PublishInput(teamTopic, nt); err != nil {
				b.Fatal(err)
			}
			base += time.Since(t)

			t = time.Now()
			ds, err := webhook.Deliveries(cfg, "security", nt)
			if err != nil || len(ds) == 0 {
				b.Fatal(err)
			}
			webhook.Sign(key, chattest.T0, ds[len(ds)-1].Body)
			work += time.Since(t)
			n++
		}
	}
	b.ReportMetric(float64(base.Nanoseconds())/float64(n), "page-ns/notice")
	b.ReportMetric(float64(work.Nanoseconds())/float64(n), "deliveries-ns/notice")
	b.ReportMetric(float64(work)/float64(base), "x-page")
}
