package asl

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Machine is a parsed, validated state machine definition. It is immutable and safe for
// concurrent use; each Start creates an independent Execution.
type Machine struct {
	root      *stateMachine
	timeout   int64 // top-level TimeoutSeconds; 0 means none
	resources []string
}

// stateMachine is the top level, a Parallel branch or a Map processor.
type stateMachine struct {
	startAt string
	states  map[string]*state
	order   []string
}

// ioPath is an InputPath or OutputPath: absent (the default "$"), null, or a path.
type ioPath struct {
	null bool
	path *Path
}

// resultPath is a ResultPath: absent (the default "$"), null, or a reference path.
type resultPath struct {
	null bool
	path *Path
}

// dynString is an ErrorPath or CausePath: a reference path or an intrinsic function.
type dynString struct {
	path *Path
	fn   *intrinsic
	src  string
}

type retrier struct {
	errorEquals []string
	interval    int64
	maxAttempts int64
	backoff     float64
	maxDelay    int64 // 0 means no cap
	jitterFull  bool
}

type catcher struct {
	errorEquals []string
	next        string
	resultPath  resultPath
}

type state struct {
	name string
	typ  string
	next string
	end  bool

	inputPath      ioPath
	outputPath     ioPath
	resultPath     resultPath
	parameters     *tmpl // Parameters; for Map, ItemSelector or legacy Parameters
	resultSelector *tmpl
	result         any
	hasResult      bool

	// Task
	resource         string
	waitForToken     bool
	timeoutSeconds   int64
	timeoutPath      *Path
	heartbeatSeconds int64
	heartbeatPath    *Path
	retry            []retrier
	catch            []catcher

	// Choice
	choices     []*choiceRule
	defaultNext string

	// Wait
	seconds       int64
	hasSeconds    bool
	secondsPath   *Path
	timestamp     time.Time
	hasTimestamp  bool
	timestampPath *Path

	// Fail
	errorName string
	cause     string
	errorDyn  *dynString
	causeDyn  *dynString

	// Parallel
	branches []*stateMachine

	// Map
	itemsPath          *Path
	processor          *stateMachine
	maxConcurrency     int64
	maxConcurrencyPath *Path
}

// StartAt returns the name of the first state.
func (m *Machine) StartAt() string { return m.root.startAt }

// States returns the top-level state names in definition order.
func (m *Machine) States() []string { return slices.Clone(m.root.order) }

// Resources returns every Task Resource in the definition, including those inside
// Parallel branches and Map processors, sorted and without duplicates.
func (m *Machine) Resources() []string { return slices.Clone(m.resources) }

// maxSeconds bounds TimeoutSeconds, HeartbeatSeconds and Wait Seconds as AWS does.
const maxSeconds = 99999999

