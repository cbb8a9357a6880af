package config_test

import (
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/config"
)

func TestOrganization(t *testing.T) {
	c, err := parse("f.yaml", valid+`organization:
  id: o-a1b2c3d4e5
  accounts: ["111122223333", "012345678901"]
  regions: [us-east-1, eu-west-1]
`)
	if err != nil {
		t.Fatal(err)
	}
	o := c.Organization
	if o == nil || o.ID != "o-a1b2c3d4e5" || len(o.Accounts) != 2 || o.Accounts[1] != "012345678901" || o.CentralBus != config.DefaultCentralBus {
		t.Fatalf("Organization = %+v; want the id, both accounts (leading zero kept) and the default bus %s", o, config.DefaultCentralBus)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("Warnings = %v; want none", c.Warnings)
	}
	none, err := parse("f.yaml", valid)
	if err != nil {
		t.Fatal(err)
	}
	if none.Organization != nil {
		t.Errorf("Organization = %+v without the section; want nil (this account and region only)", none.Organization)
	}
}

func TestOrganizationErrors(t *testing.T) {
	for _, tc := range []struct {
		name, section, want string
	}{
		{"id", "  id: 123456\n", `f.yaml:22: organization.id: "123456" is not an AWS Organizations id`},
		{"id upper", "  id: o-A1B2C3D4E5\n", `organization.id: "o-A1B2C3D4E5" is not an AWS Organizations id`},
		{"account short", "  accounts: [\"12345\"]\n", `organization.accounts[0]: "12345" is not an AWS account id (12 digits`},
		{"account letters", "  accounts: [\"11112222333a\"]\n", `organization.accounts[0]: "11112222333a" is not an AWS account id`},
		{"account dup", "  accounts: [\"111122223333\", \"111122223333\"]\n", `organization.accounts[1]: "111122223333" is already accounts[0]`},
		{"bus", "  central_bus: a/b\n", `organization.central_bus: "a/b" is not an event bus name`},
		{"bus default", "  central_bus: default\n", `organization.central_bus: the default bus cannot be the central bus`},
		{"region", "  regions: [europe]\n", `organization.regions[0]: "europe" is not an AWS region name`},
		{"region dup", "  regions: [us-east-1, us-east-1]\n", `organization.regions[1]: "us-east-1" is already regions[0]`},
		{"unknown key", "  orgid: o-a1b2c3d4e5\n", `organization.orgid: unknown key`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse("f.yaml", valid+"organization:\n"+tc.section)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(organization: %q) = %v; want an error containing %q", tc.section, err, tc.want)
			}
		})
	}
	t.Run("bus is the application bus", func(t *testing.T) {
		_, err := parse("f.yaml", valid+"deploy:\n  application_bus: shared\norganization:\n  central_bus: shared\n")
		if want := `organization.central_bus: "shared" is also deploy.application_bus`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(central_bus = application_bus) = %v; want an error containing %q", err, want)
		}
	})
}

func TestOrganizationRegionsWithoutGlobalRegion(t *testing.T) {
	c, err := parse("f.yaml", valid+"organization:\n  id: o-a1b2c3d4e5\n  regions: [eu-west-1]\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "us-east-1 is not among the forwarder regions"; len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0].Error(), want) {
		t.Errorf("Warnings = %v; want one containing %q", c.Warnings, want)
	}
}
