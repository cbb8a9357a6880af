package cli

import (
	"flag"
	"net/url"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// directory is the account directory's filters of `incidents list` (internal/accounts).
type directory struct{ client, environment, account *string }

// directoryFlags declares --client, --environment and --account on fs.
func directoryFlags(fs *flag.FlagSet) *directory {
	return &directory{
		client:      fs.String("client", "", "only incidents of the accounts of this `CLIENT` (accounts: in the configuration)"),
		environment: fs.String("environment", "", "only incidents of accounts of this `ENVIRONMENT`, e.g. production"),
		account:     fs.String("account", "", "only incidents of this 12-digit account `ID`"),
	}
}

// query adds the filters that are set to q.
func (d *directory) query(q url.Values) {
	for name, v := range map[string]*string{"client": d.client, "environment": d.environment, "account": d.account} {
		if *v != "" {
			q.Set(name, *v)
		}
	}
}

// accountFields are what `incidents show` says of the incident's account: its directory
// entry and how it shaped the incident.
func accountFields(inc incident.Incident) [][2]string {
	var out [][2]string
	switch {
	case inc.Client != "":
		name := inc.AccountName
		if name == "" {
			name = inc.Account
		}
		out = append(out, [2]string{"Client", name + " · client " + inc.Client + " · " + inc.Environment + " · tier " + inc.Tier})
	case inc.AccountReason != "":
		out = append(out, [2]string{"Client", "unknown: the account is not in the account directory"})
	}
	if inc.AccountReason != "" {
		out = append(out, [2]string{"Priority", inc.AccountReason})
	}
	return out
}
