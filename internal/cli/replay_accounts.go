package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/report"
)

// accountCounts are the incidents a replay opened per client and per account (the
// account directory's view, internal/accounts; docs/accounts.md).
type accountCounts struct {
	ByClient  map[string]int `json:"by_client,omitempty"`
	ByAccount map[string]int `json:"by_account,omitempty"`
}

// newAccountCounts starts counting incidents by client (accounts the directory does not
// list as report.Unlisted) and by account; nothing when the configuration has no
// directory.
func newAccountCounts(cfg *config.Config) accountCounts {
	if len(cfg.Accounts) == 0 {
		return accountCounts{}
	}
	return accountCounts{ByClient: map[string]int{}, ByAccount: map[string]int{}}
}

// add counts inc.
func (c accountCounts) add(inc incident.Incident) {
	if c.ByClient == nil {
		return
	}
	client := inc.Client
	if client == "" {
		client = report.Unlisted
	}
	c.ByClient[client]++
	c.ByAccount[inc.Account]++
}

// printAccounts prints the counts as the summary's last lines, naming each account as
// the directory does ("unlisted" when it does not list it).
func printAccounts(w io.Writer, cfg *config.Config, c accountCounts, wide bool) {
	if c.ByClient == nil {
		return
	}
	line := func(label string, parts []string) {
		l := strings.Join(parts, " · ")
		if len(parts) == 0 {
			l = "none"
		}
		if !wide {
			pad := strings.Repeat(" ", len(label))
			l = strings.TrimPrefix(wrap(l, width, pad), pad)
		}
		fmt.Fprintln(w, label+l)
	}
	var clients, accounts []string
	for _, k := range sortedKeys(c.ByClient) {
		clients = append(clients, fmt.Sprintf("%s %d", k, c.ByClient[k]))
	}
	for _, k := range sortedKeys(c.ByAccount) {
		name := "unlisted"
		if a := cfg.Accounts[k]; a != nil {
			name = a.Name
		}
		if k == "" {
			k = "(none)"
		}
		accounts = append(accounts, fmt.Sprintf("%s (%s) %d", k, name, c.ByAccount[k]))
	}
	line("Incidents by client:   ", clients)
	line("Incidents by account:  ", accounts)
}
