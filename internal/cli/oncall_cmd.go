package cli

// oncallCmd is what `firebreak oncall --help` and its subcommands' say (runs in oncall.go).
var oncallCmd = &command{
	name: "oncall", args: "[SCHEDULE...]", summary: "who is on call per schedule, shifts, .ics feeds and overrides",
	about: `TIME is RFC 3339 (2026-12-01T09:00:00+01:00), 2026-12-01T09:00 or 2026-12-01 (UTC), now, or
now+7d / now-12h. With --api URL (a Function URL, or the URL firebreak serve prints) the answers
come from the API: the deployed configuration plus the overrides stored in the table. Without it,
who is on call, shifts and ics come from the configuration and its overrides alone; override and
overrides need the API (--api URL, else $FIREBREAK_API).`,
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
		{name: "oncall override", args: "SCHEDULE", summary: "store an override through the API: a contact takes over the schedule (or one layer)",
			arguments: [][2]string{{"SCHEDULE", "a schedule of the configuration"}},
			example:   "firebreak oncall override platform-primary --contact bob --from 2026-12-24T09:00 --to 2026-12-27T09:00 --reason \"swap\""},
		{name: "oncall overrides", args: "list|remove", summary: "the overrides stored through the API: list those not ended, remove one",
			example: "firebreak oncall overrides list\nfirebreak oncall overrides remove platform-primary 20261227T090000Z-1a2b3c4d", subs: []*command{
				{name: "oncall overrides list", args: "[SCHEDULE...]", summary: "the stored overrides that have not ended",
					arguments: [][2]string{{"SCHEDULE", "only these schedules; none: every schedule"}}, example: "firebreak oncall overrides list --json"},
				{name: "oncall overrides remove", args: "SCHEDULE ID", summary: "remove a stored override",
					arguments: [][2]string{{"SCHEDULE", "the override's schedule"}, {"ID", "the override, as overrides list shows it"}},
					example:   "firebreak oncall overrides remove platform-primary 20261227T090000Z-1a2b3c4d"},
			}},
	},
}
