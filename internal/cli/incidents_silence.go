package cli

// The silence commands of incidents: add, list, end.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/silence"
)

func (r *incidentsRun) addSilence(ctx context.Context, match []string, d time.Duration, until, starts, comment string, force bool) error {
	var m silence.Matchers
	for _, kv := range match {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || v == "" {
			return fmt.Errorf("%w: --match %q: want key=value", errUsage, kv)
		}
		switch {
		case k == "class":
			m.Class = v
		case k == "team":
			m.Team = v
		case k == "account":
			m.Account = v
		case k == "region":
			m.Region = v
		case k == "resource":
			m.Resource = v
		case strings.HasPrefix(k, "tag:") && len(k) > 4:
			if m.Tags == nil {
				m.Tags = map[string]string{}
			}
			m.Tags[k[4:]] = v
		default:
			return fmt.Errorf("%w: --match %q: key is one of class, team, account, region, resource, tag:NAME", errUsage, kv)
		}
	}
	if len(match) == 0 {
		return usageOf("incidents silence add", "silence add needs at least one --match")
	}
	if (d > 0) == (until != "") {
		return usageOf("incidents silence add", "silence add needs --for DURATION or --until TIME (one of them)")
	}
	if strings.TrimSpace(comment) == "" {
		return usageOf("incidents silence add", "silence add needs --comment: say why it is quiet")
	}
	body := api.SilenceRequest{Matchers: m, Comment: comment, Force: force}
	if d > 0 {
		body.Duration = d.String()
	}
	for _, t := range []struct {
		flag  string
		value string
		into  *time.Time
	}{{"until", until, &body.Ends}, {"starts", starts, &body.Starts}} {
		if t.value == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, t.value)
		if err != nil {
			return fmt.Errorf("%w: --%s %q is not an RFC 3339 time like 2026-11-02T18:00:00Z", errUsage, t.flag, t.value)
		}
		*t.into = v
	}
	resp, printed, err := request[api.SilenceResponse](ctx, r, http.MethodPost, "/silences", nil, body)
	if err != nil || printed {
		return err
	}
	s := resp.Silence
	fmt.Fprintf(r.env.Stdout, "Silence %s: %s from %s until %s\n", s.ID, matchers(s.Matchers), when(s.Starts), when(s.Ends))
	if f := s.Forced; f != nil {
		fmt.Fprintf(r.env.Stdout, "Forced by %s: %s.\n", f.By, strings.Join(f.Reasons, "; "))
	}
	return nil
}

func (r *incidentsRun) silences(ctx context.Context) error {
	resp, printed, err := request[api.SilencesResponse](ctx, r, http.MethodGet, "/silences", nil, nil)
	if err != nil || printed {
		return err
	}
	if len(resp.Silences) == 0 {
		fmt.Fprintln(r.env.Stdout, "No silences.")
		return nil
	}
	// STARTS and ENDS are the window in force or the next one: for a weekly window of
	// the configuration, its next occurrence.
	if r.wide {
		t := newTable(true, "ID", "ORIGIN", "STATE", "STARTS", "ENDS", "REPEATS", "MATCHERS", "BY", "COMMENT")
		for _, s := range resp.Silences {
			starts, ends := silenceWindow(s)
			t.row(s.ID, first(s.Origin, "api"), s.State, when(starts), when(ends), repeats(s.Weekly), matchers(s.Matchers), first(s.CreatedBy, "—"), s.Comment)
		}
		return t.write(r.env.Stdout)
	}
	// In 120 columns the free text (matchers, who, why) takes a line of its own under
	// each silence, cut to fit.
	t := newTable(false, "ID", "ORIGIN", "STATE", "STARTS", "ENDS", "REPEATS").cut(5, 16)
	for _, s := range resp.Silences {
		starts, ends := silenceWindow(s)
		t.row(s.ID, first(s.Origin, "api"), s.State, when(starts), when(ends), repeats(s.Weekly))
	}
	var b strings.Builder
	err = t.write(&b)
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	out := []string{lines[0]}
	for i, s := range resp.Silences {
		detail := matchers(s.Matchers) + " · by " + first(s.CreatedBy, "—")
		if c := strings.TrimSpace(s.Comment); c != "" {
			detail += " · " + c
		}
		out = append(out, lines[i+1], "  "+elide(strings.Join(strings.Fields(detail), " "), width-2))
	}
	_, err = io.WriteString(r.env.Stdout, strings.Join(out, "\n")+"\n")
	return err
}

// silenceWindow is the window of a silence a list shows: the one in force or the next
// (for a weekly window of the configuration, its next occurrence).
func silenceWindow(s api.SilenceView) (starts, ends time.Time) {
	if s.Next != nil {
		return s.Next.Starts, s.Next.Ends
	}
	return s.Starts, s.Ends
}

// repeats describes a weekly window: "weekly sun 02:00 for 3h UTC".
func repeats(w *silence.Weekly) string {
	if w == nil {
		return "—"
	}
	tz := w.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	return fmt.Sprintf("weekly %s %s for %s %s", strings.Join(w.Days, ","), w.Start, w.Duration, tz)
}

func matchers(m silence.Matchers) string {
	var out []string
	for _, kv := range [][2]string{{"class", m.Class}, {"team", m.Team}, {"account", m.Account}, {"region", m.Region}, {"resource", m.Resource}} {
		if kv[1] != "" {
			out = append(out, kv[0]+"="+kv[1])
		}
	}
	var tags []string
	for k, v := range m.Tags {
		tags = append(tags, "tag:"+k+"="+v)
	}
	sort.Strings(tags)
	return strings.Join(append(out, tags...), " ")
}

func (r *incidentsRun) endSilence(ctx context.Context, id string) error {
	resp, printed, err := request[api.SilenceResponse](ctx, r, http.MethodDelete, "/silences/"+id, nil, nil)
	if err != nil || printed {
		return err
	}
	fmt.Fprintf(r.env.Stdout, "Silence %s ended at %s\n", resp.Silence.ID, when(resp.Silence.Ends))
	return nil
}

var _ flag.Value = (*matchFlags)(nil)
