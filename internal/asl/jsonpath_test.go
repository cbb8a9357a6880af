package asl

import (
	"errors"
	"strings"
	"testing"
)

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := decodeJSON([]byte(s))
	if err != nil {
		t.Fatalf("decodeJSON(%q) = %v", s, err)
	}
	return v
}

const storeDoc = `{
  "foo": 123,
  "bar": ["a", "b", "c"],
  "car": {"cdr": true},
  "store.book": "dotted",
  "it's": "quoted",
  "items": [
    {"id": "a", "n": 1, "tags": ["x"]},
    {"id": "b", "n": 5},
    {"id": "c", "n": 3, "tags": ["y", "z"]}
  ],
  "deep": {"a": {"id": "d1"}, "b": [{"id": "d2"}]}
}`

func TestPathEval(t *testing.T) {
	doc := mustDecode(t, storeDoc)
	tests := []struct {
		path string
		want string // JSON; "!" means errPathNotFound
	}{
		{"$", ""}, // checked separately below
		{"$.foo", `123`},
		{"$.bar", `["a","b","c"]`},
		{"$.car.cdr", `true`},
		{"$['car']['cdr']", `true`},
		{`$["car"].cdr`, `true`},
		{`$.store\.book`, `"dotted"`},
		{`$['store.book']`, `"dotted"`},
		{`$['it\'s']`, `"quoted"`},
		{"$.bar[0]", `"a"`},
		{"$.bar[-1]", `"c"`},
		{"$.bar[-3]", `"a"`},
		{"$.bar[3]", "!"},
		{"$.bar[-4]", "!"},
		{"$.nope", "!"},
		{"$.foo.bar", "!"},
		{"$.bar.x", "!"},
		{"$.bar[*]", `["a","b","c"]`},
		{"$.car.*", `[true]`},
		{"$.bar[1:]", `["b","c"]`},
		{"$.bar[:2]", `["a","b"]`},
		{"$.bar[-2:]", `["b","c"]`},
		{"$.bar[::2]", `["a","c"]`},
		{"$.bar[::-1]", `["c","b","a"]`},
		{"$.bar[5:9]", `[]`},
		{"$.bar[0,2]", `["a","c"]`},
		{"$['foo','car']", `[123,{"cdr":true}]`},
		{"$.items[*].id", `["a","b","c"]`},
		{"$.items[?(@.n > 2)].id", `["b","c"]`},
		{"$.items[?(@.n >= 3 && @.n < 5)].id", `["c"]`},
		{"$.items[?(@.n == 1 || @.id == 'c')].id", `["a","c"]`},
		{"$.items[?(@.id != 'b')].n", `[1,3]`},
		{"$.items[?(@.tags)].id", `["a","c"]`},
		{"$.items[?(!@.tags)].id", `["b"]`},
		{"$.items[?(@.n > $.foo)].id", `[]`},
		{`$.items[?(@.id == "b")].n`, `[5]`},
		{"$.items[?(@.missing == 1)]", `[]`},
		{"$.items[?(@.n > 'a')]", `[]`},
		{"$..id", `["a","b","c","d1","d2"]`},
		{"$.deep..id", `["d1","d2"]`},
		{"$..tags[0]", `["x","y"]`},
		{"$.nope[*]", `[]`},
	}
	for _, tt := range tests {
		if tt.path == "$" {
			continue
		}
		t.Run(tt.path, func(t *testing.T) {
			p, err := parsePath(tt.path)
			if err != nil {
				t.Fatalf("parsePath(%q) = %v", tt.path, err)
			}
			got, err := p.eval(doc)
			if tt.want == "!" {
				if !errors.Is(err, errPathNotFound) {
					t.Fatalf("eval(%q) = %s, %v; want errPathNotFound", tt.path, encodeJSON(got), err)
				}
				return
			}
			if err != nil {
				t.Fatalf("eval(%q) = %v", tt.path, err)
			}
			if g := string(encodeJSON(got)); g != tt.want {
				t.Errorf("eval(%q) = %s; want %s", tt.path, g, tt.want)
			}
		})
	}
	p, err := parsePath("$")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := p.eval(doc); err != nil || got != doc {
		t.Errorf("eval($) = %v, %v; want the document itself", got, err)
	}
}

func TestPathDefinite(t *testing.T) {
	tests := []struct {
		path     string
		definite bool
	}{
		{"$", true},
		{"$.a.b[0]", true},
		{"$['a'][-1]", true},
		{"$$.Execution.Id", true},
		{"$.a[*]", false},
		{"$.a.*", false},
		{"$.a[0:1]", false},
		{"$.a[0,1]", false},
		{"$..a", false},
		{"$.a[?(@.x)]", false},
	}
	for _, tt := range tests {
		p, err := parsePath(tt.path)
		if err != nil {
			t.Fatalf("parsePath(%q) = %v", tt.path, err)
		}
		if p.definite != tt.definite {
			t.Errorf("parsePath(%q).definite = %v; want %v", tt.path, p.definite, tt.definite)
		}
		_, err = parseReferencePath(tt.path)
		if (err == nil) != tt.definite {
			t.Errorf("parseReferencePath(%q) error = %v; want error %v", tt.path, err, !tt.definite)
		}
	}
}

