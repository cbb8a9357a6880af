package events

import (
	"encoding/json"
	"strings"
)

// Scope says in which regions EventBridge delivers the events a rule matches, which
// decides where the rule must be deployed to see them.
type Scope string

const (
	// ScopeRegional rules match events delivered in the region where they happen:
	// deployed in every region watched.
	ScopeRegional Scope = "regional"
	// ScopeGlobal rules match only events of global services, which AWS delivers to
	// EventBridge only in GlobalRegion: elsewhere they never fire.
	ScopeGlobal Scope = "global"
	// ScopeMixed rules match both kinds (e.g. any CloudTrail call made as root): deployed
	// in every region, and in GlobalRegion they also see the global services' events.
	ScopeMixed Scope = "mixed"
)

// GlobalRegion is the one region where AWS delivers the CloudTrail events of global
// services to EventBridge.
const GlobalRegion = "us-east-1"

// globalSources are the event sources (the "source" field) of the global services whose
// CloudTrail events reach EventBridge only in GlobalRegion (EventBridge user guide; AWS
// re:Post "EventBridge rule for IAM events only triggers in us-east-1"). The CloudTrail
// eventSource of each is its name without "aws." plus ".amazonaws.com".
var globalSources = map[string]bool{
	"aws.iam":           true,
	"aws.sts":           true,
	"aws.signin":        true,
	"aws.cloudfront":    true,
	"aws.route53":       true,
	"aws.organizations": true,
	"aws.account":       true,
}

// IsGlobalSource reports whether source (e.g. "aws.iam") is a global service whose
// CloudTrail events EventBridge delivers only in GlobalRegion.
func IsGlobalSource(source string) bool { return globalSources[source] }

// cloudTrailEventSource maps a CloudTrail eventSource ("iam.amazonaws.com") to the
// EventBridge source it is delivered under ("aws.iam").
func cloudTrailEventSource(es string) string {
	return "aws." + strings.TrimSuffix(es, ".amazonaws.com")
}

// Global reports whether the rule can match events of global services, so must also be
// deployed in GlobalRegion (ScopeGlobal and ScopeMixed).
func (r Rule) Global() bool { return r.Scope != ScopeRegional }

// scopeOf derives a rule's scope from its pattern: the exact values of "source", else of
// detail.eventSource; a pattern that constrains neither matches global services' events
// too when its detail-type is one CloudTrail delivers (or is unconstrained).
func scopeOf(pattern json.RawMessage) Scope {
	var p struct {
		Source     []any `json:"source"`
		DetailType []any `json:"detail-type"`
		Detail     struct {
			EventSource []any `json:"eventSource"`
		} `json:"detail"`
	}
	if json.Unmarshal(pattern, &p) != nil {
		return ScopeMixed // cannot tell: deploy it everywhere
	}
	sources, exact := exactStrings(p.Source)
	if !exact {
		var es []string
		if es, exact = exactStrings(p.Detail.EventSource); exact {
			for _, e := range es {
				sources = append(sources, cloudTrailEventSource(e))
			}
		}
	}
	if exact {
		global := 0
		for _, s := range sources {
			if globalSources[s] {
				global++
			}
		}
		switch global {
		case 0:
			return ScopeRegional
		case len(sources):
			return ScopeGlobal
		}
		return ScopeMixed
	}
	types, exact := exactStrings(p.DetailType)
	if !exact {
		return ScopeMixed
	}
	for _, t := range types {
		if strings.HasSuffix(t, " via CloudTrail") {
			return ScopeMixed
		}
	}
	return ScopeRegional
}

// exactStrings returns the values of a pattern field when it is a non-empty list of
// exact strings (ok false when it is absent or holds any operator).
func exactStrings(vals []any) (out []string, ok bool) {
	if len(vals) == 0 {
		return nil, false
	}
	for _, v := range vals {
		s, isString := v.(string)
		if !isString {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}
