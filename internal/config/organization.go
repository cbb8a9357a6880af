package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

// Organization makes the stack the central one of many accounts and regions
// (docs/organizations.md): a central event bus that the organization's accounts (or the
// listed ones) may put events on, and forwarder stacks in each account and region whose
// rules, the catalog's, deliver to it.
type Organization struct {
	// ID is the AWS Organizations id (o-…): every account of the organization may put
	// events on the central bus (the bus policy's aws:PrincipalOrgID condition).
	ID string `yaml:"id"`
	// Accounts are account ids (12 digits) admitted besides the organization's, e.g.
	// client accounts outside it.
	Accounts []string `yaml:"accounts"`
	// CentralBus names the central event bus (default firebreak-central).
	CentralBus string `yaml:"central_bus"`
	// Regions are where forwarders are deployed (the StackSet's regions); us-east-1 must
	// be among them for the global services' events of the forwarding accounts.
	Regions []string `yaml:"regions"`
}

// DefaultCentralBus is the central bus's name when organization.central_bus is empty.
const DefaultCentralBus = "firebreak-central"

var (
	orgIDRe   = lazyRegexp(`^o-[a-z0-9]{10,32}$`)
	accountRe = lazyRegexp(`^[0-9]{12}$`)
	regionRe  = lazyRegexp(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)
)

// validateOrganization checks the organization section and fills in its defaults.
func (c *Config) validateOrganization(doc *strictyaml.Doc) strictyaml.Errors {
	o := c.Organization
	if o == nil {
		return nil
	}
	var errs strictyaml.Errors
	bad := func(key, format string, args ...any) {
		errs = append(errs, doc.Errorf("organization."+key, format, args...))
	}
	if o.ID != "" && !orgIDRe().MatchString(o.ID) {
		bad("id", "%q is not an AWS Organizations id (o- and 10 to 32 lower-case letters or digits)", o.ID)
	}
	seen := map[string]int{}
	for i, a := range o.Accounts {
		key := fmt.Sprintf("accounts[%d]", i)
		if first, dup := seen[a]; dup {
			bad(key, "%q is already accounts[%d]", a, first)
			continue
		}
		seen[a] = i
		if !accountRe().MatchString(a) {
			bad(key, "%q is not an AWS account id (12 digits; quote it so YAML keeps leading zeros)", a)
		}
	}
	if o.CentralBus == "" {
		o.CentralBus = DefaultCentralBus
	}
	switch b := o.CentralBus; {
	case !busRe().MatchString(b) || len(b) > 256:
		bad("central_bus", "%q is not an event bus name (at most 256 letters, digits, . - _)", b)
	case b == "default":
		bad("central_bus", "the default bus cannot be the central bus: forwarded events would loop through the forwarder rules")
	case b == c.Deploy.ApplicationBus:
		bad("central_bus", "%q is also deploy.application_bus: give the central bus its own name", b)
	}
	regions := map[string]int{}
	for i, r := range o.Regions {
		key := fmt.Sprintf("regions[%d]", i)
		if first, dup := regions[r]; dup {
			bad(key, "%q is already regions[%d]", r, first)
			continue
		}
		regions[r] = i
		if !regionRe().MatchString(r) {
			bad(key, "%q is not an AWS region name like eu-west-1", r)
		}
	}
	if len(o.Regions) > 0 && !slices.Contains(o.Regions, events.GlobalRegion) {
		c.Warnings = append(c.Warnings, doc.Errorf("organization.regions",
			"%s is not among the forwarder regions (%s): the forwarding accounts' IAM, STS, sign-in and other global-service events reach EventBridge only there",
			events.GlobalRegion, strings.Join(o.Regions, ", ")))
	}
	return errs
}

// Admitted reports whether the central bus admits other accounts at all.
func (o *Organization) Admitted() bool { return o != nil && (o.ID != "" || len(o.Accounts) > 0) }
