package cli

// oncallCmd is what `firebreak oncall --help` and its subcommands' say (runs in oncall.go).
var oncallCmd = &command{
	name: "oncall", args: "[SCHEDULE...]", summary: "who is on call per schedule, shifts and .ics feeds, from the configuration",
	about: `TIME is RFC 3339 (2026-12-01T09:00:00+01:00), 2026-12-01T09:00 or 2026-12-01 (UTC), now, or
now+7d / now-12h. Answers come from the configuration and its overrides alone; overrides stored
through the API (and an --api variant of these commands) come later.`,
	arguments: [][2]string{{"SCHEDULE", "a schedule of the configuration; none: every schedule"}},
	example:   "firebreak oncall\nfirebreak oncall platform-primary --at 2026-12-24T20:00",
	run:       runOncall,
	subs: []*command{
		{name: "oncall shifts", args: "SCHEDULE", summary: "the shifts between two times, overrides applied, gaps shown",
			arguments: [][2]string{{"SCHEDULE", "a schedule of the configuration"}},
			example:   "firebreak oncall shifts platform-primary --from now --to now+14d"},
		{name: "oncall ics", args: "SCHEDULE", summary: "the schedule as an iCalendar (.ics) feed on stdout (default: 7 days back, 90 ahead)",
			arguments: [][2]string{{"SCHEDULE", "a schedule of the configuration"}},
			example:   "firebreak oncall ics platform-primary > platform-primary.ics"},
	},
}
