package asl

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func evalIntrinsic(t *testing.T, src, input string) (any, *Error) {
	t.Helper()
	fn, err := parseIntrinsic(src)
	if err != nil {
		t.Fatalf("parseIntrinsic(%q) = %v", src, err)
	}
	env := &evalEnv{
		input:   mustDecode(t, input),
		context: func() any { return mustDecode(t, `{"Execution":{"Name":"run-1"}}`) },
		rng:     rand.New(rand.NewPCG(1, 2)),
	}
	return fn.eval(env)
}

func TestIntrinsics(t *testing.T) {
	const input = `{
	  "name": "Arnav", "template": "Hello, my name is {}.",
	  "someString": "{\"number\": 20}",
	  "someJson": {"name": "Foo", "year": 2020},
	  "inputArray": [1,2,3,4,5,6,7,8,9], "index": 5, "lookingFor": 5,
	  "dupes": [1,2,3,3,3,3,3,3,4],
	  "json1": {"a": {"a1": 1, "a2": 2}, "b": 2},
	  "json2": {"a": {"a3": 1, "a4": 2}, "c": 3},
	  "value1": 111, "step": -1,
	  "inputString": "1,2,3,4,5", "splitter": ",",
	  "flag": true, "nothing": null, "f": 1.5,
	  "Data": "input data", "Algorithm": "SHA-1"
	}`
	tests := []struct {
		src  string
		want string
	}{
		// The examples of the specification and the Step Functions guide.
		{"States.Format('Hello, my name is {}.', $.name)", `"Hello, my name is Arnav."`},
		{"States.Format($.template, $.name)", `"Hello, my name is Arnav."`},
		{"States.Format('Your name is {}, we are in the year {}', $.name, 2020)", `"Your name is Arnav, we are in the year 2020"`},
		{"States.StringToJson($.someString)", `{"number":20}`},
		{"States.JsonToString($.someJson)", `"{\"name\":\"Foo\",\"year\":2020}"`},
		{"States.Array('Foo', 2020, $.someJson, null)", `["Foo",2020,{"name":"Foo","year":2020},null]`},
		{"States.ArrayPartition($.inputArray,4)", `[[1,2,3,4],[5,6,7,8],[9]]`},
		{"States.ArrayContains($.inputArray, $.lookingFor)", `true`},
		{"States.ArrayRange(1, 9, 2)", `[1,3,5,7,9]`},
		{"States.ArrayGetItem($.inputArray, $.index)", `6`},
		{"States.ArrayLength($.inputArray)", `9`},
		{"States.ArrayUnique($.dupes)", `[1,2,3,4]`},
		{"States.Base64Encode('Data to encode')", `"RGF0YSB0byBlbmNvZGU="`},
		{"States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", `"Data to encode"`},
		{"States.Hash($.Data, $.Algorithm)", `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{"States.JsonMerge($.json1, $.json2, false)", `{"a":{"a3":1,"a4":2},"b":2,"c":3}`},
		{"States.MathAdd($.value1, $.step)", `110`},
		{"States.StringSplit($.inputString, $.splitter)", `["1","2","3","4","5"]`},
		// Escapes, literals and nesting.
		{`States.Format('Welcome to {} {}\'s playlist.', $.name, $.name)`, `"Welcome to Arnav Arnav's playlist."`},
		{`States.Format('\{\} is not a placeholder, {} is', 'this')`, `"{} is not a placeholder, this is"`},
		{`States.Format('a \\ b')`, `"a \\ b"`},
		{"States.Format('{} {} {}', $.flag, $.nothing, $.f)", `"true null 1.5"`},
		{"States.Format('{}', $$.Execution.Name)", `"run-1"`},
		{"States.Array()", `[]`},
		{"States.Array(true, false, -2.5e1)", `[true,false,-2.5e1]`},
		{"States.ArrayLength(States.ArrayRange(0, 999, 1))", `1000`},
		{"States.ArrayRange(5, 1, -2)", `[5,3,1]`},
		{"States.ArrayRange(1, 5, -1)", `[]`},
		{"States.ArrayRange(3, 3, 7)", `[3]`},
		{"States.ArrayPartition(States.Array(), 3)", `[]`},
		{"States.ArrayContains(States.Array(1, 'x', null), 'y')", `false`},
		{"States.ArrayContains(States.Array($.someJson), $.someJson)", `true`},
		{"States.ArrayUnique(States.Array(1, 1.0, '1', null, null))", `[1,"1",null]`},
		{"States.Hash('', 'MD5')", `"d41d8cd98f00b204e9800998ecf8427e"`},
		{"States.Hash('abc', 'SHA-256')", `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{"States.Hash('abc', 'SHA-384')", `"cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"`},
		{"States.Hash('abc', 'SHA-512')", `"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"`},
		// A non-string is hashed as its JSON text: md5 of {"name":"Foo","year":2020}.
		{"States.Hash($.someJson, 'MD5')", `"c7ceef56d93a5a09ead124f3bd75aa47"`},
		{"States.MathAdd(1.4, 2.6)", `4`},
		{"States.MathAdd(9007199254740993, 1)", `9007199254740994`},
		{"States.MathRandom(3, 3)", `3`},
		{"States.StringSplit('This.is+a,test=string', '.+,=')", `["This","is","a","test","string"]`},
		{"States.StringSplit(',,a,,b,', ',')", `["a","b"]`},
		{"States.StringSplit('abc', '')", `["a","b","c"]`},
		{"States.ArrayGetItem(States.StringSplit('arn:aws:sns:us-east-1:1:t', ':'), 3)", `"us-east-1"`},
		{"  States.ArrayLength( $.inputArray )  ", `9`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got, err := evalIntrinsic(t, tt.src, input)
			if err != nil {
				t.Fatalf("eval(%s) = %v", tt.src, err)
			}
			if g := string(encodeJSON(got)); g != tt.want {
				t.Errorf("eval(%s) = %s; want %s", tt.src, g, tt.want)
			}
		})
	}
}

