package metrics_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/metrics"
)

func TestEmitEMF(t *testing.T) {
	var b bytes.Buffer
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	if err := metrics.New(&b).Emit(at, map[string]string{"Severity": "sev1"}, map[string]int{"IncidentsOpened": 2, "Zero": 0}); err != nil {
		t.Fatal(err)
	}
	var rec struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
		Severity        string
		IncidentsOpened int
		Zero            int
	}
	if err := json.Unmarshal(b.Bytes(), &rec); err != nil {
		t.Fatalf("EMF line is not JSON: %v: %s", err, b.String())
	}
	m := rec.AWS.CloudWatchMetrics
	if rec.AWS.Timestamp != at.UnixMilli() || len(m) != 1 || m[0].Namespace != "Firebreak" || len(m[0].Dimensions) != 1 ||
		m[0].Dimensions[0][0] != "Severity" || len(m[0].Metrics) != 2 || m[0].Metrics[0].Name != "IncidentsOpened" || m[0].Metrics[0].Unit != "Count" {
		t.Errorf("EMF metadata = %+v", rec.AWS)
	}
	if rec.Severity != "sev1" || rec.IncidentsOpened != 2 || b.Bytes()[b.Len()-1] != '\n' {
		t.Errorf("EMF values = %+v; want the dimension value and the count on one line", rec)
	}
	var none bytes.Buffer
	if err := metrics.New(&none).Emit(at, nil, nil); err != nil || none.Len() != 0 {
		t.Errorf("Emit(no counts) wrote %q, %v; want nothing", none.String(), err)
	}
	var w *metrics.Writer
	if err := w.Emit(at, nil, map[string]int{"X": 1}); err != nil {
		t.Errorf("nil Writer.Emit() = %v; want a no-op", err)
	}
}
