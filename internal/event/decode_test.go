package event

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	catalog "github.com/firebreak-ops/firebreak/events"
)

// agreeDecode asserts that decodeObject makes of b what json.Unmarshal into any makes,
// or declines (ok false) where encoding/json fails or does not make an object.
func agreeDecode(t *testing.T, b []byte) {
	t.Helper()
	got, ok := decodeObject(b)
	var want any
	err := json.Unmarshal(b, &want)
	if !ok {
		if _, isObj := want.(map[string]any); err == nil && isObj && len(b) < 1<<16 {
			// Declining is always correct; for a plain object it only costs speed.
			t.Logf("decodeObject(%q) declined an object encoding/json decodes", b)
		}
		return
	}
	if err != nil {
		t.Fatalf("decodeObject(%q) = %v; encoding/json fails: %v", b, got, err)
	}
	if !reflect.DeepEqual(any(got), want) {
		t.Fatalf("decodeObject(%q) = %#v; want %#v", b, got, want)
	}
}

func TestDecodeObject(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"empty object", `{}`, true},
		{"spaces", " \t\r\n{ \"a\" : [ 1 , 2.5e3 , -0 , true , false , null ] }\n", true},
		{"nested", `{"a":{"b":{"c":[{"d":"e"}]}}}`, true},
		{"repeated key: last wins", `{"a":1,"a":2}`, true},
		{"escapes", `{"a":"x\"y\\z\/\b\f\n\r\t\u00e9\ud83d\ude00"}`, true},
		{"lone surrogate", `{"a":"\ud800"}`, true},
		{"utf-8", `{"é":"ünïcödé ✓"}`, true},
		{"invalid utf-8", "{\"a\":\"\xff\xfe\"}", true},
		{"big exponent", `{"a":1e308}`, true},
		{"not an object", `[1]`, false},
		{"string", `"a"`, false},
		{"trailing comma", `{"a":1,}`, false},
		{"trailing garbage", `{"a":1}x`, false},
		{"two values", `{} {}`, false},
		{"truncated", `{"a":"b`, false},
		{"bad literal", `{"a":tru}`, false},
		{"leading zero", `{"a":01}`, false},
		{"bare minus", `{"a":-}`, false},
		{"bad fraction", `{"a":1.}`, false},
		{"bad exponent", `{"a":1e}`, false},
		{"out of range", `{"a":1e400}`, false},
		{"control character", "{\"a\":\"\x01\"}", false},
		{"bad escape", `{"a":"\x"}`, false},
		{"backslash at end", `{"a":"\`, false},
		{"key not a string", `{a:1}`, false},
		{"missing colon", `{"a" 1}`, false},
		{"empty", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := decodeObject([]byte(tt.in)); ok != tt.ok {
				t.Errorf("decodeObject(%q) ok = %v; want %v", tt.in, ok, tt.ok)
			}
			agreeDecode(t, []byte(tt.in))
		})
	}
}

// FuzzDecodeObject checks decodeObject against encoding/json on any input.
func FuzzDecodeObject(f *testing.F) {
	ss, err := catalog.Samples()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range ss {
		raw, err := catalog.ReadSample(s.File)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	for _, s := range []string{`{}`, `{"a":[1,-2.5e-3,true,null,{"b":"\u00e9\n"}]}`, "{\"a\":\"\xff\"}", `{"a":1e400}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { agreeDecode(t, b) })
}

// BenchmarkDecodeObject decodes the event samples with decodeObject and, in the same
// run, with json.Unmarshal into any: x-unmarshal is the ratio of their times.
func BenchmarkDecodeObject(b *testing.B) {
	ss, err := catalog.Samples()
	if err != nil {
		b.Fatal(err)
	}
	var raws [][]byte
	for _, s := range ss {
		raw, err := catalog.ReadSample(s.File)
		if err != nil {
			b.Fatal(err)
		}
		raws = append(raws, raw)
	}
	var fast, std time.Duration
	for b.Loop() {
		start := time.Now()
		for _, raw := range raws {
			if _, ok := decodeObject(raw); !ok {
				b.Fatalf("decodeObject declined a sample")
			}
		}
		fast += time.Since(start)
		start = time.Now()
		for _, raw := range raws {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				b.Fatal(err)
			}
		}
		std += time.Since(start)
	}
	b.ReportMetric(float64(fast)/float64(std), "x-unmarshal")
}
