package pattern_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/pattern"
)

func TestValidate(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"exact", `{"source":["aws.ec2"]}`, ""},
		{"operators", `{"a":[{"prefix":"x"},{"wildcard":"*y"},{"equals-ignore-case":"Z"}],"b":[{"exists":false}],"c":[{"anything-but":["d"]}]}`, ""},
		{"null and bool", `{"a":[null,true]}`, ""},
		{"number", `{"a":[5]}`, "a[0]: numbers are not supported"},
		{"numeric op", `{"a":[{"numeric":[">",1]}]}`, `a[0]: operator "numeric" is not supported`},
		{"suffix", `{"a":[{"suffix":".png"}]}`, `operator "suffix" is not supported`},
		{"cidr", `{"a":[{"cidr":"10.0.0.0/8"}]}`, `operator "cidr" is not supported`},
		{"or", `{"$or":[{"a":["b"]}]}`, `"$or" is not supported`},
		{"scalar", `{"a":"b"}`, "a: must be a list of values or an object, got a string"},
		{"empty list", `{"a":[]}`, "a: empty list matches nothing"},
		{"empty", `{}`, "pattern is empty"},
		{"anything-but string", `{"a":[{"anything-but":"x"}]}`, "anything-but takes a non-empty list of strings"},
		{"two ops", `{"a":[{"prefix":"x","exists":true}]}`, "exactly one key"},
		{"not object", `[1]`, "pattern must be an object, got a list"},
		{"bad json", `{`, "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pattern.ValidateJSON([]byte(tt.in))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("ValidateJSON(%s) = %v; want valid", tt.in, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("ValidateJSON(%s) = %v; want an error containing %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestMatcherOrderAndConcurrency(t *testing.T) {
	ps := []json.RawMessage{
		json.RawMessage(`{"source":["aws.ec2"],"detail":{"state":["stopped"]}}`),
		json.RawMessage(`{"source":[{"prefix":"aws."}]}`),
		json.RawMessage(`{"detail":{"tags":{"team":[{"exists":true}]}}}`),
	}
	m, err := pattern.Compile(ps)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ev    string
		want  []int
		first int
	}{
		{`{"source":"aws.ec2","detail":{"state":"stopped"}}`, []int{0, 1}, 0},
		{`{"source":"aws.ec2","detail":{"state":"running","tags":{"team":"x"}}}`, []int{1, 2}, 1},
		{`{"source":"app.x","detail":{"items":[{"a":1},{"b":2}]}}`, []int{}, -1},
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				tt := tests[(g+i)%len(tests)]
				got, err := m.Match([]byte(tt.ev))
				if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Errorf("Match(%s) = %v, %v; want %v", tt.ev, got, err, tt.want)
					return
				}
				if f, _ := m.First([]byte(tt.ev)); f != tt.first {
					t.Errorf("First(%s) = %d; want %d", tt.ev, f, tt.first)
					return
				}
			}
		}()
	}
	wg.Wait()
	if _, err := m.Match([]byte(`{not json`)); err == nil {
		t.Error("Match(invalid JSON) = nil error; want an error")
	}
}
