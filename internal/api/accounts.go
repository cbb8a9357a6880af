package api

import (
	"regexp"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// The account directory's filters of GET /incidents (internal/accounts): client and
// environment as the configuration names them, and the account id.
var (
	directoryNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)
	accountIDRe     = regexp.MustCompile(`^[0-9]{12}$`)
)

// directoryFilter reads ?client=, ?environment= and ?account= into f.
func directoryFilter(q map[string]string, f *store.Filter) error {
	for _, p := range []struct {
		name string
		re   *regexp.Regexp
		want string
		to   *string
	}{
		{"client", directoryNameRe, "lower-case letters, digits and dashes, at most 32", &f.Client},
		{"environment", directoryNameRe, "lower-case letters, digits and dashes, at most 32", &f.Environment},
		{"account", accountIDRe, "a 12-digit account id", &f.Account},
	} {
		v := q[p.name]
		if v == "" {
			continue
		}
		if !p.re.MatchString(v) {
			return fail(errBadRequest, "%s %q: want %s", p.name, clipText(v, 64), p.want)
		}
		*p.to = v
	}
	return nil
}
