package metrics

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Units of Value.
const (
	Milliseconds = "Milliseconds"
	Count        = "Count"
)

// Value is one metric of a record with its unit.
type Value struct {
	Name  string
	Unit  string // Milliseconds or Count
	Value float64
}

// EmitValues writes one record with values of any unit, with the dimensions. A name
// given twice is an error (one record holds one value per metric).
func (m *Writer) EmitValues(at time.Time, dims map[string]string, values []Value) error {
	if m == nil || m.w == nil || len(values) == 0 {
		return nil
	}
	rec := map[string]any{}
	defs := make([]map[string]string, 0, len(values))
	for _, v := range values {
		if _, dup := rec[v.Name]; dup {
			return fmt.Errorf("encode metrics: %s given twice", v.Name)
		}
		unit := v.Unit
		if unit == "" {
			unit = Count
		}
		defs = append(defs, map[string]string{"Name": v.Name, "Unit": unit})
		rec[v.Name] = v.Value
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i]["Name"] < defs[j]["Name"] })
	dimNames := make([]string, 0, len(dims))
	for k, v := range dims {
		if _, clash := rec[k]; clash {
			return fmt.Errorf("encode metrics: dimension %s is also a metric", k)
		}
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