func TestIntrinsicRandomness(t *testing.T) {
	uuidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	fn, err := parseIntrinsic("States.UUID()")
	if err != nil {
		t.Fatal(err)
	}
	env := &evalEnv{input: newObject(0), rng: rand.New(rand.NewPCG(7, 7))}
	for range 100 {
		v, err := fn.eval(env)
		if err != nil {
			t.Fatal(err)
		}
		s := v.(string)
		if !uuidRE.MatchString(s) {
			t.Fatalf("States.UUID() = %q; want a version 4 UUID", s)
		}
		if seen[s] {
			t.Fatalf("States.UUID() repeated %q", s)
		}
		seen[s] = true
	}
	rnd, err := parseIntrinsic("States.MathRandom(1, 3)")
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for range 300 {
		v, err := rnd.eval(env)
		if err != nil {
			t.Fatal(err)
		}
		counts[string(encodeJSON(v))]++
	}
	if len(counts) != 3 || counts["1"] == 0 || counts["2"] == 0 || counts["3"] == 0 {
		t.Errorf("States.MathRandom(1, 3) gave %v; want each of 1, 2 and 3 (both ends inclusive)", counts)
	}
	seeded, err := parseIntrinsic("States.MathRandom(1, 1000000, 42)")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := seeded.eval(env)
	b, _ := seeded.eval(&evalEnv{input: newObject(0), rng: rand.New(rand.NewPCG(99, 99))})
	if !equalJSON(a, b) {
		t.Errorf("States.MathRandom with seed 42 gave %v and %v; want the same value for the same seed", a, b)
	}
}

