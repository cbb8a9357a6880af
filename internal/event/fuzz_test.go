package event_test

import (
	"errors"
	"testing"

	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/event"
)

// check asserts what must hold for any input: Parse does not panic; an error is a
// ParseError, and only for input without the envelope essentials (ParseEnvelope fails
// the same way); a success is one or more complete events (id, source, subject,
// resource) with the input kept as Raw.
func check(t *testing.T, raw []byte) {
	evs, err := event.Parse(raw)
	_, envErr := event.ParseEnvelope(raw)
	if err != nil {
		if !errors.Is(err, event.ErrMalformed) || err.Error() == "" {
			t.Fatalf("Parse(%q) error %v is not a described ParseError", raw, err)
		}
		if envErr == nil {
			t.Fatalf("Parse(%q) error %v, but ParseEnvelope accepts it: a detail must never quarantine an event", raw, err)
		}
		return
	}
	if envErr != nil {
		t.Fatalf("Parse(%q) accepted, but ParseEnvelope says %v", raw, envErr)
	}
	if len(evs) == 0 {
		t.Fatalf("Parse(%q) = no events and no error", raw)
	}
	for _, e := range evs {
		if e.ID == "" || e.Resource == "" || e.Subject == "" || e.Source == "" || e.DetailType == "" {
			t.Fatalf("Parse(%q) = %+v; want id, resource, subject, source and detail-type", raw, e)
		}
		switch e.Signal {
		case event.Trigger, event.Recovery, event.Info:
		default:
			t.Fatalf("Parse(%q) signal = %q; want trigger, recovery or info", raw, e.Signal)
		}
		if string(e.Raw) != string(raw) {
			t.Fatalf("Parse(%q).Raw = %q; want the input", raw, e.Raw)
		}
	}
}

func addSamples(f *testing.F, prefix string) {
	ss, err := catalog.Samples()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range ss {
		if prefix == "" || len(s.File) > len(prefix) && s.File[:len(prefix)] == prefix {
			raw, err := catalog.ReadSample(s.File)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(raw)
		}
	}
}

func FuzzParseEnvelope(f *testing.F) {
	addSamples(f, "")
	f.Fuzz(func(t *testing.T, raw []byte) {
		env, err := event.ParseEnvelope(raw)
		if err != nil {
			if !errors.Is(err, event.ErrMalformed) {
				t.Fatalf("ParseEnvelope(%q) error %v is not a ParseError", raw, err)
			}
			return
		}
		if env.ID == "" || env.Source == "" || env.DetailType == "" || env.AccountID == "" || env.Region == "" || env.Time.IsZero() || len(env.Detail) == 0 || env.Detail[0] != '{' {
			t.Fatalf("ParseEnvelope(%q) = %+v; want every essential field, a region and an object detail", raw, env)
		}
	})
}

// fuzzDetail fuzzes one source's detail parser: the envelope is fixed, the detail varies.
func fuzzDetail(f *testing.F, detailType, source, samplePrefix string) {
	ss, err := catalog.Samples()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range ss {
		if len(s.File) > len(samplePrefix) && s.File[:len(samplePrefix)] == samplePrefix {
			raw, err := catalog.ReadSample(s.File)
			if err != nil {
				f.Fatal(err)
			}
			env, err := event.ParseEnvelope(raw)
			if err != nil {
				f.Fatal(err)
			}
			f.Add([]byte(env.Detail))
		}
	}
	f.Fuzz(func(t *testing.T, detail []byte) {
		check(t, envelope(detailType, source, string(detail)))
	})
}

func FuzzAlarm(f *testing.F)  { fuzzDetail(f, event.TypeAlarm, "aws.cloudwatch", "cloudwatch/") }
func FuzzConfig(f *testing.F) { fuzzDetail(f, event.TypeConfig, "aws.config", "config/") }
func FuzzAPICall(f *testing.F) {
	fuzzDetail(f, event.TypeAPICall, "aws.ec2", "cloudtrail/")
}
func FuzzSignIn(f *testing.F)    { fuzzDetail(f, event.TypeConsoleSignIn, "aws.signin", "signin/") }
func FuzzEC2State(f *testing.F)  { fuzzDetail(f, event.TypeEC2State, "aws.ec2", "ec2/") }
func FuzzHealth(f *testing.F)    { fuzzDetail(f, event.TypeHealth, "aws.health", "health/") }
func FuzzGuardDuty(f *testing.F) { fuzzDetail(f, event.TypeGuardDuty, "aws.guardduty", "guardduty/") }
func FuzzSecurityHub(f *testing.F) {
	fuzzDetail(f, event.TypeSecurityHub, "aws.securityhub", "securityhub/")
}
func FuzzApplication(f *testing.F) { fuzzDetail(f, event.TypeApplication, "app.checkout", "custom/") }

// FuzzParse fuzzes whole events, whatever their source.
func FuzzParse(f *testing.F) {
	addSamples(f, "")
	f.Fuzz(func(t *testing.T, raw []byte) { check(t, raw) })
}
