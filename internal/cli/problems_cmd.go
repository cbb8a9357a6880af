package cli

// problemsCmd and reportCmd are what `firebreak problems --help`, `firebreak report
// --help` and their subcommands say (they run in problems.go).
var problemsCmd = &command{
	name: "problems", args: "COMMAND [ARG...]", summary: "the causes behind recurring incidents: list, show, open, link, status, note",
	about: `Problems are the causes behind incidents: opened when a fingerprint keeps coming back (by default
3 incidents in 7 days, or one incident re-opened 3 times; set per class with problem:), or by hand,
linking any incidents. The API is --api URL, else $FIREBREAK_API (as for firebreak incidents).`,
	example: "firebreak problems list\nfirebreak problems open --title \"VPN firmware\" --team platform FB-ABCDEFGH-1 FB-IJKLMNOP-1",
	run:     runProblems,
	subs: []*command{
		{name: "problems list", summary: "problems, newest first, with where their actions are (default: the unresolved ones)",
			example: "firebreak problems list --status all --team platform"},
		{name: "problems show", args: "ID", summary: "the problem, its incidents, its tracked actions with their status, and its timeline",
			arguments: [][2]string{{"ID", "the problem"}}, example: "firebreak problems show PRB-ABCDEFGH"},
		{name: "problems open", args: "[INCIDENT...]", summary: "open a problem by hand, linking any incidents",
			arguments: [][2]string{{"INCIDENT", "an incident it explains"}},
			example:   "firebreak problems open --title \"VPN firmware\" --team platform FB-ABCDEFGH-1"},
		{name: "problems link", args: "ID INCIDENT...", summary: "link more incidents to a problem",
			arguments: [][2]string{{"ID", "the problem"}, {"INCIDENT", "an incident it explains"}},
			example:   "firebreak problems link PRB-ABCDEFGH FB-IJKLMNOP-1"},
		{name: "problems status", args: "ID STATUS", summary: "move a problem on: open, investigating, known-error, resolved",
			arguments: [][2]string{{"ID", "the problem"}, {"STATUS", "open, investigating, known-error or resolved (refused while its incidents are active or its actions open)"}},
			example:   "firebreak problems status PRB-ABCDEFGH known-error --reason \"firmware bug, vendor ticket 123\""},
		{name: "problems note", args: "ID [TEXT...]", summary: "record a note, the root cause, a workaround or tracked actions",
			arguments: [][2]string{{"ID", "the problem"}, {"TEXT", "the note; the words are joined by spaces"}},
			example:   "firebreak problems note PRB-ABCDEFGH --root-cause \"firmware 4.2 drops tunnels\" --workaround \"pin 4.1\""},
	},
}

var reportCmd = &command{
	name: "report", summary: "response over a period: counts, MTTA/MTTM/MTTR, breaches, problems, noisiest fingerprints",
	about: `Counts, the mean, p50 and p90 times to acknowledge, mitigate and resolve, objectives met and
breached, problems opened, resolved and open, the noisiest fingerprints, the classes with no runbook,
the actions due in the period done on time, late, won't do, overdue or open (and all overdue now),
and the reviews due in it completed on time, late, overdue or open, over the API (--api URL, else
$FIREBREAK_API) or a local firebreak serve.`,
	example: "firebreak report --since 30d --by team",
	run:     runReport,
}
