package event

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// CloudTrailDetail is the detail of "AWS API Call via CloudTrail" and "AWS Console Sign In
// via CloudTrail" events: the CloudTrail record.
type CloudTrailDetail struct {
	EventVersion        string             `json:"eventVersion"`
	UserIdentity        UserIdentity       `json:"userIdentity"`
	EventTime           string             `json:"eventTime"`
	EventSource         string             `json:"eventSource"`
	EventName           string             `json:"eventName"`
	AWSRegion           string             `json:"awsRegion"`
	SourceIPAddress     string             `json:"sourceIPAddress"`
	UserAgent           string             `json:"userAgent"`
	ErrorCode           string             `json:"errorCode"`
	ErrorMessage        string             `json:"errorMessage"`
	RequestParameters   json.RawMessage    `json:"requestParameters"`
	ResponseElements    json.RawMessage    `json:"responseElements"`
	AdditionalEventData map[string]any     `json:"additionalEventData"`
	RequestID           string             `json:"requestID"`
	EventID             string             `json:"eventID"`
	ReadOnly            *bool              `json:"readOnly"`
	EventType           string             `json:"eventType"`
	ManagementEvent     *bool              `json:"managementEvent"`
	RecipientAccountID  string             `json:"recipientAccountId"`
	EventCategory       string             `json:"eventCategory"`
	Resources           []CloudTrailResRef `json:"resources"`
}

// CloudTrailResRef is an entry of a CloudTrail record's resources list.
type CloudTrailResRef struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
}

// UserIdentity is the CloudTrail userIdentity element.
type UserIdentity struct {
	Type           string `json:"type"`
	PrincipalID    string `json:"principalId"`
	ARN            string `json:"arn"`
	AccountID      string `json:"accountId"`
	AccessKeyID    string `json:"accessKeyId"`
	UserName       string `json:"userName"`
	InvokedBy      string `json:"invokedBy"`
	SessionContext struct {
		SessionIssuer struct {
			Type     string `json:"type"`
			ARN      string `json:"arn"`
			UserName string `json:"userName"`
		} `json:"sessionIssuer"`
		Attributes struct {
			MFAAuthenticated string `json:"mfaAuthenticated"`
		} `json:"attributes"`
	} `json:"sessionContext"`
}

// Actor names the principal as a responder would want to read it.
func (u UserIdentity) Actor() string {
	switch {
	case u.Type == "Root":
		return "root"
	case u.Type == "AWSService" && u.InvokedBy != "":
		return u.InvokedBy
	case u.ARN != "":
		return u.ARN
	case u.UserName != "":
		return u.UserName
	case u.PrincipalID != "":
		return u.PrincipalID
	}
	return "unknown"
}

// AdminPorts are the administrative ports whose exposure to the internet is an incident:
// SSH, Telnet, RDP, WinRM. The security-group runbook revokes exactly these rules.
var AdminPorts = []int{22, 23, 3389, 5985, 5986}

// World CIDRs.
const (
	WorldIPv4 = "0.0.0.0/0"
	WorldIPv6 = "::/0"
)

