package classify

import (
	"encoding/json"
	"reflect"
	"testing"
)

// sourceOfSeeds are patterns and near-patterns: duplicates, escapes, nesting, strings
// holding brackets, other shapes, invalid JSON.
var sourceOfSeeds = []string{
	`{"source": ["aws.ec2"], "detail": {"eventName": ["RunInstances"]}}`,
	`{"detail": {"source": ["nested"]}, "source": ["aws.s3", "aws.ec2"]}`,
	`{"source": ["a"], "source": ["b"]}`,
	`{"sou\u0072ce": ["escaped"]}`,
	`{"Source": ["case"], "x": "]}{\"", "source": [{"prefix": "aws."}]}`,
	` { "source" : [ "spaced" ] , "n" : -1.5e3 , "t" : true , "z" : null } `,
	`{"source": "aws.ec2"}`,
	`{"source": ["a\u00e9", "tab\t", "\u00ff"]}`,
	"{\"source\": [\"caf\xc3\xa9\", \"bad\xff\"]}",
	`{"source": [ "a" , 1, "b" ]}`,
	`{"source": []}`,
	`{"source": null}`,
	`{}`,
	`[]`,
	`null`,
	`"source"`,
	`{"source": ["a"]`,
	`{"source": ["a"]} x`,
	``,
}

// sourceOfBefore is what newBySource decoded before sourceOf: the whole pattern.
func sourceOfBefore(p []byte) (any, error) {
	var v map[string]any
	err := json.Unmarshal(p, &v)
	return v["source"], err
}

func TestSourceOf(t *testing.T) {
	for _, s := range sourceOfSeeds {
		got, err := sourceOf([]byte(s))
		want, wantErr := sourceOfBefore([]byte(s))
		if !reflect.DeepEqual(got, want) || (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Errorf("sourceOf(%q) = %#v, %v; want %#v, %v", s, got, err, want, wantErr)
		}
	}
}

// FuzzSourceOf: sourceOf says what decoding the whole pattern says.
func FuzzSourceOf(f *testing.F) {
	for _, s := range sourceOfSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		got, err := sourceOf(p)
		want, wantErr := sourceOfBefore(p)
		if !reflect.DeepEqual(got, want) || (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Errorf("sourceOf(%q) = %#v, %v; want %#v, %v", p, got, err, want, wantErr)
		}
	})
}
