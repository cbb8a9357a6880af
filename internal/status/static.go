package status

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// WriteSite writes the status pages as they stand to dir as static files:
// dir/index.html (the board) and dir/incidents/<id>.html for every incident the board
// shows. The pages hold their stylesheet, so the folder can be opened in a browser as
// it is. It returns the path of index.html.
func (p *Page) WriteSite(ctx context.Context, dir string) (string, error) {
	sp := *p
	sp.Static = true
	v, err := sp.board(ctx, store.Filter{}, "", true)
	if err != nil {
		return "", fmt.Errorf("status site: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "incidents"), 0o755); err != nil {
		return "", fmt.Errorf("status site: %w", err)
	}
	var ids []string
	var collect func(items []item)
	collect = func(items []item) {
		for _, it := range items {
			ids = append(ids, it.ID)
			collect(it.Children)
		}
	}
	for _, g := range v.Groups {
		collect(g.Items)
	}
	collect(v.Resolved)
	for _, id := range ids {
		if strings.ContainsAny(id, `/\`) || id == "." || id == ".." {
			return "", fmt.Errorf("status site: incident id %q cannot name a file", id)
		}
		r := sp.Render(ctx, Request{Path: "incidents/" + id})
		if r.Status != 200 {
			return "", fmt.Errorf("status site: incident %s: page status %d", id, r.Status)
		}
		if err := os.WriteFile(filepath.Join(dir, "incidents", id+".html"), r.Body, 0o644); err != nil {
			return "", fmt.Errorf("status site: %w", err)
		}
	}
	index, err := sp.execute("board", v)
	if err != nil {
		return "", fmt.Errorf("status site: %w", err)
	}
	path := filepath.Join(dir, "index.html")
	if err := os.WriteFile(path, index, 0o644); err != nil {
		return "", fmt.Errorf("status site: %w", err)
	}
	return path, nil
}
