package event

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// actorOf names the principal of a CloudTrail userIdentity as a responder would want to
// read it: "root", the AWS service that acted, the principal's ARN, user name or id,
// else "unknown".
func actorOf(u obj) string {
	typ := u.s("type")
	switch {
	case typ == "Root":
		return "root"
	case typ == "AWSService" && u.s("invokedBy") != "":
		return u.s("invokedBy")
	}
	return first(u.s("arn"), u.s("userName"), u.s("principalId"), "unknown")
}

// AdminPorts are the administrative ports whose exposure to the internet is an incident:
// SSH, Telnet, RDP, WinRM. The security-group runbook revokes exactly these rules.
var AdminPorts = []int{22, 23, 3389, 5985, 5986}

// World CIDRs: how the attrs write a network of prefix length 0, whatever its host part.
const (
	WorldIPv4 = "0.0.0.0/0"
	WorldIPv6 = "::/0"
)

// parseAPICall reads an "AWS API Call via CloudTrail". The principal is the default
// subject, so unusual activity by one principal correlates; the calls Firebreak knows
// name their own resource. A call that failed (errorCode) is informational.
func parseAPICall(env events.EventBridgeEvent, d obj, e Event) []Event {
	name := d.s("eventName")
	u := d.o("userIdentity")
	e.Actor = actorOf(u)
	setAttr(&e, attrEventName, name)
	setAttr(&e, "event_source", d.s("eventSource"))
	setAttr(&e, "user_type", u.s("type"))
	setAttr(&e, attrSourceIP, d.s("sourceIPAddress"))
	setAttr(&e, "cloudtrail_event_id", d.s("eventID"))
	e.Signal = Trigger
	if e.Resource == "" {
		e.Resource = firstARN(d)
	}
	e.Subject = e.Actor
	req, resp := d.o("requestParameters"), d.o("responseElements")
	named := func(r string) {
		if r != "" {
			e.Resource, e.Subject = r, r
		}
	}
	what := ""
	switch name {
	case "AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules":
		gid := first(req.s("groupId"), req.o("ModifySecurityGroupRulesRequest").s("GroupId"), req.s("groupName"), responseGroupID(resp))
		named(gid)
		setAttr(&e, "group_id", gid)
		sgExposure(&e, req, resp)
		gid = first(gid, "(unnamed)")
		what = "opened ingress on security group " + gid
		if name == "ModifySecurityGroupRules" {
			what = "modified rules of security group " + gid
		}
		if e.Attrs["exposure"] == "world" {
			what = fmt.Sprintf("opened %s to %s on security group %s", e.Attrs["ports"], e.Attrs["cidrs"], gid)
		}
	case "DeleteFlowLogs":
		ids := findStrings(map[string]any(req), "fl-")
		if len(ids) > 0 {
			named(ids[0])
		}
		setAttr(&e, "flow_log_ids", strings.Join(ids, ","))
		what = strings.TrimSpace("deleted flow logs " + strings.Join(ids, ", "))
	case "StopLogging", "StartLogging", "DeleteTrail", "UpdateTrail":
		trail := req.s("name")
		named(trail)
		setAttr(&e, "trail", trail)
		if name == "StartLogging" {
			e.Signal = Recovery
		}
		what = strings.ToLower(splitCamel(name)) + " on trail " + first(trail, e.Resource, "(unnamed)")
	case "PutBucketPolicy", "PutBucketAcl", "DeleteBucketPublicAccessBlock", "PutBucketPublicAccessBlock", "DeleteBucketPolicy":
		b := req.s("bucketName")
		named(b)
		setAttr(&e, "bucket", b)
		what = s3Exposure(&e, name, first(b, e.Resource, "(unnamed)"), req)
	case "ScheduleKeyDeletion", "CancelKeyDeletion", "DisableKey", "EnableKey":
		arn := resp.s("keyId")
		key := keyID(first(arn, req.s("keyId")))
		named(key)
		setAttr(&e, "key_id", key)
		setAttr(&e, "key_arn", first(arn, firstARN(d)))
		setAttr(&e, "deletion_date", resp.s("deletionDate"))
		setAttr(&e, "pending_window_days", req.s("pendingWindowInDays"))
		if name == "CancelKeyDeletion" || name == "EnableKey" {
			e.Signal = Recovery
		}
		what = strings.ToLower(splitCamel(name)) + " for KMS key " + first(key, "(unnamed)")
	case "AttachRolePolicy", "AttachUserPolicy", "AttachGroupPolicy", "DetachRolePolicy", "DetachUserPolicy", "DetachGroupPolicy":
		policy := req.s("policyArn")
		kind, who := "role", req.s("roleName")
		if n := req.s("userName"); n != "" {
			kind, who = "user", n
		} else if n := req.s("groupName"); n != "" {
			kind, who = "group", n
		}
		if who != "" {
			e.Resource = kind + "/" + who
			e.Subject = e.Resource + "/" + policy
		}
		setAttr(&e, "policy_arn", policy)
		setAttr(&e, "principal_kind", kind)
		setAttr(&e, "principal_name", who)
		admin := strings.HasSuffix(policy, ":policy/AdministratorAccess")
		setAttr(&e, "admin_policy", strconv.FormatBool(admin))
		switch {
		case strings.HasPrefix(name, "Detach") && admin:
			e.Signal = Recovery
		case !admin:
			e.Signal = Info
		}
		what = fmt.Sprintf("%s %s on %s %s", strings.ToLower(splitCamel(name)), first(policy, "a policy"), kind, first(who, "(unnamed)"))
	default:
		what = "called " + first(name, "an API")
		if e.Resource != "" {
			what += " on " + e.Resource
		}
	}
	if u.s("type") == "Root" {
		setAttr(&e, "root", "true")
	}
	if code := d.s("errorCode"); code != "" {
		// A failed call changed nothing: recorded, never opens or mitigates anything.
		e.Signal = Info
		setAttr(&e, attrErrorCode, code)
		what += " (failed: " + code + ")"
	}
	e.Summary = e.Actor + " " + what
	return one(e)
}

