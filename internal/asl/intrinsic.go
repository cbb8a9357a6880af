package asl

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Intrinsic functions: "States.Format('x {}', $.a)" and friends, valid as the value of a
// payload-template field whose name ends in ".$". They are parsed when the definition is
// parsed (unknown names and wrong argument counts are definition errors) and evaluated
// against the template's input; a failure during evaluation is States.IntrinsicFailure,
// except that a path argument that selects nothing is States.Runtime, as for any other
// path in a payload template.

// maxIntrinsicNesting is the nesting limit AWS documents for intrinsic functions.
const maxIntrinsicNesting = 10

type intrinsic struct {
	name string
	args []iarg
	fn   *intrinsicFunc
}

type iargKind int

const (
	argLiteral iargKind = iota
	argPath
	argCall
)

type iarg struct {
	kind iargKind
	lit  any    // literal value (string, json.Number, bool, nil)
	raw  string // for string literals: the text between the quotes, escapes intact
	path *Path
	call *intrinsic
}

type intrinsicFunc struct {
	min, max int // argument count bounds; max < 0 means unbounded
	eval     func(env *evalEnv, args []any, src []iarg) (any, error)
}

var intrinsicFuncs = map[string]*intrinsicFunc{
	"States.Format":         {1, -1, fnFormat},
	"States.StringToJson":   {1, 1, fnStringToJSON},
	"States.JsonToString":   {1, 1, fnJSONToString},
	"States.Array":          {0, -1, fnArray},
	"States.ArrayPartition": {2, 2, fnArrayPartition},
	"States.ArrayContains":  {2, 2, fnArrayContains},
	"States.ArrayRange":     {3, 3, fnArrayRange},
	"States.ArrayGetItem":   {2, 2, fnArrayGetItem},
	"States.ArrayLength":    {1, 1, fnArrayLength},
	"States.ArrayUnique":    {1, 1, fnArrayUnique},
	"States.Base64Encode":   {1, 1, fnBase64Encode},
	"States.Base64Decode":   {1, 1, fnBase64Decode},
	"States.Hash":           {2, 2, fnHash},
	"States.JsonMerge":      {3, 3, fnJSONMerge},
	"States.MathRandom":     {2, 3, fnMathRandom},
	"States.MathAdd":        {2, 2, fnMathAdd},
	"States.StringSplit":    {2, 2, fnStringSplit},
	"States.UUID":           {0, 0, fnUUID},
}

// parseIntrinsic compiles an intrinsic function invocation.
func parseIntrinsic(src string) (*intrinsic, error) {
	p := &iparser{s: src}
	p.space()
	call, err := p.call(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the closing ')'", p.s[p.pos:])
	}
	return call, nil
}

type iparser struct {
	s   string
	pos int
}

func (p *iparser) space() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\r') {
		p.pos++
	}
}

