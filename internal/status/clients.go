package status

import (
	"net/url"
	"slices"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// clientLinks offers the clients of the active incidents as filters (the account
// directory's, internal/accounts): none when there is no choice to make.
func clientLinks(active []incident.Incident, current string) []filterLink {
	var clients []string
	for _, inc := range active {
		if inc.Client != "" && !slices.Contains(clients, inc.Client) {
			clients = append(clients, inc.Client)
		}
	}
	if current != "" && !slices.Contains(clients, current) {
		clients = append(clients, current)
	}
	if len(clients) < 2 && current == "" {
		return nil
	}
	slices.Sort(clients)
	out := []filterLink{{Label: "All clients", Href: "./", Current: current == ""}}
	for _, c := range clients {
		out = append(out, filterLink{Label: c, Href: "./?" + url.Values{"client": {c}}.Encode(), Current: c == current})
	}
	return out
}
