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
	"github.com/firebreak-ops/firebreak/internal/page"
)

func runOncall(ctx context.Context, env Env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "shifts":
			return runOncallShifts(ctx, env, args[1:])
		case "ics":
			return runOncallICS(ctx, env, args[1:])
		case "override":
			return runOncallOverride(ctx, env, args[1:])
		case "overrides":
			return runOncallOverrides(ctx, env, args[1:])
		}
	}
	fs := newFlags("oncall", env)
	cfgPath := fs.String("config", "", "configuration file")
	atFlag := fs.String("at", "now", "the instant asked about")
	asJSON := fs.Bool("json", false, "print a JSON list of {schedule, contact, name, start, end}")
	apiURL := fs.String("api", "", "ask the API (configuration plus stored overrides)")
	names, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	now := time.Now()
	at, err := parseWhen(*atFlag, now)
	if err != nil {
		return fmt.Errorf("%w: --at: %v", errUsage, err)
	}
	var who []page.OnCall
	if *apiURL != "" {
		if who, err = apiWho(ctx, *apiURL, names, at); err != nil {
			return err
		}
	} else {
		cfg, err := loadOncallConfig(env, *cfgPath)
		if err != nil {
			return err
		}
		if len(names) == 0 && len(cfg.Schedules) == 0 {
			return fmt.Errorf("%s has no schedules (see docs/oncall.md)", cfg.File)
		}
		if who, err = (&page.Resolver{Config: cfg}).Who(ctx, names, at); err != nil {
			return err
		}
	}
	if *asJSON {
		if who == nil {
			who = []page.OnCall{}
		}
		return writeJSON(env.Stdout, who)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	for _, oc := range who {
		loc := zone(oc.TimeZone)
		span := fmt.Sprintf("%s → %s", oc.Start.In(loc).Format("Mon 2006-01-02 15:04 MST"), oc.End.In(loc).Format("Mon 2006-01-02 15:04 MST"))
		display := oc.Contact
		if oc.Name != "" {
			display = oc.Name + " (" + oc.Contact + ")"
		}
		if oc.Gap {
			display = "nobody"
			if oc.FallbackTeam != "" {
				display += " (pages fall through to team " + oc.FallbackTeam + ")"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", oc.Schedule, display, span)
	}
	return tw.Flush()
}

func runOncallShifts(ctx context.Context, env Env, args []string) error {
	fs := newFlags("oncall shifts", env)
	cfgPath := fs.String("config", "", "configuration file")
	fromFlag := fs.String("from", "", "start of the preview")
	toFlag := fs.String("to", "", "end of the preview")
	asJSON := fs.Bool("json", false, "print a JSON list of {schedule, contacts, start, end}")
	apiURL := fs.String("api", "", "ask the API (configuration plus stored overrides)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *fromFlag == "" || *toFlag == "" {
		return fmt.Errorf("%w: want one SCHEDULE, --from and --to", errUsage)
	}
	from, to, err := window(*fromFlag, *toFlag)
	if err != nil {
		return err
	}
	var shifts []oncall.Shift
	loc := time.UTC
	if *apiURL != "" {
		resp, err := apiShifts(ctx, *apiURL, pos[0], from, to)
		if err != nil {
			return err
		}
		shifts, loc = resp.Shifts, zone(resp.TimeZone)
	} else {
		cfg, err := loadOncallConfig(env, *cfgPath)
		if err != nil {
			return err
		}
		if shifts, err = (&page.Resolver{Config: cfg}).Shifts(ctx, pos[0], from, to); err != nil {
			return err
		}
		loc = cfg.Schedules[pos[0]].Location()
	}
	if *asJSON {
		return writeJSON(env.Stdout, shifts)
	}
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

func runOncallICS(ctx context.Context, env Env, args []string) error {
	fs := newFlags("oncall ics", env)
	cfgPath := fs.String("config", "", "configuration file")
	fromFlag := fs.String("from", "now-7d", "first shifts")
	toFlag := fs.String("to", "now+90d", "last shifts")
	apiURL := fs.String("api", "", "ask the API (configuration plus stored overrides)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: want one SCHEDULE", errUsage)
	}
	from, to, err := window(*fromFlag, *toFlag)
	if err != nil {
		return err
	}
	var cal string
	if *apiURL != "" {
		cal, err = apiICS(ctx, *apiURL, pos[0], from, to)
	} else {
		var cfg *config.Config
		if cfg, err = loadOncallConfig(env, *cfgPath); err != nil {
			return err
		}
		cal, err = (&page.Resolver{Config: cfg}).ICS(ctx, pos[0], from, to, time.Now())
	}
	if err != nil {
		return err
	}
	_, err = io.WriteString(env.Stdout, cal)
	return err
}

// window reads --from and --to.
func window(fromS, toS string) (time.Time, time.Time, error) {
	var zero time.Time
	now := time.Now()
	from, err := parseWhen(fromS, now)
	if err != nil {
		return zero, zero, fmt.Errorf("%w: --from: %v", errUsage, err)
	}
	to, err := parseWhen(toS, now)
	if err != nil {
		return zero, zero, fmt.Errorf("%w: --to: %v", errUsage, err)
	}
	if !to.After(from) {
		return zero, zero, fmt.Errorf("%w: --to %s is not after --from %s", errUsage, toS, fromS)
	}
	return from, to, nil
}

// zone loads a time zone the API named; UTC when it cannot.
func zone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
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