// sgRule is one ingress rule as a request or a response states it.
type sgRule struct {
	proto    string // normalised: tcp, udp, icmp, icmpv6, -1 (all), another protocol, or "" (not stated)
	from, to int    // port range; all ports when the rule states none
	cidr     string // as written
	id       string // security group rule id, when the response or request names it
	egress   bool
}

// sgRules collects the rules of an AuthorizeSecurityGroupIngress or
// ModifySecurityGroupRules call in every shape CloudTrail has recorded:
//   - requestParameters.ipPermissions.items[] with ipRanges.items[].cidrIp and
//     ipv6Ranges.items[].cidrIpv6 (lists also accepted bare, without "items");
//   - the older top-level requestParameters.cidrIp with ipProtocol, fromPort, toPort;
//   - requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule (one or a
//     list) of {SecurityGroupRuleId, SecurityGroupRule: {IpProtocol, FromPort, ToPort,
//     CidrIpv4, CidrIpv6}};
//   - responseElements.securityGroupRuleSet.items[] (the rules the call created, with
//     their ids).
//
// Ports and protocols are read as numbers or strings.
func sgRules(req, resp obj) []sgRule {
	var out []sgRule
	add := func(p obj, id string, egress bool, cidrs ...string) {
		proto, from, to := portRange(p)
		for _, c := range cidrs {
			if c != "" {
				out = append(out, sgRule{proto: proto, from: from, to: to, cidr: c, id: id, egress: egress})
			}
		}
	}
	for _, x := range req.list("ipPermissions") {
		p := asObj(x)
		for _, r := range p.list("ipRanges") {
			add(p, "", false, cidrOf(r, "cidrIp", "cidrIpv4", "CidrIp"))
		}
		for _, r := range p.list("ipv6Ranges") {
			add(p, "", false, cidrOf(r, "cidrIpv6", "CidrIpv6"))
		}
	}
	add(req, "", false, req.s("cidrIp"), req.s("cidrIpv6"))
	for _, x := range req.o("ModifySecurityGroupRulesRequest").list("SecurityGroupRule") {
		r := asObj(x)
		in := r.o("SecurityGroupRule")
		add(in, r.s("SecurityGroupRuleId"), false, in.s("CidrIpv4"), in.s("CidrIpv6"))
	}
	for _, x := range resp.list("securityGroupRuleSet") {
		r := asObj(x)
		add(r, r.s("securityGroupRuleId"), r.flag("isEgress"), r.s("cidrIpv4"), r.s("cidrIpv6"))
	}
	return out
}

// cidrOf reads a range entry: an object with one of the keys, or a bare string.
func cidrOf(v any, keys ...string) string {
	if s, ok := v.(string); ok {
		return strings.TrimSpace(s)
	}
	o := asObj(v)
	for _, k := range keys {
		if s := o.s(k); s != "" {
			return s
		}
	}
	return ""
}

