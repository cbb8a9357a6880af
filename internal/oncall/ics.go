package oncall

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ICS renders a schedule's shifts as an iCalendar feed (RFC 5545): one event per person
// per shift, times in UTC, lines folded at 75 octets and text escaped. name gives a
// contact's display name (the id when it returns ""); stamp is the DTSTAMP of every
// event (when the feed was made). Gaps get no event.
func ICS(schedule string, shifts []Shift, name func(id string) string, stamp time.Time) string {
	var b strings.Builder
	line := func(prop, value string) { b.WriteString(foldLine(prop + ":" + value)) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//Firebreak//On-call//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("X-WR-CALNAME", escapeText("On call: "+schedule))
	for _, sh := range shifts {
		for _, id := range sh.Contacts {
			who := id
			if name != nil && name(id) != "" {
				who = name(id)
			}
			line("BEGIN", "VEVENT")
			line("UID", fmt.Sprintf("%s-%s-%s@firebreak", schedule, sh.Start.UTC().Format("20060102T150405Z"), id))
			line("DTSTAMP", icsTime(stamp))
			line("DTSTART", icsTime(sh.Start))
			line("DTEND", icsTime(sh.End))
			line("SUMMARY", escapeText(fmt.Sprintf("On call: %s (%s)", who, schedule)))
			line("DESCRIPTION", escapeText(fmt.Sprintf("%s is on call for %s from %s to %s.\nContact id: %s",
				who, schedule, sh.Start.UTC().Format(time.RFC3339), sh.End.UTC().Format(time.RFC3339), id)))
			line("TRANSP", "TRANSPARENT")
			line("END", "VEVENT")
		}
	}
	line("END", "VCALENDAR")
	return b.String()
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and
// newlines.
func escapeText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// foldLine ends a content line with CRLF, folding it (RFC 5545 3.1) so no line is longer
// than 75 octets, never inside a UTF-8 character; continuations start with a space.
func foldLine(s string) string {
	var b strings.Builder
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}
