// Package metrics writes CloudWatch Embedded Metric Format (EMF) records: one JSON line
// per record on a Lambda's standard output becomes CloudWatch metrics, with no API call.
package metrics

import (
	"io"
	"sync"
	"time"
)

// Namespace of every Firebreak metric.
const Namespace = "Firebreak"

// Writer emits EMF records. Safe for concurrent use.
type Writer struct {
	mu sync.Mutex
	w  io.Writer
}

// New writes records to w (os.Stdout in a Lambda).
func New(w io.Writer) *Writer { return &Writer{w: w} }

// Emit writes one record: the counts as metrics, with the dimensions (name → value).
// Zero counts are written too, so dashboards show zeros rather than gaps.
func (m *Writer) Emit(at time.Time, dims map[string]string, counts map[string]int) error {
	if m == nil || m.w == nil || len(counts) == 0 {
		return nil
	}
	values := make([]Value, 0, len(counts))
	for n, c := range counts {
		values = append(values, Value{Name: n, Unit: Count, Value: float64(c)})
	}
	return m.EmitValues(at, dims, values)
}