func parseAPICall(env events.EventBridgeEvent, e Event) ([]Event, error) {
	var d CloudTrailDetail
	if err := decodeDetail(env, &d); err != nil {
		return nil, err
	}
	if d.EventName == "" {
		return nil, missing(env, "detail.eventName")
	}
	if d.EventSource == "" {
		return nil, missing(env, "detail.eventSource")
	}
	e.Actor = d.UserIdentity.Actor()
	setAttr(&e, attrEventName, d.EventName)
	setAttr(&e, "event_source", d.EventSource)
	setAttr(&e, "user_type", d.UserIdentity.Type)
	setAttr(&e, attrSourceIP, d.SourceIPAddress)
	setAttr(&e, "cloudtrail_event_id", d.EventID)
	e.Signal = Trigger
	// Default resource: what the record or envelope names; default subject: the principal,
	// so unusual activity by one principal correlates.
	if e.Resource == "" && len(d.Resources) > 0 {
		e.Resource = d.Resources[0].ARN
	}
	e.Subject = e.Actor
	var req map[string]json.RawMessage
	if len(d.RequestParameters) > 0 && !isNull(d.RequestParameters) {
		if err := json.Unmarshal(d.RequestParameters, &req); err != nil {
			return nil, invalid(env, "detail.requestParameters", "must be an object")
		}
	}
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(req[k], &s) // absent or not a string: empty
		return s
	}
	what := ""
	switch d.EventName {
	case "AuthorizeSecurityGroupIngress":
		gid := first(str("groupId"), str("groupName"))
		if gid == "" {
			return nil, missing(env, "detail.requestParameters.groupId")
		}
		e.Resource, e.Subject = gid, gid
		setAttr(&e, "group_id", gid)
		if err := sgExposure(env, &e, req["ipPermissions"], d.ResponseElements); err != nil {
			return nil, err
		}
		what = "opened ingress on security group " + gid
		if e.Attrs["exposure"] == "world" {
			what = fmt.Sprintf("opened %s to %s on security group %s", e.Attrs["ports"], e.Attrs["cidrs"], gid)
		}
	case "DeleteFlowLogs":
		ids := findStrings(d.RequestParameters, "fl-")
		if len(ids) == 0 {
			return nil, missing(env, "detail.requestParameters.DeleteFlowLogsRequest.FlowLogId")
		}
		e.Resource, e.Subject = ids[0], ids[0]
		setAttr(&e, "flow_log_ids", strings.Join(ids, ","))
		what = "deleted flow logs " + strings.Join(ids, ", ")
	case "StopLogging", "StartLogging", "DeleteTrail", "UpdateTrail":
		name := str("name")
		if name == "" {
			return nil, missing(env, "detail.requestParameters.name")
		}
		e.Resource, e.Subject = name, name
		setAttr(&e, "trail", name)
		if d.EventName == "StartLogging" {
			e.Signal = Recovery
		}
		what = strings.ToLower(splitCamel(d.EventName)) + " on trail " + name
	case "PutBucketPolicy", "PutBucketAcl", "DeleteBucketPublicAccessBlock", "PutBucketPublicAccessBlock", "DeleteBucketPolicy":
		b := str("bucketName")
		if b == "" {
			return nil, missing(env, "detail.requestParameters.bucketName")
		}
		e.Resource, e.Subject = b, b
		setAttr(&e, "bucket", b)
		what = s3Exposure(&e, d.EventName, req)
	case "ScheduleKeyDeletion", "CancelKeyDeletion", "DisableKey", "EnableKey":
		key := keyID(first(jsonString(d.ResponseElements, "keyId"), str("keyId")))
		if key == "" {
			return nil, missing(env, "detail.requestParameters.keyId")
		}
		e.Resource, e.Subject = key, key
		setAttr(&e, "key_id", key)
		setAttr(&e, "key_arn", first(jsonString(d.ResponseElements, "keyId"), firstARN(d.Resources)))
		setAttr(&e, "deletion_date", jsonString(d.ResponseElements, "deletionDate"))
		if n, ok := req["pendingWindowInDays"]; ok {
			setAttr(&e, "pending_window_days", strings.Trim(string(n), `"`))
		}
		if d.EventName == "CancelKeyDeletion" || d.EventName == "EnableKey" {
			e.Signal = Recovery
		}
		what = strings.ToLower(splitCamel(d.EventName)) + " for KMS key " + key
	case "AttachRolePolicy", "AttachUserPolicy", "AttachGroupPolicy", "DetachRolePolicy", "DetachUserPolicy", "DetachGroupPolicy":
		policy := str("policyArn")
		if policy == "" {
			return nil, missing(env, "detail.requestParameters.policyArn")
		}
		kind, name := "role", str("roleName")
		if n := str("userName"); n != "" {
			kind, name = "user", n
		} else if n := str("groupName"); n != "" {
			kind, name = "group", n
		}
		if name == "" {
			return nil, missing(env, "detail.requestParameters.roleName")
		}
		e.Resource = kind + "/" + name
		e.Subject = e.Resource + "/" + policy
		setAttr(&e, "policy_arn", policy)
		setAttr(&e, "principal_kind", kind)
		setAttr(&e, "principal_name", name)
		admin := strings.HasSuffix(policy, ":policy/AdministratorAccess")
		setAttr(&e, "admin_policy", strconv.FormatBool(admin))
		switch {
		case strings.HasPrefix(d.EventName, "Detach") && admin:
			e.Signal = Recovery
		case !admin:
			e.Signal = Info
		}
		what = fmt.Sprintf("%s %s on %s %s", strings.ToLower(splitCamel(d.EventName)), policy, kind, name)
	default:
		what = "called " + d.EventName
		if e.Resource != "" {
			what += " on " + e.Resource
		}
	}
	if d.UserIdentity.Type == "Root" {
		setAttr(&e, "root", "true")
	}
	if d.ErrorCode != "" {
		// A failed call changed nothing: recorded, never opens or mitigates anything.
		e.Signal = Info
		setAttr(&e, attrErrorCode, d.ErrorCode)
		what += " (failed: " + d.ErrorCode + ")"
	}
	e.Summary = fmt.Sprintf("%s %s", e.Actor, what)
	return one(e)
}

