package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/replay"
	"github.com/firebreak-ops/firebreak/internal/status"
	"github.com/firebreak-ops/firebreak/internal/webhook"
)

// writeReplayFiles writes what `replay --outbox DIR --status-page DIR` asks for and says
// where (on stderr under --json, whose stdout is one JSON object).
func writeReplayFiles(ctx context.Context, env Env, res *replay.Result, outbox, statusDir string, asJSON bool) error {
	w := env.Stdout
	if asJSON {
		w = env.Stderr
	}
	if outbox != "" {
		page, err := notify.WriteOutboxWith(outbox, res.Notifications, webhook.OutboxFiles(res.Deliveries))
		if err != nil {
			return err
		}
		also := ""
		if len(res.Deliveries) > 0 {
			also = fmt.Sprintf(" and %d chat and webhook messages", len(res.Deliveries))
		}
		fmt.Fprintf(w, "Outbox: %d messages (e-mail, SMS and JSON files)%s in %s; open %s\n", len(res.Notifications), also, outbox, page)
	}
	if statusDir != "" {
		p := &status.Page{Store: res.Store, Now: res.Local.Clock.Now}
		if outbox != "" { // the board links the outbox: one file to open
			if rel, err := filepath.Rel(statusDir, filepath.Join(outbox, notify.OutboxIndexHTML)); err == nil {
				p.Outbox = filepath.ToSlash(rel)
			}
		}
		index, err := p.WriteSite(ctx, statusDir)
		if err != nil {
			return err
		}
		also := ""
		if p.Outbox != "" {
			also = " (it links the outbox)"
		}
		fmt.Fprintf(w, "Status page as of %s: open %s%s\n", res.Local.Clock.Now().UTC().Format("2006-01-02 15:04Z"), index, also)
		if err := writeReviews(ctx, w, res, statusDir); err != nil {
			return err
		}
	}
	return nil
}