func TestPathParseErrors(t *testing.T) {
	tests := []struct{ path, want string }{
		{"", "must begin with $"},
		{"foo", "must begin with $"},
		{"$.", "ends after '.'"},
		{"$a", "unexpected"},
		{"$.a.", "ends after '.'"},
		{"$.a[", "unclosed"},
		{"$.a[0", "unclosed"},
		{"$.a[x]", "bad index"},
		{"$.a[]", "bad index"},
		{"$.a[::0]", "step may not be 0"},
		{"$.a['b", "unterminated"},
		{"$.a[?(@.b]", "unbalanced"},
		{"$.a[?(@.b =~ /x/)]", "not supported"},
		{"$.a[?(1)]", "needs a comparison"},
		{"$.a[?(@.b ==)]", "missing operand"},
		{`$.a\`, "open escape"},
		{"$.a b", "unexpected ' '"},
		{"$.a.[0]", "may not follow"},
		{"$.a[?(" + strings.Repeat("!", 100) + "@.b)]", "nests deeper than 64"},
		{"$.a[?(" + strings.Repeat("(", 100) + "@.b" + strings.Repeat(")", 100) + ")]", "nests deeper than 64"},
	}
	for _, tt := range tests {
		_, err := parsePath(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parsePath(%q) = %v; want an error containing %q", tt.path, err, tt.want)
		}
	}
}

func TestPathSet(t *testing.T) {
	tests := []struct {
		name, input, path, value, want string // want "!" means an error
	}{
		{"replace whole", `{"a":1}`, "$", `"x"`, `"x"`},
		{"new field", `{"a":1}`, "$.b", `2`, `{"a":1,"b":2}`},
		{"overwrite keeps order", `{"a":1,"b":2}`, "$.a", `9`, `{"a":9,"b":2}`},
		{"creates intermediate objects", `{"a":1}`, "$.b.greeting", `"Hi!"`, `{"a":1,"b":{"greeting":"Hi!"}}`},
		{"spec example detail", `{"master":{"detail":[1,2,3]}}`, "$.master.detail", `6`, `{"master":{"detail":6}}`},
		{"spec example sum", `{"master":{"detail":[1,2,3]}}`, "$.master.result.sum", `6`, `{"master":{"detail":[1,2,3],"result":{"sum":6}}}`},
		{"array index", `{"a":[1,2]}`, "$.a[1]", `5`, `{"a":[1,5]}`},
		{"negative index", `{"a":[1,2]}`, "$.a[-1].x", `5`, "!"},
		{"index out of range", `{"a":[1,2]}`, "$.a[2]", `5`, "!"},
		{"string input", `"foo"`, "$.x", `1`, "!"},
		{"through a number", `{"a":1}`, "$.a.b", `1`, "!"},
		{"through an array", `{"a":[]}`, "$.a.b", `1`, "!"},
		{"through null", `{"a":null}`, "$.a.b", `1`, "!"},
		{"bracket name", `{}`, "$['x y']", `1`, `{"x y":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseReferencePath(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			in := mustDecode(t, tt.input)
			before := string(encodeJSON(in))
			got, err := p.set(in, mustDecode(t, tt.value))
			if tt.want == "!" {
				if err == nil {
					t.Fatalf("set(%s, %s) = %s; want an error", tt.input, tt.path, encodeJSON(got))
				}
				return
			}
			if err != nil {
				t.Fatalf("set(%s, %s) = %v", tt.input, tt.path, err)
			}
			if g := string(encodeJSON(got)); g != tt.want {
				t.Errorf("set(%s, %s) = %s; want %s", tt.input, tt.path, g, tt.want)
			}
			if after := string(encodeJSON(in)); after != before {
				t.Errorf("set modified its input: %s became %s", before, after)
			}
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"b":1,"a":[true,false,null],"c":{"z":1.50,"y":-2e3}}`, `{"b":1,"a":[true,false,null],"c":{"z":1.50,"y":-2e3}}`},
		{`"<tag> & \u2028 \u0001 \"q\" \\"`, "\"<tag> & \u2028 \\u0001 \\\"q\\\" \\\\\""},
		{` 12345678901234567890 `, `12345678901234567890`},
		{`{"a":1,"a":2}`, `{"a":2}`},
	}
	for _, tt := range tests {
		v, err := decodeJSON([]byte(tt.in))
		if err != nil {
			t.Fatalf("decodeJSON(%s) = %v", tt.in, err)
		}
		if got := string(encodeJSON(v)); got != tt.want {
			t.Errorf("encodeJSON(decodeJSON(%s)) = %s; want %s", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{``, `{`, `[1,]`, `{"a":1} x`, `nul`, `{"a" 1}`} {
		if _, err := decodeJSON([]byte(bad)); err == nil {
			t.Errorf("decodeJSON(%q) = nil error; want an error", bad)
		}
	}
	if _, err := decodeStrict([]byte(`{"a":1,"a":2}`)); !errors.Is(err, errDuplicateKey) {
		t.Errorf("decodeStrict with a repeated key = %v; want errDuplicateKey", err)
	}
}

func TestEqualJSON(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{`1`, `1.0`, true},
		{`1e2`, `100`, true},
		{`1`, `"1"`, false},
		{`{"a":1,"b":2}`, `{"b":2,"a":1}`, true},
		{`{"a":1}`, `{"a":1,"b":2}`, false},
		{`[1,2]`, `[2,1]`, false},
		{`null`, `null`, true},
		{`null`, `false`, false},
		{`12345678901234567890`, `12345678901234567891`, false},
	}
	for _, tt := range tests {
		if got := equalJSON(mustDecode(t, tt.a), mustDecode(t, tt.b)); got != tt.want {
			t.Errorf("equalJSON(%s, %s) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