func TestIntrinsicFailures(t *testing.T) {
	const input = `{"s": "text", "a": [1, 2], "o": {"k": 1}, "n": 1.5, "big": "` + "%s" + `"}`
	in := strings.Replace(input, "%s", strings.Repeat("x", 10001), 1)
	tests := []struct {
		src, name, cause string
	}{
		{"States.Format('{} {}', 'one')", ErrIntrinsicFailure, "more {} placeholders"},
		{"States.Format('{}', 'one', 'two')", ErrIntrinsicFailure, "1 {} placeholder(s) but 2"},
		{"States.Format('{}', $.a)", ErrIntrinsicFailure, "must be a string, number, boolean or null"},
		{"States.Format($.a)", ErrIntrinsicFailure, "must be a string"},
		{"States.StringToJson($.s)", ErrIntrinsicFailure, "not valid JSON"},
		{"States.StringToJson($.a)", ErrIntrinsicFailure, "must be a string"},
		{"States.ArrayPartition($.a, 0)", ErrIntrinsicFailure, "positive integer"},
		{"States.ArrayPartition($.a, 1.5)", ErrIntrinsicFailure, "must be an integer"},
		{"States.ArrayPartition($.s, 1)", ErrIntrinsicFailure, "must be an array"},
		{"States.ArrayRange(1, 2, 0)", ErrIntrinsicFailure, "may not be 0"},
		{"States.ArrayRange(0, 1000, 1)", ErrIntrinsicFailure, "at most 1000"},
		{"States.ArrayRange(0, 9000000000000000000, 1)", ErrIntrinsicFailure, "at most 1000"},
		{"States.ArrayRange(1.5, 2, 1)", ErrIntrinsicFailure, "must be an integer"},
		{"States.ArrayGetItem($.a, 2)", ErrIntrinsicFailure, "out of range"},
		{"States.ArrayGetItem($.a, -1)", ErrIntrinsicFailure, "out of range"},
		{"States.ArrayLength($.o)", ErrIntrinsicFailure, "must be an array"},
		{"States.Base64Encode($.big)", ErrIntrinsicFailure, "more than 10000"},
		{"States.Base64Decode('!!!')", ErrIntrinsicFailure, "not Base64"},
		{"States.Base64Decode('/w==')", ErrIntrinsicFailure, "not UTF-8"},
		{"States.Hash($.big, 'MD5')", ErrIntrinsicFailure, "more than 10000"},
		{"States.Hash('x', 'SHA-3')", ErrIntrinsicFailure, "unsupported algorithm"},
		{"States.JsonMerge($.o, $.a, false)", ErrIntrinsicFailure, "argument 2 must be an object"},
		{"States.JsonMerge($.o, $.o, true)", ErrIntrinsicFailure, "deep merge"},
		{"States.JsonMerge($.o, $.o, 'no')", ErrIntrinsicFailure, "must be a boolean"},
		{"States.MathRandom(5, 1)", ErrIntrinsicFailure, "greater than the end"},
		{"States.MathRandom('a', 1)", ErrIntrinsicFailure, "must be an integer"},
		{"States.MathAdd($.s, 1)", ErrIntrinsicFailure, "must be an integer"},
		{"States.StringSplit($.a, ',')", ErrIntrinsicFailure, "must be a string"},
		{"States.ArrayLength($.missing)", ErrRuntime, "could not be found"},
		{"States.Format('{}', States.ArrayGetItem($.a, 9))", ErrIntrinsicFailure, "States.ArrayGetItem: index 9"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got, err := evalIntrinsic(t, tt.src, in)
			if err == nil {
				t.Fatalf("eval(%s) = %s; want %s", tt.src, encodeJSON(got), tt.name)
			}
			if err.Name != tt.name || !strings.Contains(err.Cause, tt.cause) {
				t.Errorf("eval(%s) = %v; want %s with a cause containing %q", tt.src, err, tt.name, tt.cause)
			}
		})
	}
}

func TestIntrinsicParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"States.Nope(1)", `unknown intrinsic function "States.Nope"`},
		{"Format('x')", `unknown intrinsic function "Format"`},
		{"States.Format", "must be followed by '('"},
		{"States.Format(", "missing argument"},
		{"States.Format('x'", "missing ')'"},
		{"States.Format('x') extra", "unexpected"},
		{"States.Format('x' 'y')", "unexpected"},
		{"States.Format('unterminated)", "unterminated string"},
		{`States.Format('bad \n escape')`, "open escape"},
		{"States.UUID(1)", "takes 0 argument(s), got 1"},
		{"States.Format()", "takes at least 1 argument(s), got 0"},
		{"States.MathRandom(1)", "takes 2 to 3 arguments, got 1"},
		{"States.Array(01)", "bad number"},
		{"States.Array(@)", "unexpected '@'"},
		{"States.Array($.a[)", "unclosed"},
		{"States.Array(" + strings.Repeat("States.Array(", 10) + strings.Repeat(")", 11), "nest deeper than 10"},
	}
	for _, tt := range tests {
		_, err := parseIntrinsic(tt.src)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseIntrinsic(%q) = %v; want an error containing %q", tt.src, err, tt.want)
		}
	}
}