func responseGroupID(resp obj) string {
	for _, x := range resp.list("securityGroupRuleSet") {
		if id := asObj(x).s("groupId"); id != "" {
			return id
		}
	}
	return ""
}

// sgExposure records which rules open ports to the whole internet, judged on the parsed
// network: any IPv4 or IPv6 prefix of length 0 is the world, whatever its host part. It
// sets exposure=world, the world CIDRs (canonical), the ports, admin_port and the ids
// of the world-open administrative ingress rules (for revocation).
func sgExposure(e *Event, req, resp obj) {
	var ports, cidrs, ruleIDs []string
	admin := false
	for _, r := range sgRules(req, resp) {
		world, ok := worldCIDR(r.cidr)
		if r.egress || !ok {
			continue
		}
		cidrs = appendUnique(cidrs, world)
		ports = appendUnique(ports, portLabel(r.proto, r.from, r.to))
		if adminOpen(r) {
			admin = true
			if r.id != "" {
				ruleIDs = appendUnique(ruleIDs, r.id)
			}
		}
	}
	if len(cidrs) > 0 {
		setAttr(e, "exposure", "world")
		setAttr(e, "cidrs", strings.Join(cidrs, ","))
		setAttr(e, "ports", strings.Join(ports, ","))
	}
	setAttr(e, "admin_port", strconv.FormatBool(admin))
	setAttr(e, "rule_ids", strings.Join(ruleIDs, ","))
}

// worldCIDR reports whether c parses as an IPv4 or IPv6 prefix of length 0, and its
// canonical form.
func worldCIDR(c string) (string, bool) {
	p, err := netip.ParsePrefix(strings.TrimSpace(c))
	if err != nil || p.Bits() != 0 {
		return "", false
	}
	if p.Addr().Is4() {
		return WorldIPv4, true
	}
	return WorldIPv6, true
}

// portRange reads a rule's protocol and port range, whichever case its keys are in
// (requests write ipProtocol, ModifySecurityGroupRules IpProtocol). All protocols
// (-1) and a port range not stated, or stated as -1, mean all ports.
func portRange(p obj) (proto string, from, to int) {
	proto = protocol(first(p.s("ipProtocol"), p.s("IpProtocol")))
	from, to = 0, 65535
	if proto == "-1" {
		return proto, from, to
	}
	f, okF := p.integer("fromPort")
	if !okF {
		f, okF = p.integer("FromPort")
	}
	t, okT := p.integer("toPort")
	if !okT {
		t, okT = p.integer("ToPort")
	}
	if !okF || f < 0 {
		return proto, from, to
	}
	if !okT || t < 0 || t > 65535 {
		t = f
		if okT {
			t = 65535
		}
	}
	if t < f {
		f, t = t, f
	}
	return proto, f, t
}

// protocol normalises an IP protocol: names in lower case, the numbers of TCP, UDP,
// ICMP and ICMPv6 as their names, "all" as -1.
func protocol(p string) string {
	switch p = strings.ToLower(p); p {
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	case "58":
		return "icmpv6"
	case "all", "-1":
		return "-1"
	}
	return p
}

// ported reports whether the protocol has ports (TCP, UDP, or not stated).
func ported(proto string) bool { return proto == "tcp" || proto == "udp" || proto == "" }

func portLabel(proto string, from, to int) string {
	switch {
	case proto == "-1":
		return "all ports"
	case !ported(proto):
		return proto // ICMP types and other protocols: no ports
	case from == 0 && to == 65535:
		return first(proto, "all") + "/all ports"
	}
	if proto == "" {
		proto = "port"
	}
	if from == to {
		return fmt.Sprintf("%s/%d", proto, from)
	}
	return fmt.Sprintf("%s/%d-%d", proto, from, to)
}

func adminOpen(r sgRule) bool {
	if r.proto != "-1" && !ported(r.proto) {
		return false
	}
	for _, p := range AdminPorts {
		if r.from <= p && p <= r.to {
			return true
		}
	}
	return false
}

