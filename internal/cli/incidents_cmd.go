package cli

// incidentsCmd is what `firebreak incidents --help` and its subcommands say (they run
// in incidents.go and reviews.go).
var incidentsCmd = &command{
	name: "incidents", args: "COMMAND [ARG...]", summary: "work incidents through the API: list, show, ack, resolve, note, silence …",
	about: `The API is --api URL, else $FIREBREAK_API: an https Function URL (requests are signed with your
AWS credentials) or a local firebreak serve (http://127.0.0.1:PORT). Changes carry an
Idempotency-Key, so a retried request is applied once.`,
	example: "export FIREBREAK_API=http://127.0.0.1:8080\nfirebreak incidents list\nfirebreak incidents ack FB-EJIY5JMC-1 --note \"looking\"",
	run:     runIncidents,
	subs: []*command{
		{name: "incidents list", summary: "incidents, newest first (default: the active ones)",
			example: "firebreak incidents list --status all --team platform --limit 20"},
		{name: "incidents show", args: "ID", summary: "the incident, its timeline and approvals",
			arguments: [][2]string{{"ID", "the incident"}}, example: "firebreak incidents show FB-EJIY5JMC-1"},
		{name: "incidents ack", args: "ID", summary: "acknowledge: you are on it, escalation stops",
			arguments: [][2]string{{"ID", "the incident"}}, example: "firebreak incidents ack FB-EJIY5JMC-1 --note \"looking\""},
		{name: "incidents resolve", args: "ID", summary: "resolve: the cause is fixed",
			arguments: [][2]string{{"ID", "the incident"}}, example: "firebreak incidents resolve FB-EJIY5JMC-1 --note \"logging restarted\""},
		{name: "incidents status", args: "ID mitigated|closed|open", summary: "mitigate, close, or re-open",
			arguments: [][2]string{{"ID", "the incident"}, {"mitigated", "the impact is contained, the cause not yet fixed"},
				{"closed", "a resolved incident needs nothing more"}, {"open", "re-open a mitigated, resolved or closed incident"}},
			example: "firebreak incidents status FB-EJIY5JMC-1 mitigated --note \"rolled back\""},
		{name: "incidents note", args: "ID TEXT...", summary: "add a note (an update) to the timeline",
			arguments: [][2]string{{"ID", "the incident"}, {"TEXT", "the note; the words are joined by spaces"}},
			example:   "firebreak incidents note FB-EJIY5JMC-1 restarted the pods"},
		{name: "incidents link", args: "ID URL", summary: "attach a link: a dashboard, a ticket, a chat thread",
			arguments: [][2]string{{"ID", "the incident"}, {"URL", "an http(s) URL"}},
			example:   "firebreak incidents link FB-EJIY5JMC-1 https://grafana.example.com/d/1 --title dashboard"},
		{name: "incidents severity", args: "ID SEV", summary: "change the severity",
			arguments: [][2]string{{"ID", "the incident"}, {"SEV", "sev1 (most severe) … sev4, or info"}},
			example:   "firebreak incidents severity FB-EJIY5JMC-1 sev1 --reason \"customer data\""},
		{name: "incidents owner", args: "ID TEAM", summary: "hand the incident over to another team",
			arguments: [][2]string{{"ID", "the incident"}, {"TEAM", "a team of the configuration"}},
			example:   "firebreak incidents owner FB-EJIY5JMC-1 payments --reason \"their service\""},
		{name: "incidents role", args: "ID ROLE [NAME...]", summary: "name the incident commander or the communications lead",
			arguments: [][2]string{{"ID", "the incident"}, {"ROLE", "commander (directs the response) or comms (writes the updates)"},
				{"NAME", "a contact id or a free name; none clears the role"}},
			example: "firebreak incidents role FB-EJIY5JMC-1 commander Dana Q\nfirebreak incidents role FB-EJIY5JMC-1 comms contact:lee"},
		{name: "incidents update", args: "ID TEXT...", summary: "publish an update to an audience: the timeline and the status page",
			arguments: [][2]string{{"ID", "the incident"}, {"TEXT", "the update; the words are joined by spaces"}},
			example:   "firebreak incidents update FB-EJIY5JMC-1 --audience stakeholders --eta 2h checkout degraded, failing over"},
		{name: "incidents approve", args: "ID KEY", summary: "approve a runbook step waiting for a human",
			arguments: [][2]string{{"ID", "the incident"}, {"KEY", "the approval, as incidents show lists it"}},
			example:   "firebreak incidents approve FB-EJIY5JMC-1 FB-EJIY5JMC-1-v1/approval"},
		{name: "incidents reject", args: "ID KEY", summary: "reject a runbook step waiting for a human: the runbook takes its rejected path",
			arguments: [][2]string{{"ID", "the incident"}, {"KEY", "the approval, as incidents show lists it"}},
			example:   "firebreak incidents reject FB-EJIY5JMC-1 FB-EJIY5JMC-1-v1/approval --note \"not during the sale\""},
		{name: "incidents review", args: "ID [edit|complete]", summary: "the post-incident review: print it (Markdown; --json: structured), edit it, complete it",
			arguments: [][2]string{{"ID", "the incident"}, {"edit", "replace a section (--section NAME --file F)"},
				{"complete", "mark it complete: its actions are filed, or --no-actions says none are needed"}},
			example: "firebreak incidents review FB-EJIY5JMC-1\nfirebreak incidents review FB-EJIY5JMC-1 edit --section lessons --file lessons.md"},
		{name: "incidents silence", args: "COMMAND", summary: "silences: quiet paging for matching incidents for a while",
			example: "firebreak incidents silence list", subs: []*command{
				{name: "incidents silence add", args: "--match K=V... (--for D | --until T) --comment TEXT [--force]",
					summary: "quiet paging for incidents that match, for a while",
					about: `Matching incidents are still opened and recorded, but nobody is paged until the silence ends;
then the escalator pages what is still active. K is class, team, account, region, resource or
tag:NAME; V may use * and ?. A silence whose matchers select every incident (class=*) or that
lasts longer than defaults.max_silence (72h unless configured) needs --force; every incident it
silences names who forced it.`,
					example: "firebreak incidents silence add --match team=platform --match class=ops.* --for 2h --comment \"deploy\""},
				{name: "incidents silence list", summary: "the silences: planned windows of the configuration and those made through the API",
					example: "firebreak incidents silence list"},
				{name: "incidents silence end", args: "ID", summary: "end a silence now (it is kept, ended, as a record)",
					arguments: [][2]string{{"ID", "the silence, as silence list shows it"}}, example: "firebreak incidents silence end sil-abcdefghijklmnop"},
			}},
	},
}
