// Package metrics writes CloudWatch Embedded Metric Format (EMF) records: one JSON line
// per record on a Lambda's standard output becomes CloudWatch metrics, with no API call.
package metrics

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
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
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Strings(names)
	defs := make([]map[string]string, len(names))
	rec := map[string]any{}
	for i, n := range names {
		defs[i] = map[string]string{"Name": n, "Unit": "Count"}
		rec[n] = counts[n]
	}
	dimNames := make([]string, 0, len(dims))
	for k, v := range dims {
		dimNames = append(dimNames, k)
		rec[k] = v
	}
	sort.Strings(dimNames)
	rec["_aws"] = map[string]any{
		"Timestamp": at.UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Namespace": Namespace, "Dimensions": [][]string{dimNames}, "Metrics": defs,
		}},
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode metrics: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	_, err = m.w.Write(append(b, '\n'))
	return err
}
