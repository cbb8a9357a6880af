package cli_test

import (
	"strings"
	"testing"
)

// widest is the longest line of out, in runes.
func widest(out string) (int, string) {
	n, line := 0, ""
	for _, l := range strings.Split(out, "\n") {
		if r := len([]rune(l)); r > n {
			n, line = r, l
		}
	}
	return n, line
}

// TestHumanOutputFits120Columns: replay's, list's, show's and silence list's human
// output fits 120 columns; --wide prints the long cells whole.
func TestHumanOutputFits120Columns(t *testing.T) {
	const title = "GuardDuty AttackSequence:IAM/CompromisedCredentials" // longer than the list's title column
	code, out, errs := run(t, "", "replay", samples)
	if code != 0 {
		t.Fatalf("replay exit %d: %s", code, errs)
	}
	if n, line := widest(out); n > 120 {
		t.Errorf("replay: a line is %d columns; want at most 120: %q", n, line)
	}
	if strings.Contains(out, title) {
		t.Errorf("replay printed %q whole; want the title cut to fit", title)
	}
	_, wide, _ := run(t, "", "replay", "--wide", samples)
	if n, _ := widest(wide); n <= 120 || !strings.Contains(wide, title) {
		t.Errorf("replay --wide: widest line %d columns, title whole %v; want the cells whole", n, strings.Contains(wide, title))
	}

	s := serve(t, samples)
	list := s.ok(t, "list", "--status", "all")
	if n, line := widest(list); n > 120 {
		t.Errorf("incidents list: a line is %d columns; want at most 120: %q", n, line)
	}
	if wide := s.ok(t, "list", "--status", "all", "--wide"); !strings.Contains(wide, title) {
		t.Errorf("incidents list --wide lacks the whole title %q", title)
	}
	// Every incident's show fits.
	for _, line := range strings.Split(strings.TrimSpace(list), "\n")[1:] {
		id := strings.Fields(line)[0]
		if !strings.HasPrefix(id, "FB-") {
			continue // the legend under the table
		}
		if n, l := widest(s.ok(t, "show", id)); n > 120 {
			t.Errorf("incidents show %s: a line is %d columns; want at most 120: %q", id, n, l)
		}
	}
	s.ok(t, "silence", "add", "--match", "team=platform", "--match", "class=ops.*", "--match", "resource=arn:aws:ec2:eu-west-1:123456789012:instance/*",
		"--for", "2h", "--comment", strings.Repeat("a long reason for the quiet, ", 6))
	if n, l := widest(s.ok(t, "silence", "list")); n > 120 {
		t.Errorf("silence list: a line is %d columns; want at most 120: %q", n, l)
	}
	if n, _ := widest(s.ok(t, "silence", "list", "--wide")); n <= 120 {
		t.Errorf("silence list --wide: widest line %d columns; want the long comment whole", n)
	}
}

// TestSeverityCountsExplained: the summary counts incidents by severity at opening; when
// escalation or a person changed severities since, it says so and counts them as now.
func TestSeverityCountsExplained(t *testing.T) {
	_, out, _ := run(t, "", "replay", samples)
	if !strings.Contains(out, " at opening\n") || !strings.Contains(out, " now (raised by escalation or changed by a person since)") {
		t.Errorf("replay of the samples (severities raised by escalation) =\n%s\nwant the counts at opening and now, explained", out)
	}
	_, one, _ := run(t, "", "replay", samples+"/cloudtrail/stop-logging.json")
	if !strings.Contains(one, "Incidents by severity: sev1 1 · sev2 0 · sev3 0 · sev4 0\n") || strings.Contains(one, "at opening") {
		t.Errorf("replay of one event =\n%s\nwant one count by severity, nothing to explain", one)
	}
	if !strings.Contains(one, "Replayed 1 event ") {
		t.Errorf("replay of one event =\n%s\nwant \"Replayed 1 event\"", one)
	}
}
