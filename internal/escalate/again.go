package escalate

import (
	"context"

	"github.com/firebreak-ops/firebreak/internal/dispatch"
)

// letGo releases a decided opening's hold (idempotent: a repeat finds it released),
// made again where it fails (dispatch.Again).
func letGo(ctx context.Context, hs HoldLister, id string) error {
	_, err := dispatch.Again(ctx, func() (struct{}, error) { return struct{}{}, hs.LetGo(ctx, id) })
	return err
}
