package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/oncall"
)

func runOncall(ctx context.Context, env Env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "shifts":
			return runOncallShifts(env, args[1:])
		case "ics":
			return runOncallICS(env, args[1:])
		}
	}
	fs := newFlags("oncall", env)
	cfgPath := fs.String("config", "", "configuration file")
	atFlag := fs.String("at", "now", "the instant asked about")
	asJSON := fs.Bool("json", false, "print a JSON list of {schedule, contact, name, start, end}")
	names, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	now := time.Now()
	at, err := parseWhen(*atFlag, now)
	if err != nil {
		return fmt.Errorf("%w: --at: %v", errUsage, err)
	}
	cfg, err := loadOncallConfig(env, *cfgPath)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		names = cfg.ScheduleNames()
		if len(names) == 0 {
			return fmt.Errorf("%s has no schedules (see docs/oncall.md)", cfg.File)
		}
	}
	type entry struct {
		Schedule string `json:"schedule"`
		Contact  string `json:"contact"`
		Name     string `json:"name,omitempty"`
		Start    string `json:"start"`
		End      string `json:"end"`
		Gap      bool   `json:"gap,omitempty"`
		Team     string `json:"fallback_team,omitempty"`
	}
	var out []entry
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	for _, name := range names {
		s := cfg.Schedules[name]
		if s == nil {
			return fmt.Errorf("%q is not a schedule (schedules: %s)", name, strings.Join(cfg.ScheduleNames(), ", "))
		}
		sh, err := oncall.At(name, s, cfg.Overrides, at)
		if err != nil {
			return err
		}
		start, end := sh.Start.UTC().Format(time.RFC3339), sh.End.UTC().Format(time.RFC3339)
		loc := scheduleZone(s)
		span := fmt.Sprintf("%s → %s", sh.Start.In(loc).Format("Mon 2006-01-02 15:04 MST"), sh.End.In(loc).Format("Mon 2006-01-02 15:04 MST"))
		if sh.Gap() {
			out = append(out, entry{Schedule: name, Start: start, End: end, Gap: true, Team: s.Team})
			who := "nobody"
			if s.Team != "" {
				who += " (pages fall through to team " + s.Team + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", name, who, span)
			continue
		}
		for _, id := range sh.Contacts {
			display := id
			e := entry{Schedule: name, Contact: id, Start: start, End: end}
			if c := cfg.Contact(id); c != nil && c.Name != "" {
				e.Name = c.Name
				display = c.Name + " (" + id + ")"
			}
			out = append(out, e)
			fmt.Fprintf(tw, "%s\t%s\t%s\n", name, display, span)
		}
	}
	if *asJSON {
		return writeJSON(env.Stdout, out)
	}
	return tw.Flush()
}

func runOncallShifts(env Env, args []string) error {
	fs := newFlags("oncall shifts", env)
	cfgPath := fs.String("config", "", "configuration file")
	fromFlag := fs.String("from", "", "start of the preview")
	toFlag := fs.String("to", "", "end of the preview")
	asJSON := fs.Bool("json", false, "print a JSON list of {schedule, contacts, start, end}")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *fromFlag == "" || *toFlag == "" {
		return fmt.Errorf("%w: want one SCHEDULE, --from and --to", errUsage)
	}
	name, s, cfg, from, to, err := scheduleWindow(env, *cfgPath, pos[0], *fromFlag, *toFlag)
	if err != nil {
		return err
	}
	shifts, err := oncall.Timeline(name, s, cfg.Overrides, from, to)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.Stdout, shifts)
	}
	loc := scheduleZone(s)
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	for _, sh := range shifts {
		who := strings.Join(sh.Contacts, ", ")
		if sh.Gap() {
			who = "nobody (gap)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", sh.Start.In(loc).Format("Mon 2006-01-02 15:04 MST"), sh.End.In(loc).Format("Mon 2006-01-02 15:04 MST"),
			config.Short(sh.End.Sub(sh.Start)), who)
	}
	return tw.Flush()
}

func runOncallICS(env Env, args []string) error {
	fs := newFlags("oncall ics", env)
	cfgPath := fs.String("config", "", "configuration file")
	fromFlag := fs.String("from", "now-7d", "first shifts")
	toFlag := fs.String("to", "now+90d", "last shifts")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: want one SCHEDULE", errUsage)
	}
	name, s, cfg, from, to, err := scheduleWindow(env, *cfgPath, pos[0], *fromFlag, *toFlag)
	if err != nil {
		return err
	}
	shifts, err := oncall.Timeline(name, s, cfg.Overrides, from, to)
	if err != nil {
		return err
	}
	names := func(id string) string {
		if c := cfg.Contact(id); c != nil {
			return c.Name
		}
		return ""
	}
	_, err = io.WriteString(env.Stdout, oncall.ICS(name, shifts, names, time.Now()))
	return err
}

func scheduleWindow(env Env, cfgPath, name, fromS, toS string) (string, *oncall.Schedule, *config.Config, time.Time, time.Time, error) {
	var zero time.Time
	now := time.Now()
	from, err := parseWhen(fromS, now)
	if err != nil {
		return "", nil, nil, zero, zero, fmt.Errorf("%w: --from: %v", errUsage, err)
	}
	to, err := parseWhen(toS, now)
	if err != nil {
		return "", nil, nil, zero, zero, fmt.Errorf("%w: --to: %v", errUsage, err)
	}
	if !to.After(from) {
		return "", nil, nil, zero, zero, fmt.Errorf("%w: --to %s is not after --from %s", errUsage, toS, fromS)
	}
	cfg, err := loadOncallConfig(env, cfgPath)
	if err != nil {
		return "", nil, nil, zero, zero, err
	}
	s := cfg.Schedules[name]
	if s == nil {
		return "", nil, nil, zero, zero, fmt.Errorf("%q is not a schedule (schedules: %s)", name, strings.Join(cfg.ScheduleNames(), ", "))
	}
	return name, s, cfg, from, to, nil
}

// loadOncallConfig loads the configuration and reports its warnings on stderr.
func loadOncallConfig(env Env, path string) (*config.Config, error) {
	cfg, err := loadConfig(path)
	if err != nil {
		return nil, err
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(env.Stderr, "warning: %v\n", w)
	}
	return cfg, nil
}

// scheduleZone is the time zone a schedule's times are shown in: its first layer's.
func scheduleZone(s *oncall.Schedule) *time.Location {
	for _, l := range s.Layers {
		if l == nil {
			continue
		}
		if loc, err := time.LoadLocation(l.TimeZone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// parseWhen reads RFC 3339, 2026-12-01T09:00 or 2026-12-01 (UTC), now, now+7d, now-12h.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if rest, ok := strings.CutPrefix(s, "now"); ok {
		if rest == "" {
			return now, nil
		}
		sign := time.Duration(1)
		switch rest[0] {
		case '+':
		case '-':
			sign = -1
		default:
			return time.Time{}, fmt.Errorf("%q: want now+7d or now-12h", s)
		}
		num := rest[1:]
		if d, ok := strings.CutSuffix(num, "d"); ok {
			n, err := strconv.Atoi(d)
			if err != nil {
				return time.Time{}, fmt.Errorf("%q: want now+7d or now-12h", s)
			}
			return now.AddDate(0, 0, int(sign)*n), nil
		}
		d, err := time.ParseDuration(num)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q: want now+7d or now-12h", s)
		}
		return now.Add(sign * d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (RFC 3339, 2026-12-01T09:00, 2026-12-01, now, now+7d)", s)
}
