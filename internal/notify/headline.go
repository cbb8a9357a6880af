package notify

import "fmt"

// Headline is what a notice says happened ("Opened", "Severity raised sev2 → sev1", …),
// the same words in every protocol (e-mail, SMS, chat, webhooks); "" for an unknown kind.
func Headline(n Notice) string {
	h := headlines[n.Kind]
	if h != "" && n.Kind == SeverityRaised && n.Previous != "" {
		h = fmt.Sprintf("Severity raised %s → %s", n.Previous, n.Incident.Severity)
	}
	return h
}

// Kinds is every notice kind, in no particular order.
func Kinds() []Kind {
	out := make([]Kind, 0, len(headlines))
	for k := range headlines {
		out = append(out, k)
	}
	return out
}