// s3Exposure decides whether a bucket policy, ACL or public-access-block change makes
// a bucket public (trigger), restores protection (recovery) or neither (info).
func s3Exposure(e *Event, name, b string, req obj) string {
	switch name {
	case "DeleteBucketPublicAccessBlock":
		setAttr(e, "exposure", "public-access-block-removed")
		return "removed the public access block of bucket " + b
	case "PutBucketPublicAccessBlock":
		c := req.o("PublicAccessBlockConfiguration")
		all := len(c) > 0
		for _, k := range []string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"} {
			if !c.flag(k) {
				all = false
			}
		}
		if all {
			e.Signal = Recovery
			return "restored the full public access block of bucket " + b
		}
		setAttr(e, "exposure", "public-access-block-weakened")
		return "weakened the public access block of bucket " + b
	case "PutBucketPolicy":
		if publicPolicy(req["bucketPolicy"]) {
			setAttr(e, "exposure", "public-policy")
			return "made bucket " + b + " public with a bucket policy"
		}
		e.Signal = Info
		return "changed the policy of bucket " + b
	case "PutBucketAcl":
		if publicACL(req) {
			setAttr(e, "exposure", "public-acl")
			return "made bucket " + b + " public with an ACL"
		}
		e.Signal = Info
		return "changed the ACL of bucket " + b
	case "DeleteBucketPolicy":
		e.Signal = Info
		return "deleted the policy of bucket " + b
	}
	return name + " on bucket " + b
}

// publicPolicy reports an Allow statement for Principal "*" (or {"AWS": "*"}) without a
// Condition: readable by anyone. The policy may be an object or a JSON string of one.
func publicPolicy(policy any) bool {
	if s, ok := policy.(string); ok {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return false
		}
		policy = v
	}
	for _, x := range asObj(policy).list("Statement") {
		s := asObj(x)
		if s.s("Effect") != "Allow" {
			continue
		}
		if c, ok := s["Condition"]; ok && c != nil {
			if m, isObj := c.(map[string]any); !isObj || len(m) > 0 {
				continue
			}
		}
		for _, p := range findStrings(s["Principal"], "*") {
			if p == "*" {
				return true
			}
		}
	}
	return false
}

const (
	allUsersURI  = "http://acs.amazonaws.com/groups/global/AllUsers"
	authUsersURI = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
)

func publicACL(req obj) bool {
	for _, canned := range findStrings(req["x-amz-acl"], "") {
		if canned == "public-read" || canned == "public-read-write" || canned == "authenticated-read" {
			return true
		}
	}
	for _, uri := range findStrings(req["AccessControlPolicy"], "http://acs.amazonaws.com/groups/global/") {
		if uri == allUsersURI || uri == authUsersURI {
			return true
		}
	}
	return false
}

// keyID reduces a KMS key ARN to its key id so that requests naming the key either way
// correlate; aliases are kept as written.
func keyID(s string) string {
	if i := strings.LastIndex(s, ":key/"); i >= 0 {
		return s[i+len(":key/"):]
	}
	return s
}

// firstARN is the ARN of the first entry of a CloudTrail record's resources list.
func firstARN(d obj) string {
	for _, r := range d.list("resources") {
		if a := asObj(r).s("ARN"); a != "" {
			return a
		}
	}
	return ""
}

// findStrings returns every string value in a decoded JSON tree with the prefix, in
// document order of a sorted walk (object keys sorted), without duplicates.
func findStrings(v any, prefix string) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			if strings.HasPrefix(t, prefix) {
				out = appendUnique(out, t)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(t[k])
			}
		}
	}
	walk(v)
	return out
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// splitCamel turns "StopLogging" into "Stop Logging".
func splitCamel(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// parseSignIn reads an "AWS Console Sign In via CloudTrail". The principal is both
// resource and subject.
func parseSignIn(env events.EventBridgeEvent, d obj, e Event) []Event {
	name := d.s("eventName")
	result := d.o("responseElements").s("ConsoleLogin")
	mfa := d.o("additionalEventData").s("MFAUsed")
	u := d.o("userIdentity")
	e.Actor = actorOf(u)
	if e.Actor == "unknown" && u.s("userName") != "" {
		e.Actor = u.s("userName")
	}
	e.Resource, e.Subject = e.Actor, e.Actor
	e.Signal = Trigger
	setAttr(&e, attrEventName, name)
	setAttr(&e, "user_type", u.s("type"))
	setAttr(&e, "login_result", result)
	setAttr(&e, "mfa_used", mfa)
	ip := d.s("sourceIPAddress")
	setAttr(&e, attrSourceIP, ip)
	if u.s("type") == "Root" {
		setAttr(&e, "root", "true")
	}
	e.Summary = fmt.Sprintf("Console sign-in %s for %s from %s", strings.ToLower(first(result, name, "attempt")), e.Actor, first(ip, "an unknown address"))
	if mfa != "" {
		e.Summary += " (MFA: " + mfa + ")"
	}
	if m := d.s("errorMessage"); m != "" {
		e.Summary += ": " + m
	}
	return one(e)
}
