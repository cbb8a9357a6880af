package event_test

import (
	"testing"

	"github.com/firebreak-ops/firebreak/internal/event"
)

// TestSecurityGroupShapes covers every request shape CloudTrail has recorded for
// AuthorizeSecurityGroupIngress (and ModifySecurityGroupRules), with the odd values real
// records carry. Shapes, from public material:
//   - ipPermissions.items[] with ipRanges/ipv6Ranges items, and empty "{}" lists where a
//     rule names a source group instead: a 2017 record (eventVersion 1.05, responseElements
//     {"_return": true}) kept as a test fixture by a security-group history poller.
//   - the top-level cidrIp/ipProtocol/fromPort/toPort parameters of the older API, and
//     groupName for EC2-Classic/default-VPC groups: the EC2 API reference's
//     AuthorizeSecurityGroupIngress request parameters (CidrIp, FromPort, GroupName,
//     IpProtocol, ToPort) as the SDKs model them.
//   - ModifySecurityGroupRulesRequest.{GroupId, SecurityGroupRule: {SecurityGroupRuleId,
//     SecurityGroupRule: {IpProtocol, FromPort, ToPort, CidrIpv4}}}: AWS's CloudTrail Lake
//     sample queries (aws-samples/cloud-trail-lake-query-samples) and published
//     remediation tests read that path.
//   - responseElements.securityGroupRuleSet.items[] naming the rules created: the
//     catalog's sample (events/samples/cloudtrail/sg-ingress-open-world.json).
//   - "networks written with a host part" (10.0.0.0/0, ::1/0): issue 8; AWS canonicalises
//     such CIDRs (EC2 API reference, CidrIp), so they open the same rule as 0.0.0.0/0.
func TestSecurityGroupShapes(t *testing.T) {
	tests := []struct {
		name                  string
		eventName             string
		req, resp             string
		resource              string
		exposure, admin       string
		ports, cidrs, ruleIDs string
	}{
		{"items, ssh to the world", "", `{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}`, ``,
			"sg-1", "world", "true", "tcp/22", "0.0.0.0/0", ""},
		{"items, ipv6 rdp", "", `{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":3389,"toPort":3389,"ipv6Ranges":{"items":[{"cidrIpv6":"::/0"}]}}]}}`, ``,
			"sg-1", "world", "true", "tcp/3389", "::/0", ""},
		{"items, source group and empty range objects (2017 record)", "", `{"groupId":"sg-4","ipPermissions":{"items":[{"prefixListIds":{},"fromPort":0,"ipRanges":{},"groups":{"items":[{"groupId":"sg-5"}]},"toPort":65535,"ipProtocol":"tcp","ipv6Ranges":{}}]}}`, `{"_return":true}`,
			"sg-4", "", "false", "", "", ""},
		{"bare lists without items", "", `{"groupId":"sg-1","ipPermissions":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":[{"cidrIp":"0.0.0.0/0"}]}]}`, ``,
			"sg-1", "world", "true", "tcp/22", "0.0.0.0/0", ""},
		{"older top-level parameters", "", `{"groupId":"sg-2","ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIp":"0.0.0.0/0"}`, `{"_return":true}`,
			"sg-2", "world", "true", "tcp/22", "0.0.0.0/0", ""},
		{"older parameters, group name, ports as strings", "", `{"groupName":"web","ipProtocol":"tcp","fromPort":"3389","toPort":"3389","cidrIp":"0.0.0.0/0"}`, ``,
			"web", "world", "true", "tcp/3389", "0.0.0.0/0", ""},
		{"older parameters, office network", "", `{"groupId":"sg-2","ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIp":"198.51.100.0/24"}`, ``,
			"sg-2", "", "false", "", "", ""},
		{"ipv4 host part", "", `{"groupId":"sg-1","ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIp":"10.0.0.0/0"}`, ``,
			"sg-1", "world", "true", "tcp/22", "0.0.0.0/0", ""},
		{"ipv6 host part", "", `{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"6","fromPort":22,"toPort":22,"ipv6Ranges":{"items":[{"cidrIpv6":"::1/0"}]}}]}}`, ``,
			"sg-1", "world", "true", "tcp/22", "::/0", ""},
		{"half the internet is not the world", "", `{"groupId":"sg-1","ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIp":"0.0.0.0/1"}`, ``,
			"sg-1", "", "false", "", "", ""},
		{"not a network", "", `{"groupId":"sg-1","ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIp":"anywhere"}`, ``,
			"sg-1", "", "false", "", "", ""},
		{"all protocols", "", `{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"-1","ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}`, ``,
			"sg-1", "world", "true", "all ports", "0.0.0.0/0", ""},
		{"protocol number 6, range as strings", "", `{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"6","fromPort":"3000","toPort":"4000","ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}`, ``,
			"sg-1", "world", "true", "tcp/3000-4000", "0.0.0.0/0", ""},
		{"tcp with port -1", "", `{"groupId":"sg-1","ipProtocol":"tcp","fromPort":-1,"toPort":-1,"cidrIp":"0.0.0.0/0"}`, ``,
			"sg-1", "world", "true", "tcp/all ports", "0.0.0.0/0", ""},
		{"icmp is not an admin port", "", `{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"icmp","fromPort":8,"toPort":-1,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}`, ``,
			"sg-1", "world", "false", "icmp", "0.0.0.0/0", ""},
		{"https only", "", `{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":443,"toPort":443,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}`, ``,
			"sg-1", "world", "false", "tcp/443", "0.0.0.0/0", ""},
		{"response names the rules", "", `{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}`,
			`{"_return":true,"securityGroupRuleSet":{"items":[{"groupId":"sg-1","securityGroupRuleId":"sgr-1","isEgress":false,"ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIpv4":"0.0.0.0/0"},{"groupId":"sg-1","securityGroupRuleId":"sgr-2","isEgress":"true","ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIpv4":"0.0.0.0/0"}]}}`,
			"sg-1", "world", "true", "tcp/22", "0.0.0.0/0", "sgr-1"},
		{"request unreadable, response says", "", `{"ipPermissions":"see response"}`,
			`{"securityGroupRuleSet":{"items":[{"groupId":"sg-9","securityGroupRuleId":"sgr-9","isEgress":false,"ipProtocol":"tcp","fromPort":"22","toPort":"22","cidrIpv4":"0.0.0.0/0"}]}}`,
			"sg-9", "world", "true", "tcp/22", "0.0.0.0/0", "sgr-9"},
		{"modify rules, one rule", "ModifySecurityGroupRules", `{"ModifySecurityGroupRulesRequest":{"GroupId":"sg-3","SecurityGroupRule":{"SecurityGroupRuleId":"sgr-3","tag":1,"SecurityGroupRule":{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"CidrIpv4":"0.0.0.0/0"}}}}`, `{"ModifySecurityGroupRulesResponse":{"return":true}}`,
			"sg-3", "world", "true", "tcp/22", "0.0.0.0/0", "sgr-3"},
		{"modify rules, a list, all protocols", "ModifySecurityGroupRules", `{"ModifySecurityGroupRulesRequest":{"GroupId":"sg-3","SecurityGroupRule":[{"SecurityGroupRuleId":"sgr-4","SecurityGroupRule":{"IpProtocol":"-1","CidrIpv4":"0.0.0.0/0"}},{"SecurityGroupRuleId":"sgr-5","SecurityGroupRule":{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"CidrIpv4":"10.0.0.0/8"}}]}}`, ``,
			"sg-3", "world", "true", "all ports", "0.0.0.0/0", "sgr-4"},
		{"modify rules, private network", "ModifySecurityGroupRules", `{"ModifySecurityGroupRulesRequest":{"GroupId":"sg-3","SecurityGroupRule":{"SecurityGroupRuleId":"sgr-6","SecurityGroupRule":{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"CidrIpv4":"10.1.0.0/16"}}}}`, ``,
			"sg-3", "", "false", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := tt.eventName
			if name == "" {
				name = "AuthorizeSecurityGroupIngress"
			}
			detail := `{"eventSource":"ec2.amazonaws.com","eventName":"` + name + `","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/u"},"requestParameters":` + tt.req
			if tt.resp != "" {
				detail += `,"responseElements":` + tt.resp
			}
			evs, err := event.Parse(envelope(event.TypeAPICall, "aws.ec2", detail+"}"))
			if err != nil {
				t.Fatal(err)
			}
			e := evs[0]
			a := e.Attrs
			if e.Resource != tt.resource || e.Subject != tt.resource || a["exposure"] != tt.exposure || a["admin_port"] != tt.admin ||
				a["ports"] != tt.ports || a["cidrs"] != tt.cidrs || a["rule_ids"] != tt.ruleIDs {
				t.Errorf("Parse(%s) = resource %q exposure %q admin_port %q ports %q cidrs %q rule_ids %q;\nwant %q %q %q %q %q %q",
					tt.name, e.Resource, a["exposure"], a["admin_port"], a["ports"], a["cidrs"], a["rule_ids"],
					tt.resource, tt.exposure, tt.admin, tt.ports, tt.cidrs, tt.ruleIDs)
			}
		})
	}
}
