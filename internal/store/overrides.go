package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/oncall"
)

// Overrides keeps on-call overrides made through the API: a contact takes over a
// schedule (or one of its layers) from a start to an end. Items live in the schedule's
// partition sorted by their end (OVR#<schedule>, <id> where the id begins with the end
// time), so "who is on call from T" reads only the overrides that end after T: never a
// scan, never the schedule's history.
type Overrides interface {
	// PutOverride stores o under its id (OverrideID: made from its content, so a retried
	// create stores the same item once) and returns it with the id set.
	PutOverride(ctx context.Context, o oncall.Override) (oncall.Override, error)
	// Overrides returns the schedule's stored overrides that end after from and start
	// before to, by end time.
	Overrides(ctx context.Context, schedule string, from, to time.Time) ([]oncall.Override, error)
	// RemoveOverride deletes an override by id; ErrNotFound when there is none.
	RemoveOverride(ctx context.Context, schedule, id string) error
}

// overrideIDTime is the layout of the end time an override id begins with: sortable,
// whole seconds, UTC.
const overrideIDTime = "20060102T150405Z"

// ErrBadOverride is matched by every reason an override cannot be stored.
var ErrBadOverride = errors.New("invalid override")

// OverrideID is the id of a stored override: its end time (overrideIDTime), a dash and
// eight hex digits of a hash of what it says. The same override always gets the same id.
func OverrideID(o oncall.Override) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{o.Schedule, o.Layer, o.Contact,
		o.Start.UTC().Format(time.RFC3339), o.End.UTC().Format(time.RFC3339), o.Reason}, "\x00")))
	return o.End.UTC().Format(overrideIDTime) + "-" + hex.EncodeToString(sum[:4])
}

// checkOverride normalises an override for storing (times in UTC, whole seconds) and
// says what is wrong with it.
func checkOverride(o oncall.Override) (oncall.Override, error) {
	o.Start, o.End = o.Start.UTC().Truncate(time.Second), o.End.UTC().Truncate(time.Second)
	var missing []string
	if o.Schedule == "" {
		missing = append(missing, "schedule")
	}
	if o.Contact == "" {
		missing = append(missing, "contact")
	}
	if o.Start.IsZero() {
		missing = append(missing, "start")
	}
	if o.End.IsZero() {
		missing = append(missing, "end")
	}
	if len(missing) > 0 {
		return o, fmt.Errorf("%w: missing %s", ErrBadOverride, strings.Join(missing, ", "))
	}
	if !o.End.After(o.Start) {
		return o, fmt.Errorf("%w: end %s is not after start %s", ErrBadOverride, o.End.Format(time.RFC3339), o.Start.Format(time.RFC3339))
	}
	o.ID = OverrideID(o)
	return o, nil
}

// checkOverrideID says whether id has the form OverrideID makes.
func checkOverrideID(id string) error {
	stamp, hash, ok := strings.Cut(id, "-")
	if _, err := time.Parse(overrideIDTime, stamp); !ok || err != nil || len(hash) != 8 {
		return fmt.Errorf("%w: %q is not an override id like 20261202T140000Z-3fa9c2d1", ErrBadOverride, id)
	}
	if _, err := hex.DecodeString(hash); err != nil {
		return fmt.Errorf("%w: %q is not an override id like 20261202T140000Z-3fa9c2d1", ErrBadOverride, id)
	}
	return nil
}

// overrideTTL is how long a stored override is kept after it ends.
const overrideTTL = 7 * 24 * time.Hour