// sgExposure records which permissions of an AuthorizeSecurityGroupIngress open ports to
// the world, and the ids of exactly those rules (from the response), for revocation.
func sgExposure(env events.EventBridgeEvent, e *Event, perms, resp json.RawMessage) error {
	type rng struct {
		CidrIP   string `json:"cidrIp"`
		CidrIPv6 string `json:"cidrIpv6"`
	}
	var p struct {
		Items []struct {
			IPProtocol string `json:"ipProtocol"`
			FromPort   *int   `json:"fromPort"`
			ToPort     *int   `json:"toPort"`
			IPRanges   struct {
				Items []rng `json:"items"`
			} `json:"ipRanges"`
			IPv6Ranges struct {
				Items []rng `json:"items"`
			} `json:"ipv6Ranges"`
		} `json:"items"`
	}
	if len(perms) > 0 && !isNull(perms) {
		if err := json.Unmarshal(perms, &p); err != nil {
			return invalid(env, "detail.requestParameters.ipPermissions", "must be {\"items\": [...]} of IP permissions")
		}
	}
	var ports, cidrs []string
	world, admin := false, false
	for _, it := range p.Items {
		from, to := portRange(it.IPProtocol, it.FromPort, it.ToPort)
		for _, r := range append(it.IPRanges.Items, it.IPv6Ranges.Items...) {
			c := first(r.CidrIP, r.CidrIPv6)
			if c != WorldIPv4 && c != WorldIPv6 {
				continue
			}
			world = true
			cidrs = appendUnique(cidrs, c)
			ports = appendUnique(ports, portLabel(it.IPProtocol, from, to))
			if coversAdminPort(from, to) {
				admin = true
			}
		}
	}
	// The response names each rule the call created; keep the world-open admin ones.
	var r struct {
		Set struct {
			Items []struct {
				RuleID     string `json:"securityGroupRuleId"`
				IsEgress   bool   `json:"isEgress"`
				IPProtocol string `json:"ipProtocol"`
				FromPort   *int   `json:"fromPort"`
				ToPort     *int   `json:"toPort"`
				CidrIPv4   string `json:"cidrIpv4"`
				CidrIPv6   string `json:"cidrIpv6"`
			} `json:"items"`
		} `json:"securityGroupRuleSet"`
	}
	if len(resp) > 0 && !isNull(resp) {
		_ = json.Unmarshal(resp, &r) // optional: older records carry only {"_return": true}
	}
	var ruleIDs []string
	for _, it := range r.Set.Items {
		c := first(it.CidrIPv4, it.CidrIPv6)
		from, to := portRange(it.IPProtocol, it.FromPort, it.ToPort)
		if !it.IsEgress && (c == WorldIPv4 || c == WorldIPv6) && coversAdminPort(from, to) {
			ruleIDs = append(ruleIDs, it.RuleID)
		}
	}
	if world {
		setAttr(e, "exposure", "world")
		setAttr(e, "cidrs", strings.Join(cidrs, ","))
		setAttr(e, "ports", strings.Join(ports, ","))
	}
	setAttr(e, "admin_port", strconv.FormatBool(admin))
	setAttr(e, "rule_ids", strings.Join(ruleIDs, ","))
	return nil
}

func portRange(proto string, from, to *int) (int, int) {
	if proto == "-1" || proto == "all" || from == nil {
		return 0, 65535
	}
	t := *from
	if to != nil {
		t = *to
	}
	if *from == -1 {
		return 0, 65535
	}
	return *from, t
}

func portLabel(proto string, from, to int) string {
	if proto == "-1" || (from == 0 && to == 65535) {
		return "all ports"
	}
	if from == to {
		return fmt.Sprintf("%s/%d", proto, from)
	}
	return fmt.Sprintf("%s/%d-%d", proto, from, to)
}