// placeholderRE is compiled when first used: every Lambda links this package (through
// internal/config) and most never parse a definition.
var placeholderRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\$\{[A-Za-z0-9_]+\}$`) })

// Fields each state type accepts besides Type, Comment and QueryLanguage.
var stateFields = map[string][]string{
	"Pass":     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result"},
	"Task":     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Retry", "Catch", "Credentials"},
	"Choice":   {"Choices", "Default", "InputPath", "OutputPath"},
	"Wait":     {"Next", "End", "InputPath", "OutputPath", "Seconds", "SecondsPath", "Timestamp", "TimestampPath"},
	"Succeed":  {"InputPath", "OutputPath"},
	"Fail":     {"Error", "ErrorPath", "Cause", "CausePath"},
	"Parallel": {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Branches", "Retry", "Catch"},
	"Map":      {"Next", "End", "InputPath", "OutputPath", "ResultPath", "ResultSelector", "ItemsPath", "ItemSelector", "Parameters", "ItemProcessor", "Iterator", "MaxConcurrency", "MaxConcurrencyPath", "Retry", "Catch"},
}

// Fields of the States Language this interpreter deliberately does not implement.
var unsupportedFields = map[string]string{
	"Assign":                         "workflow variables (Assign) are not supported",
	"Arguments":                      "Arguments belongs to JSONata; only JSONPath is supported",
	"Output":                         "Output belongs to JSONata; only JSONPath is supported",
	"ItemReader":                     "distributed Map (ItemReader) is not supported",
	"ItemBatcher":                    "distributed Map (ItemBatcher) is not supported",
	"ResultWriter":                   "distributed Map (ResultWriter) is not supported",
	"ToleratedFailurePercentage":     "distributed Map (ToleratedFailurePercentage) is not supported",
	"ToleratedFailureCount":          "distributed Map (ToleratedFailureCount) is not supported",
	"ToleratedFailurePercentagePath": "distributed Map (ToleratedFailurePercentagePath) is not supported",
	"ToleratedFailureCountPath":      "distributed Map (ToleratedFailureCountPath) is not supported",
	"Label":                          "distributed Map (Label) is not supported",
}

// Parse validates and compiles a definition. Errors name the state, the field and the
// reason, e.g. `state "Verify": Next "Nope" does not name a state`. Unknown fields are
// errors.
func Parse(definition []byte) (*Machine, error) {
	v, err := decodeStrict(definition)
	if err != nil {
		return nil, fmt.Errorf("definition is not valid JSON: %w", locateJSONError(definition, err))
	}
	top, ok := v.(*object)
	if !ok {
		return nil, fmt.Errorf("definition must be a JSON object, got %s", typeName(v))
	}
	p := &parser{names: map[string]bool{}, resources: map[string]bool{}}
	m := &Machine{}
	f := fields{o: top, where: "definition"}
	if err := f.only([]string{"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"}); err != nil {
		return nil, err
	}
	if err := f.queryLanguage(); err != nil {
		return nil, err
	}
	if _, _, err := f.str("Version"); err != nil {
		return nil, err
	}
	if _, _, err := f.str("Comment"); err != nil {
		return nil, err
	}
	if n, ok, err := f.integer("TimeoutSeconds", 1, maxSeconds); err != nil {
		return nil, err
	} else if ok {
		m.timeout = n
	}
	root, err := p.machine(top, "definition")
	if err != nil {
		return nil, err
	}
	if err := p.checkTransitions(); err != nil {
		return nil, err
	}
	m.root = root
	for r := range p.resources {
		m.resources = append(m.resources, r)
	}
	sort.Strings(m.resources)
	return m, nil
}

// locateJSONError adds a line and column to a JSON syntax error.
func locateJSONError(data []byte, err error) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return err
	}
	off := int(min(se.Offset, int64(len(data))))
	line := 1 + strings.Count(string(data[:off]), "\n")
	col := off - strings.LastIndex(string(data[:off]), "\n")
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}

type parser struct {
	names       map[string]bool // every state name, across all scopes
	resources   map[string]bool
	transitions []transition
	machines    []*stateMachine
}

// transition is a Next, Default or catcher Next to check once all states are known.
type transition struct {
	sm     *stateMachine
	where  string
	field  string
	target string
}

// fields reads one JSON object of the definition strictly.
type fields struct {
	o     *object
	where string
}

func (f fields) errorf(format string, a ...any) error {
	return fmt.Errorf("%s: %s", f.where, fmt.Sprintf(format, a...))
}

func (f fields) has(k string) bool {
	_, ok := f.o.get(k)
	return ok
}

// only rejects fields outside allowed (Comment is always allowed).
func (f fields) only(allowed []string) error {
	for _, k := range f.o.keys {
		if k == "Comment" || slices.Contains(allowed, k) {
			continue
		}
		if why, ok := unsupportedFields[k]; ok {
			return f.errorf("%s", why)
		}
		return f.errorf("unknown field %q", k)
	}
	return nil
}

func (f fields) queryLanguage() error {
	v, ok := f.o.get("QueryLanguage")
	if !ok {
		return nil
	}
	switch v {
	case "JSONPath":
		return nil
	case "JSONata":
		return f.errorf(`QueryLanguage "JSONata" is not supported; only JSONPath is`)
	}
	return f.errorf(`QueryLanguage must be "JSONPath", got %s`, encodeJSON(v))
}

func (f fields) str(k string) (string, bool, error) {
	v, ok := f.o.get(k)
	if !ok {
		return "", false, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return "", true, f.errorf("%s must be a string, got %s", k, typeName(v))
	}
	return s, true, nil
}

func (f fields) nonEmpty(k string) (string, bool, error) {
	s, ok, err := f.str(k)
	if err == nil && ok && s == "" {
		err = f.errorf("%s must not be empty", k)
	}
	return s, ok, err
}

func (f fields) integer(k string, lo, hi int64) (int64, bool, error) {
	v, ok := f.o.get(k)
	if !ok {
		return 0, false, nil
	}
	n, isInt := intOf(v)
	if !isInt || n < lo || n > hi {
		return 0, true, f.errorf("%s must be an integer from %d to %d, got %s", k, lo, hi, encodeJSON(v))
	}
	return n, true, nil
}

func (f fields) path(k string, reference bool) (*Path, error) {
	s, ok, err := f.str(k)
	if err != nil || !ok {
		return nil, err
	}
	var p *Path
	if reference {
		p, err = parseReferencePath(s)
	} else {
		p, err = parsePath(s)
	}
	if err != nil {
		return nil, f.errorf("%s: %v", k, err)
	}
	return p, nil
}

func (f fields) ioPath(k string) (ioPath, error) {
	v, ok := f.o.get(k)
	if !ok {
		return ioPath{}, nil
	}
	if v == nil {
		return ioPath{null: true}, nil
	}
	p, err := f.path(k, false)
	return ioPath{path: p}, err
}

func (f fields) resultPath(k string) (resultPath, error) {
	v, ok := f.o.get(k)
	if !ok {
		return resultPath{}, nil
	}
	if v == nil {
		return resultPath{null: true}, nil
	}
	p, err := f.path(k, true)
	if err != nil {
		return resultPath{}, err
	}
	if p.context {
		return resultPath{}, f.errorf("%s may not point into the context object ($$)", k)
	}
	return resultPath{path: p}, nil
}

func (f fields) template(k string) (*tmpl, error) {
	v, ok := f.o.get(k)
	if !ok {
		return nil, nil
	}
	t, err := compileTemplate(v)
	if err != nil {
		return nil, f.errorf("%s: %v", k, err)
	}
	return t, nil
}

func (f fields) dyn(k string) (*dynString, error) {
	s, ok, err := f.str(k)
	if err != nil || !ok {
		return nil, err
	}
	if strings.HasPrefix(s, "$") {
		p, err := parseReferencePath(s)
		if err != nil {
			return nil, f.errorf("%s: %v", k, err)
		}
		return &dynString{path: p, src: s}, nil
	}
	fn, err := parseIntrinsic(s)
	if err != nil {
		return nil, f.errorf("%s must be a reference path or an intrinsic function: %v", k, err)
	}
	return &dynString{fn: fn, src: s}, nil
}

// machine parses {StartAt, States} at the top level, in a Parallel branch or in a Map
// processor. The caller has already checked the object's other fields.
func (p *parser) machine(o *object, where string) (*stateMachine, error) {
	f := fields{o: o, where: where}
	startAt, ok, err := f.nonEmpty("StartAt")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, f.errorf("StartAt is required")
	}
	sv, ok := o.get("States")
	if !ok {
		return nil, f.errorf("States is required")
	}
	so, ok := sv.(*object)
	if !ok || so.len() == 0 {
		return nil, f.errorf("States must be a non-empty object")
	}
	sm := &stateMachine{startAt: startAt, states: make(map[string]*state, so.len())}
	for _, name := range so.keys {
		if name == "" {
			return nil, f.errorf("a state name may not be empty")
		}
		if len(name) > 80 {
			return nil, fmt.Errorf("state %q: the name is longer than 80 characters", name)
		}
		if p.names[name] {
			return nil, fmt.Errorf("state %q: the name is used more than once (names must be unique across the whole state machine)", name)
		}
		p.names[name] = true
		st, err := p.state(name, so.vals[name], sm)
		if err != nil {
			return nil, err
		}
		sm.states[name] = st
		sm.order = append(sm.order, name)
	}
	if _, ok := sm.states[startAt]; !ok {
		return nil, f.errorf("StartAt %q does not name a state", startAt)
	}
	p.machines = append(p.machines, sm)
	return sm, nil
}

// checkTransitions runs once every state is known, so that a target in another scope
// gets a precise message, then checks that every state is reachable.
func (p *parser) checkTransitions() error {
	for _, t := range p.transitions {
		if _, ok := t.sm.states[t.target]; ok {
			continue
		}
		if p.names[t.target] {
			return fmt.Errorf("%s: %s %q names a state outside its own branch or Map processor", t.where, t.field, t.target)
		}
		return fmt.Errorf("%s: %s %q does not name a state", t.where, t.field, t.target)
	}
	for _, sm := range p.machines {
		reached := map[string]bool{sm.startAt: true}
		queue := []string{sm.startAt}
		for len(queue) > 0 {
			st := sm.states[queue[0]]
			queue = queue[1:]
			var targets []string
			if st.next != "" {
				targets = append(targets, st.next)
			}
			if st.defaultNext != "" {
				targets = append(targets, st.defaultNext)
			}
			for _, c := range st.choices {
				targets = append(targets, c.next)
			}
			for _, c := range st.catch {
				targets = append(targets, c.next)
			}
			for _, t := range targets {
				if !reached[t] {
					reached[t] = true
					queue = append(queue, t)
				}
			}
		}
		for _, name := range sm.order {
			if !reached[name] {
				return fmt.Errorf("state %q: not reachable from StartAt %q", name, sm.startAt)
			}
		}
	}
	return nil
}

func (p *parser) addTransition(sm *stateMachine, where, field, target string) {
	p.transitions = append(p.transitions, transition{sm: sm, where: where, field: field, target: target})
}

func (p *parser) state(name string, v any, sm *stateMachine) (*state, error) {
	where := fmt.Sprintf("state %q", name)
	o, ok := v.(*object)
	if !ok {
		return nil, fmt.Errorf("%s: must be an object, got %s", where, typeName(v))
	}
	f := fields{o: o, where: where}
	typ, ok, err := f.str("Type")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, f.errorf("Type is required")
	}
	allowed, known := stateFields[typ]
	if !known {
		return nil, f.errorf("unknown Type %q", typ)
	}
	for _, k := range o.keys {
		if k == "Type" || k == "Comment" || k == "QueryLanguage" || slices.Contains(allowed, k) {
			continue
		}
		if why, ok := unsupportedFields[k]; ok {
			return nil, f.errorf("%s", why)
		}
		for _, list := range stateFields {
			if slices.Contains(list, k) {
				return nil, f.errorf("field %q is not allowed in a %s state", k, typ)
			}
		}
		return nil, f.errorf("unknown field %q", k)
	}
	if err := f.queryLanguage(); err != nil {
		return nil, err
	}
	if _, _, err := f.str("Comment"); err != nil {
		return nil, err
	}
	st := &state{name: name, typ: typ}

	// Next / End.
	if slices.Contains(allowed, "Next") {
		next, hasNext, err := f.nonEmpty("Next")
		if err != nil {
			return nil, err
		}
		end := false
		if ev, ok := o.get("End"); ok {
			b, isBool := ev.(bool)
			if !isBool {
				return nil, f.errorf("End must be true or false, got %s", encodeJSON(ev))
			}
			end = b
		}
		switch {
		case hasNext && end:
			return nil, f.errorf("has both Next and End")
		case !hasNext && !end:
			return nil, f.errorf("needs Next or \"End\": true")
		}
		st.next, st.end = next, end
		if hasNext {
			p.addTransition(sm, where, "Next", next)
		}
	}

	if st.inputPath, err = f.ioPath("InputPath"); err != nil {
		return nil, err
	}
	if st.outputPath, err = f.ioPath("OutputPath"); err != nil {
		return nil, err
	}
	if st.resultPath, err = f.resultPath("ResultPath"); err != nil {
		return nil, err
	}
	if typ != "Map" {
		if st.parameters, err = f.template("Parameters"); err != nil {
			return nil, err
		}
	}
	if st.resultSelector, err = f.template("ResultSelector"); err != nil {
		return nil, err
	}
	if st.retry, err = p.retriers(f); err != nil {
		return nil, err
	}
	if st.catch, err = p.catchers(f, sm); err != nil {
		return nil, err
	}

	switch typ {
	case "Pass":
		st.result, st.hasResult = o.get("Result")
	case "Task":
		err = p.task(f, st)
	case "Choice":
		err = p.choice(f, st, sm)
	case "Wait":
		err = p.wait(f, st)
	case "Fail":
		err = p.fail(f, st)
	case "Parallel":
		err = p.parallel(f, st)
	case "Map":
		err = p.mapState(f, st)
	}
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (p *parser) task(f fields, st *state) error {
	res, ok, err := f.nonEmpty("Resource")
	if err != nil {
		return err
	}
	if !ok {
		return f.errorf("Resource is required")
	}
	if !strings.HasPrefix(res, "arn:") && !placeholderRE().MatchString(res) {
		return f.errorf("Resource %q is neither an ARN nor a ${Placeholder}", res)
	}
	st.resource = res
	st.waitForToken = strings.HasSuffix(res, ".waitForTaskToken")
	p.resources[res] = true
	if f.has("TimeoutSeconds") && f.has("TimeoutSecondsPath") {
		return f.errorf("TimeoutSeconds and TimeoutSecondsPath are mutually exclusive")
	}
	if f.has("HeartbeatSeconds") && f.has("HeartbeatSecondsPath") {
		return f.errorf("HeartbeatSeconds and HeartbeatSecondsPath are mutually exclusive")
	}
	if st.timeoutSeconds, _, err = f.integer("TimeoutSeconds", 1, maxSeconds); err != nil {
		return err
	}
	if st.heartbeatSeconds, _, err = f.integer("HeartbeatSeconds", 1, maxSeconds); err != nil {
		return err
	}
	if st.timeoutSeconds > 0 && st.heartbeatSeconds >= st.timeoutSeconds {
		return f.errorf("HeartbeatSeconds (%d) must be smaller than TimeoutSeconds (%d)", st.heartbeatSeconds, st.timeoutSeconds)
	}
	if st.timeoutPath, err = f.path("TimeoutSecondsPath", true); err != nil {
		return err
	}
	if st.heartbeatPath, err = f.path("HeartbeatSecondsPath", true); err != nil {
		return err
	}
	if v, ok := f.o.get("Credentials"); ok {
		if _, isObj := v.(*object); !isObj {
			return f.errorf("Credentials must be an object")
		}
	}
	return nil
}

func (p *parser) choice(f fields, st *state, sm *stateMachine) error {
	v, ok := f.o.get("Choices")
	if !ok {
		return f.errorf("Choices is required")
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return f.errorf("Choices must be a non-empty array")
	}
	for i, e := range list {
		r, err := compileChoiceRule(e, true, fmt.Sprintf("Choices[%d]", i))
		if err != nil {
			return f.errorf("%v", err)
		}
		st.choices = append(st.choices, r)
		p.addTransition(sm, f.where, fmt.Sprintf("Choices[%d].Next", i), r.next)
	}
	def, ok, err := f.nonEmpty("Default")
	if err != nil {
		return err
	}
	if ok {
		st.defaultNext = def
		p.addTransition(sm, f.where, "Default", def)
	}
	return nil
}

func (p *parser) wait(f fields, st *state) error {
	var set []string
	for _, k := range []string{"Seconds", "SecondsPath", "Timestamp", "TimestampPath"} {
		if f.has(k) {
			set = append(set, k)
		}
	}
	if len(set) != 1 {
		return f.errorf("needs exactly one of Seconds, SecondsPath, Timestamp and TimestampPath, has %d", len(set))
	}
	var err error
	switch set[0] {
	case "Seconds":
		st.seconds, st.hasSeconds, err = f.integer("Seconds", 0, maxSeconds)
	case "SecondsPath":
		st.secondsPath, err = f.path("SecondsPath", true)
	case "Timestamp":
		var s string
		if s, _, err = f.str("Timestamp"); err == nil {
			ts, ok := parseTimestamp(s)
			if !ok {
				return f.errorf("Timestamp %q is not an RFC 3339 timestamp", s)
			}
			st.timestamp, st.hasTimestamp = ts, true
		}
	case "TimestampPath":
		st.timestampPath, err = f.path("TimestampPath", true)
	}
	return err
}

func (p *parser) fail(f fields, st *state) error {
	if f.has("Error") && f.has("ErrorPath") {
		return f.errorf("Error and ErrorPath are mutually exclusive")
	}
	if f.has("Cause") && f.has("CausePath") {
		return f.errorf("Cause and CausePath are mutually exclusive")
	}
	var err error
	if st.errorName, _, err = f.str("Error"); err != nil {
		return err
	}
	if st.cause, _, err = f.str("Cause"); err != nil {
		return err
	}
	if st.errorDyn, err = f.dyn("ErrorPath"); err != nil {
		return err
	}
	st.causeDyn, err = f.dyn("CausePath")
	return err
}

func (p *parser) parallel(f fields, st *state) error {
	v, ok := f.o.get("Branches")
	if !ok {
		return f.errorf("Branches is required")
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return f.errorf("Branches must be a non-empty array")
	}
	for i, b := range list {
		where := fmt.Sprintf("%s: Branches[%d]", f.where, i)
		bo, ok := b.(*object)
		if !ok {
			return fmt.Errorf("%s: must be an object", where)
		}
		bf := fields{o: bo, where: where}
		if err := bf.only([]string{"StartAt", "States"}); err != nil {
			return err
		}
		sm, err := p.machine(bo, where)
		if err != nil {
			return err
		}
		st.branches = append(st.branches, sm)
	}
	return nil
}

func (p *parser) mapState(f fields, st *state) error {
	if f.has("ItemSelector") && f.has("Parameters") {
		return f.errorf("ItemSelector and Parameters are mutually exclusive (Parameters is the older name of ItemSelector)")
	}
	if f.has("ItemProcessor") && f.has("Iterator") {
		return f.errorf("ItemProcessor and Iterator are mutually exclusive (Iterator is the older name of ItemProcessor)")
	}
	if f.has("MaxConcurrency") && f.has("MaxConcurrencyPath") {
		return f.errorf("MaxConcurrency and MaxConcurrencyPath are mutually exclusive")
	}
	var err error
	key := "ItemSelector"
	if f.has("Parameters") {
		key = "Parameters"
	}
	if st.parameters, err = f.template(key); err != nil {
		return err
	}
	if st.itemsPath, err = f.path("ItemsPath", true); err != nil {
		return err
	}
	if st.maxConcurrency, _, err = f.integer("MaxConcurrency", 0, 1<<31-1); err != nil {
		return err
	}
	if st.maxConcurrencyPath, err = f.path("MaxConcurrencyPath", true); err != nil {
		return err
	}
	key = "ItemProcessor"
	if f.has("Iterator") {
		key = "Iterator"
	}
	v, ok := f.o.get(key)
	if !ok {
		return f.errorf("ItemProcessor is required")
	}
	po, ok := v.(*object)
	if !ok {
		return f.errorf("%s must be an object", key)
	}
	where := fmt.Sprintf("%s: %s", f.where, key)
	pf := fields{o: po, where: where}
	allowed := []string{"StartAt", "States"}
	if key == "ItemProcessor" {
		allowed = append(allowed, "ProcessorConfig")
	}
	if err := pf.only(allowed); err != nil {
		return err
	}
	if cv, ok := po.get("ProcessorConfig"); ok {
		co, ok := cv.(*object)
		if !ok {
			return pf.errorf("ProcessorConfig must be an object")
		}
		cf := fields{o: co, where: where + ".ProcessorConfig"}
		if err := cf.only([]string{"Mode", "ExecutionType"}); err != nil {
			return err
		}
		mode, _, err := cf.str("Mode")
		if err != nil {
			return err
		}
		switch mode {
		case "", "INLINE":
		case "DISTRIBUTED":
			return cf.errorf(`Mode "DISTRIBUTED" is not supported; only INLINE Map states are`)
		default:
			return cf.errorf(`Mode must be "INLINE" or "DISTRIBUTED", got %q`, mode)
		}
		if cf.has("ExecutionType") {
			return cf.errorf("ExecutionType is only allowed with Mode DISTRIBUTED")
		}
	}
	st.processor, err = p.machine(po, where)
	return err
}

func (p *parser) retriers(f fields) ([]retrier, error) {
	v, ok := f.o.get("Retry")
	if !ok {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, f.errorf("Retry must be an array")
	}
	var out []retrier
	for i, e := range list {
		o, ok := e.(*object)
		if !ok {
			return nil, f.errorf("Retry[%d] must be an object", i)
		}
		rf := fields{o: o, where: fmt.Sprintf("%s: Retry[%d]", f.where, i)}
		if err := rf.only([]string{"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy"}); err != nil {
			return nil, err
		}
		eq, err := errorEquals(rf, i == len(list)-1)
		if err != nil {
			return nil, err
		}
		r := retrier{errorEquals: eq, interval: 1, maxAttempts: 3, backoff: 2}
		if n, ok, err := rf.integer("IntervalSeconds", 1, maxSeconds); err != nil {
			return nil, err
		} else if ok {
			r.interval = n
		}
		if n, ok, err := rf.integer("MaxAttempts", 0, maxSeconds); err != nil {
			return nil, err
		} else if ok {
			r.maxAttempts = n
		}
		if n, ok, err := rf.integer("MaxDelaySeconds", 1, maxSeconds); err != nil {
			return nil, err
		} else if ok {
			r.maxDelay = n
		}
		if bv, ok := o.get("BackoffRate"); ok {
			b, isNum := floatOf(bv)
			if !isNum || b < 1 {
				return nil, rf.errorf("BackoffRate must be a number of at least 1.0, got %s", encodeJSON(bv))
			}
			r.backoff = b
		}
		js, ok, err := rf.str("JitterStrategy")
		if err != nil {
			return nil, err
		}
		if ok {
			switch js {
			case "FULL":
				r.jitterFull = true
			case "NONE":
			default:
				return nil, rf.errorf(`JitterStrategy must be "FULL" or "NONE", got %q`, js)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func (p *parser) catchers(f fields, sm *stateMachine) ([]catcher, error) {
	v, ok := f.o.get("Catch")
	if !ok {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, f.errorf("Catch must be an array")
	}
	var out []catcher
	for i, e := range list {
		o, ok := e.(*object)
		if !ok {
			return nil, f.errorf("Catch[%d] must be an object", i)
		}
		cf := fields{o: o, where: fmt.Sprintf("%s: Catch[%d]", f.where, i)}
		if err := cf.only([]string{"ErrorEquals", "Next", "ResultPath"}); err != nil {
			return nil, err
		}
		eq, err := errorEquals(cf, i == len(list)-1)
		if err != nil {
			return nil, err
		}
		next, ok, err := cf.nonEmpty("Next")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, cf.errorf("Next is required")
		}
		rp, err := cf.resultPath("ResultPath")
		if err != nil {
			return nil, err
		}
		p.addTransition(sm, f.where, fmt.Sprintf("Catch[%d].Next", i), next)
		out = append(out, catcher{errorEquals: eq, next: next, resultPath: rp})
	}
	return out, nil
}

// errorEquals reads a retrier's or catcher's ErrorEquals: States.ALL must be alone and in
// the last retrier or catcher.
func errorEquals(f fields, last bool) ([]string, error) {
	v, ok := f.o.get("ErrorEquals")
	if !ok {
		return nil, f.errorf("ErrorEquals is required")
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, f.errorf("ErrorEquals must be a non-empty array of error names")
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok || s == "" {
			return nil, f.errorf("ErrorEquals must contain non-empty strings, got %s", encodeJSON(e))
		}
		out = append(out, s)
	}
	if slices.Contains(out, ErrAll) {
		if len(out) > 1 {
			return nil, f.errorf("States.ALL must appear alone in ErrorEquals")
		}
		if !last {
			return nil, f.errorf("States.ALL must appear in the last element of the array")
		}
	}
	return out, nil
}

// qualify builds the qualified names used by Path and HistoryEvent.State.
func qualify(prefix, name string) string { return prefix + name }

func childPrefix(prefix, parent string, index int) string {
	return prefix + parent + "/" + strconv.Itoa(index) + "/"
}
