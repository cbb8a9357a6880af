package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/replay"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// writeReviews writes, beside the status page, the post-incident review of every sev1
// incident the replay resolved (reviews open on resolution at reviews.severity and
// above), one Markdown file each under dir/reviews, and says where the first is. A
// replay whose configuration has no reviews writes none.
func writeReviews(ctx context.Context, w io.Writer, res *replay.Result, dir string) error {
	if res.Local == nil || res.Local.Reviews == nil {
		return nil
	}
	incs, err := res.Store.List(ctx, store.Filter{Severities: []incident.Severity{incident.Sev1}})
	if err != nil {
		return fmt.Errorf("reviews: %w", err)
	}
	sort.Slice(incs, func(i, j int) bool { return incs[i].ID < incs[j].ID })
	var written []string
	for _, inc := range incs {
		doc, err := res.Local.Reviews.Document(ctx, inc.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue // not resolved, or below the reviews' severity
		}
		if err != nil {
			return err
		}
		if len(written) == 0 {
			if err := os.MkdirAll(filepath.Join(dir, "reviews"), 0o755); err != nil {
				return fmt.Errorf("reviews: %w", err)
			}
		}
		path := filepath.Join(dir, "reviews", inc.ID+".md")
		if err := os.WriteFile(path, []byte(doc.Markdown()), 0o644); err != nil {
			return fmt.Errorf("review of %s: %w", inc.ID, err)
		}
		written = append(written, path)
	}
	if len(written) > 0 {
		fmt.Fprintf(w, "Reviews of %d resolved sev1 incidents (Markdown, from their record): open %s\n", len(written), written[0])
	}
	return nil
}