func coversAdminPort(from, to int) bool {
	for _, p := range AdminPorts {
		if from <= p && p <= to {
			return true
		}
	}
	return false
}

// s3Exposure decides whether a bucket policy, ACL or public-access-block change makes
// a bucket public (trigger), restores protection (recovery) or neither (info).
func s3Exposure(e *Event, name string, req map[string]json.RawMessage) string {
	b := e.Resource
	switch name {
	case "DeleteBucketPublicAccessBlock":
		setAttr(e, "exposure", "public-access-block-removed")
		return "removed the public access block of bucket " + b
	case "PutBucketPublicAccessBlock":
		var c struct {
			Conf map[string]any `json:"PublicAccessBlockConfiguration"`
		}
		_ = json.Unmarshal(mustJSON(req), &c)
		all := len(c.Conf) > 0
		for _, k := range []string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"} {
			if v, _ := c.Conf[k].(bool); !v {
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
		var p struct {
			Statement json.RawMessage `json:"Statement"`
		}
		_ = json.Unmarshal(req["bucketPolicy"], &p)
		if publicPolicy(p.Statement) {
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
// Condition: readable by anyone.
func publicPolicy(stmts json.RawMessage) bool {
	type stmt struct {
		Effect    string          `json:"Effect"`
		Principal json.RawMessage `json:"Principal"`
		Condition json.RawMessage `json:"Condition"`
	}
	var list []stmt
	if err := json.Unmarshal(stmts, &list); err != nil {
		var one stmt
		if json.Unmarshal(stmts, &one) != nil {
			return false
		}
		list = []stmt{one}
	}
	for _, s := range list {
		if s.Effect != "Allow" || (len(s.Condition) > 0 && !isNull(s.Condition)) {
			continue
		}
		for _, p := range findStrings(s.Principal, "*") {
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

func publicACL(req map[string]json.RawMessage) bool {
	for _, canned := range findStrings(mustJSON(map[string]json.RawMessage{"a": req["x-amz-acl"]}), "") {
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

func firstARN(rs []CloudTrailResRef) string {
	if len(rs) > 0 {
		return rs[0].ARN
	}
	return ""
}

func jsonString(obj json.RawMessage, key string) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(obj, &m) != nil {
		return ""
	}
	var s string
	_ = json.Unmarshal(m[key], &s)
	return s
}

// findStrings returns every string value in a JSON tree with the prefix, in document order
// of a sorted walk (object keys sorted), without duplicates.
func findStrings(raw json.RawMessage, prefix string) []string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return nil
	}
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

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
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

func parseSignIn(env events.EventBridgeEvent, e Event) ([]Event, error) {
	var d CloudTrailDetail
	if err := decodeDetail(env, &d); err != nil {
		return nil, err
	}
	if d.EventName == "" {
		return nil, missing(env, "detail.eventName")
	}
	var resp map[string]any
	_ = json.Unmarshal(d.ResponseElements, &resp)
	result, _ := resp["ConsoleLogin"].(string)
	if d.EventName == "ConsoleLogin" && result == "" {
		return nil, missing(env, "detail.responseElements.ConsoleLogin")
	}
	mfa, _ := d.AdditionalEventData["MFAUsed"].(string)
	e.Actor = d.UserIdentity.Actor()
	if e.Actor == "unknown" && d.UserIdentity.UserName != "" {
		e.Actor = d.UserIdentity.UserName
	}
	e.Resource = e.Actor
	e.Subject = e.Actor
	e.Signal = Trigger
	setAttr(&e, attrEventName, d.EventName)
	setAttr(&e, "user_type", d.UserIdentity.Type)
	setAttr(&e, "login_result", result)
	setAttr(&e, "mfa_used", mfa)
	setAttr(&e, attrSourceIP, d.SourceIPAddress)
	if d.UserIdentity.Type == "Root" {
		setAttr(&e, "root", "true")
	}
	e.Summary = fmt.Sprintf("Console sign-in %s for %s from %s", strings.ToLower(first(result, d.EventName)), e.Actor, first(d.SourceIPAddress, "an unknown address"))
	if mfa != "" {
		e.Summary += " (MFA: " + mfa + ")"
	}
	if d.ErrorMessage != "" {
		e.Summary += ": " + d.ErrorMessage
	}
	return one(e)
}