func isNameChar(c byte) bool {
	return c == '.' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func (p *iparser) call(depth int) (*intrinsic, error) {
	if depth >= maxIntrinsicNesting {
		return nil, fmt.Errorf("intrinsic functions nest deeper than %d", maxIntrinsicNesting)
	}
	start := p.pos
	for p.pos < len(p.s) && isNameChar(p.s[p.pos]) {
		p.pos++
	}
	name := p.s[start:p.pos]
	if name == "" {
		return nil, fmt.Errorf("expected an intrinsic function name at offset %d", start)
	}
	fn, ok := intrinsicFuncs[name]
	if !ok {
		return nil, fmt.Errorf("unknown intrinsic function %q", name)
	}
	if p.pos >= len(p.s) || p.s[p.pos] != '(' {
		return nil, fmt.Errorf("%s must be followed by '('", name)
	}
	p.pos++
	call := &intrinsic{name: name, fn: fn}
	p.space()
	if p.pos < len(p.s) && p.s[p.pos] == ')' {
		p.pos++
	} else {
		for {
			p.space()
			a, err := p.arg(depth)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			call.args = append(call.args, a)
			p.space()
			if p.pos >= len(p.s) {
				return nil, fmt.Errorf("%s: missing ')'", name)
			}
			if p.s[p.pos] == ')' {
				p.pos++
				break
			}
			if p.s[p.pos] != ',' {
				return nil, fmt.Errorf("%s: unexpected %q at offset %d", name, p.s[p.pos], p.pos)
			}
			p.pos++
		}
	}
	n := len(call.args)
	if n < fn.min || (fn.max >= 0 && n > fn.max) {
		switch {
		case fn.max < 0:
			return nil, fmt.Errorf("%s takes at least %d argument(s), got %d", name, fn.min, n)
		case fn.min == fn.max:
			return nil, fmt.Errorf("%s takes %d argument(s), got %d", name, fn.min, n)
		default:
			return nil, fmt.Errorf("%s takes %d to %d arguments, got %d", name, fn.min, fn.max, n)
		}
	}
	return call, nil
}

func (p *iparser) arg(depth int) (iarg, error) {
	if p.pos >= len(p.s) {
		return iarg{}, errors.New("missing argument")
	}
	c := p.s[p.pos]
	switch {
	case c == '\'':
		return p.stringLit()
	case c == '$':
		start := p.pos
		depthB := 0
		for p.pos < len(p.s) {
			ch := p.s[p.pos]
			if ch == '\'' || ch == '"' {
				_, n, err := parseQuoted(p.s, p.pos)
				if err != nil {
					return iarg{}, err
				}
				p.pos = n
				continue
			}
			if ch == '[' {
				depthB++
			} else if ch == ']' {
				depthB--
			} else if depthB == 0 && (ch == ',' || ch == ')' || ch == ' ' || ch == '\t') {
				break
			}
			p.pos++
		}
		path, err := parsePath(p.s[start:p.pos])
		if err != nil {
			return iarg{}, err
		}
		return iarg{kind: argPath, path: path}, nil
	case c == '-' || c == '+' || (c >= '0' && c <= '9'):
		start := p.pos
		p.pos++
		for p.pos < len(p.s) && strings.IndexByte("0123456789.eE+-", p.s[p.pos]) >= 0 {
			p.pos++
		}
		text := strings.TrimPrefix(p.s[start:p.pos], "+")
		if !json.Valid([]byte(text)) {
			return iarg{}, fmt.Errorf("bad number %q", p.s[start:p.pos])
		}
		return iarg{kind: argLiteral, lit: json.Number(text)}, nil
	}
	for _, kw := range []struct {
		word string
		v    any
	}{{"null", nil}, {"true", true}, {"false", false}} {
		if strings.HasPrefix(p.s[p.pos:], kw.word) && (p.pos+len(kw.word) == len(p.s) || !isNameChar(p.s[p.pos+len(kw.word)])) {
			p.pos += len(kw.word)
			return iarg{kind: argLiteral, lit: kw.v}, nil
		}
	}
	if isNameChar(c) {
		call, err := p.call(depth + 1)
		if err != nil {
			return iarg{}, err
		}
		return iarg{kind: argCall, call: call}, nil
	}
	return iarg{}, fmt.Errorf("unexpected %q at offset %d", c, p.pos)
}

// stringLit reads a '...' literal. The reserved characters ' { } \ must be escaped with
// a backslash; a backslash before anything else is an error, as the spec requires.
func (p *iparser) stringLit() (iarg, error) {
	start := p.pos + 1
	var b strings.Builder
	for i := start; i < len(p.s); i++ {
		c := p.s[i]
		switch c {
		case '\\':
			if i+1 >= len(p.s) || strings.IndexByte(`'{}\`, p.s[i+1]) < 0 {
				return iarg{}, fmt.Errorf("open escape '\\' at offset %d (only \\' \\{ \\} \\\\ are escapes)", i)
			}
			i++
			b.WriteByte(p.s[i])
		case '\'':
			p.pos = i + 1
			return iarg{kind: argLiteral, lit: b.String(), raw: p.s[start:i]}, nil
		default:
			b.WriteByte(c)
		}
	}
	return iarg{}, errors.New("unterminated string literal")
}

// evalEnv is what paths, payload templates and intrinsic functions are evaluated
// against.
type evalEnv struct {
	input   any
	context func() any
	rng     *rand.Rand
}

func (env *evalEnv) path(p *Path) (any, error) {
	if p.context {
		return p.eval(env.context())
	}
	return p.eval(env.input)
}

func intrinsicErr(name, format string, a ...any) *Error {
	return &Error{Name: ErrIntrinsicFailure, Cause: name + ": " + fmt.Sprintf(format, a...)}
}

// eval evaluates the invocation; errors are *Error.
func (in *intrinsic) eval(env *evalEnv) (any, *Error) {
	args := make([]any, len(in.args))
	for i, a := range in.args {
		switch a.kind {
		case argLiteral:
			args[i] = a.lit
		case argPath:
			v, err := env.path(a.path)
			if err != nil {
				return nil, &Error{Name: ErrRuntime, Cause: fmt.Sprintf("%s: the JSONPath %s could not be found in the input", in.name, a.path)}
			}
			args[i] = v
		case argCall:
			v, err := a.call.eval(env)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
	}
	v, err := in.fn.eval(env, args, in.args)
	if err != nil {
		var aerr *Error
		if errors.As(err, &aerr) {
			return nil, aerr
		}
		return nil, intrinsicErr(in.name, "%v", err)
	}
	return v, nil
}

func wantString(v any, what string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string, got %s", what, typeName(v))
	}
	return s, nil
}

func wantArray(v any, what string) ([]any, error) {
	a, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be an array, got %s", what, typeName(v))
	}
	return a, nil
}

func wantInt(v any, what string) (int64, error) {
	i, ok := intOf(v)
	if !ok {
		return 0, fmt.Errorf("%s must be an integer, got %s", what, encodeJSON(v))
	}
	return i, nil
}

// roundedInt accepts any number and rounds it to the nearest integer, as AWS documents
// for States.MathRandom and States.MathAdd.
func roundedInt(v any, what string) (int64, error) {
	if i, ok := intOf(v); ok {
		return i, nil
	}
	f, ok := floatOf(v)
	if !ok || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1<<62 {
		return 0, fmt.Errorf("%s must be an integer, got %s", what, encodeJSON(v))
	}
	return int64(math.Round(f)), nil
}

func fnFormat(_ *evalEnv, args []any, src []iarg) (any, error) {
	tmpl, err := wantString(args[0], "the template (argument 1)")
	if err != nil {
		return nil, err
	}
	literal := src[0].kind == argLiteral
	if literal {
		tmpl = src[0].raw
	}
	var b strings.Builder
	next := 1
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if literal && c == '\\' && i+1 < len(tmpl) {
			i++
			b.WriteByte(tmpl[i])
			continue
		}
		if c == '{' && i+1 < len(tmpl) && tmpl[i+1] == '}' {
			if next >= len(args) {
				return nil, fmt.Errorf("the template has more {} placeholders than the %d argument(s) given", len(args)-1)
			}
			s, err := formatArg(args[next], next+1)
			if err != nil {
				return nil, err
			}
			b.WriteString(s)
			next++
			i++
			continue
		}
		b.WriteByte(c)
	}
	if next != len(args) {
		return nil, fmt.Errorf("the template has %d {} placeholder(s) but %d argument(s) follow it", next-1, len(args)-1)
	}
	return b.String(), nil
}

func formatArg(v any, pos int) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case json.Number:
		return string(t), nil
	case bool:
		return strconv.FormatBool(t), nil
	case nil:
		return "null", nil
	}
	return "", fmt.Errorf("argument %d must be a string, number, boolean or null, got %s", pos, typeName(v))
}

func fnStringToJSON(_ *evalEnv, args []any, _ []iarg) (any, error) {
	s, err := wantString(args[0], "the argument")
	if err != nil {
		return nil, err
	}
	v, err := decodeJSON([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("the argument is not valid JSON: %v", err)
	}
	return v, nil
}

func fnJSONToString(_ *evalEnv, args []any, _ []iarg) (any, error) {
	return string(encodeJSON(args[0])), nil
}

func fnArray(_ *evalEnv, args []any, _ []iarg) (any, error) {
	return append([]any{}, args...), nil
}

func fnArrayPartition(_ *evalEnv, args []any, _ []iarg) (any, error) {
	a, err := wantArray(args[0], "argument 1")
	if err != nil {
		return nil, err
	}
	size, err := wantInt(args[1], "the chunk size")
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, fmt.Errorf("the chunk size must be a positive integer, got %d", size)
	}
	out := []any{}
	for i := 0; i < len(a); i += int(size) {
		end := min(i+int(size), len(a))
		out = append(out, append([]any{}, a[i:end]...))
	}
	return out, nil
}

func fnArrayContains(_ *evalEnv, args []any, _ []iarg) (any, error) {
	a, err := wantArray(args[0], "argument 1")
	if err != nil {
		return nil, err
	}
	for _, e := range a {
		if equalJSON(e, args[1]) {
			return true, nil
		}
	}
	return false, nil
}

const maxArrayRange = 1000

func fnArrayRange(_ *evalEnv, args []any, _ []iarg) (any, error) {
	start, err := wantInt(args[0], "the start (argument 1)")
	if err != nil {
		return nil, err
	}
	end, err := wantInt(args[1], "the end (argument 2)")
	if err != nil {
		return nil, err
	}
	step, err := wantInt(args[2], "the step (argument 3)")
	if err != nil {
		return nil, err
	}
	if step == 0 {
		return nil, errors.New("the step may not be 0")
	}
	out := []any{}
	if (step > 0 && start > end) || (step < 0 && start < end) {
		return out, nil
	}
	// Count first, in big arithmetic, so huge ranges fail without allocating.
	count := new(big.Int).Sub(big.NewInt(end), big.NewInt(start))
	count.Quo(count, big.NewInt(step))
	count.Add(count, big.NewInt(1))
	if count.Cmp(big.NewInt(maxArrayRange)) > 0 {
		return nil, fmt.Errorf("the range has %s items; at most %d are allowed", count, maxArrayRange)
	}
	for i, v := int64(0), start; i < count.Int64(); i, v = i+1, v+step {
		out = append(out, intNumber(v))
	}
	return out, nil
}

func fnArrayGetItem(_ *evalEnv, args []any, _ []iarg) (any, error) {
	a, err := wantArray(args[0], "argument 1")
	if err != nil {
		return nil, err
	}
	i, err := wantInt(args[1], "the index")
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= int64(len(a)) {
		return nil, fmt.Errorf("index %d is out of range for an array of %d", i, len(a))
	}
	return a[i], nil
}

func fnArrayLength(_ *evalEnv, args []any, _ []iarg) (any, error) {
	a, err := wantArray(args[0], "the argument")
	if err != nil {
		return nil, err
	}
	return intNumber(int64(len(a))), nil
}

func fnArrayUnique(_ *evalEnv, args []any, _ []iarg) (any, error) {
	a, err := wantArray(args[0], "the argument")
	if err != nil {
		return nil, err
	}
	out := []any{}
next:
	for _, e := range a {
		for _, seen := range out {
			if equalJSON(e, seen) {
				continue next
			}
		}
		out = append(out, e)
	}
	return out, nil
}

const maxEncodedLength = 10000

func fnBase64Encode(_ *evalEnv, args []any, _ []iarg) (any, error) {
	s, err := wantString(args[0], "the argument")
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(s) > maxEncodedLength {
		return nil, fmt.Errorf("the input has more than %d characters", maxEncodedLength)
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func fnBase64Decode(_ *evalEnv, args []any, _ []iarg) (any, error) {
	s, err := wantString(args[0], "the argument")
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(s) > maxEncodedLength {
		return nil, fmt.Errorf("the input has more than %d characters", maxEncodedLength)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("the input is not Base64: %v", err)
	}
	if !utf8.Valid(b) {
		return nil, errors.New("the decoded data is not UTF-8 text")
	}
	return string(b), nil
}

func fnHash(_ *evalEnv, args []any, _ []iarg) (any, error) {
	data, ok := args[0].(string)
	if !ok {
		data = string(encodeJSON(args[0]))
	}
	if utf8.RuneCountInString(data) > maxEncodedLength {
		return nil, fmt.Errorf("the data has more than %d characters", maxEncodedLength)
	}
	alg, err := wantString(args[1], "the algorithm")
	if err != nil {
		return nil, err
	}
	var h hash.Hash
	switch alg {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, fmt.Errorf("unsupported algorithm %q (want MD5, SHA-1, SHA-256, SHA-384 or SHA-512)", alg)
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fnJSONMerge(_ *evalEnv, args []any, _ []iarg) (any, error) {
	a, ok := args[0].(*object)
	if !ok {
		return nil, fmt.Errorf("argument 1 must be an object, got %s", typeName(args[0]))
	}
	b, ok := args[1].(*object)
	if !ok {
		return nil, fmt.Errorf("argument 2 must be an object, got %s", typeName(args[1]))
	}
	deep, ok := args[2].(bool)
	if !ok {
		return nil, fmt.Errorf("argument 3 must be a boolean, got %s", typeName(args[2]))
	}
	if deep {
		return nil, errors.New("deep merge (argument 3 true) is not supported by Step Functions; pass false")
	}
	out := a.clone()
	for _, k := range b.keys {
		out.set(k, b.vals[k])
	}
	return out, nil
}

func fnMathRandom(env *evalEnv, args []any, _ []iarg) (any, error) {
	start, err := roundedInt(args[0], "the start (argument 1)")
	if err != nil {
		return nil, err
	}
	end, err := roundedInt(args[1], "the end (argument 2)")
	if err != nil {
		return nil, err
	}
	if start > end {
		return nil, fmt.Errorf("the start %d is greater than the end %d", start, end)
	}
	rng := env.rng
	if len(args) == 3 {
		seed, err := roundedInt(args[2], "the seed (argument 3)")
		if err != nil {
			return nil, err
		}
		rng = rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	}
	// Inclusive of both ends, as AWS returns.
	span := uint64(end - start)
	var off uint64
	if span == math.MaxUint64 {
		off = rng.Uint64()
	} else {
		off = rng.Uint64N(span + 1)
	}
	return intNumber(start + int64(off)), nil
}

func fnMathAdd(_ *evalEnv, args []any, _ []iarg) (any, error) {
	a, err := roundedInt(args[0], "argument 1")
	if err != nil {
		return nil, err
	}
	b, err := roundedInt(args[1], "argument 2")
	if err != nil {
		return nil, err
	}
	sum := new(big.Int).Add(big.NewInt(a), big.NewInt(b))
	return json.Number(sum.String()), nil
}

// fnStringSplit splits on any of the delimiter's characters and drops empty parts, which
// is what Step Functions does ("a.b+c" split by ".+" gives ["a","b","c"]).
func fnStringSplit(_ *evalEnv, args []any, _ []iarg) (any, error) {
	s, err := wantString(args[0], "argument 1")
	if err != nil {
		return nil, err
	}
	delims, err := wantString(args[1], "the delimiter (argument 2)")
	if err != nil {
		return nil, err
	}
	out := []any{}
	if delims == "" {
		for _, r := range s {
			out = append(out, string(r))
		}
		return out, nil
	}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) }) {
		out = append(out, part)
	}
	return out, nil
}

func fnUUID(env *evalEnv, _ []any, _ []iarg) (any, error) {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := env.rng.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}
