package config

import (
	"fmt"
	"maps"
	"slices"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

// Chat names the chat channels that hear a team's or an audience's notices through
// Amazon Q Developer in chat applications (internal/chat renders its custom
// notification JSON; infra/chat.go deploys the topic and the channel configuration).
// Audiences are keyed by name only: the communication plan defines them.
type Chat struct {
	Teams     map[string]*ChatChannel `yaml:"teams"`
	Audiences map[string]*ChatChannel `yaml:"audiences"`
}

// ChatChannel is one Slack channel or one Microsoft Teams channel, never both.
type ChatChannel struct {
	Slack *SlackChannel `yaml:"slack"`
	Teams *TeamsChannel `yaml:"teams"`
}

// SlackChannel is a channel of a Slack workspace already authorized in the Amazon Q
// Developer console (the workspace id is shown there).
type SlackChannel struct {
	WorkspaceID string `yaml:"workspace_id"` // e.g. T0123ABCD
	ChannelID   string `yaml:"channel_id"`   // e.g. C0123ABCD
}

// TeamsChannel is a channel of a Microsoft Teams team already authorized in the Amazon
// Q Developer console.
type TeamsChannel struct {
	TeamID    string `yaml:"team_id"`    // a GUID
	TenantID  string `yaml:"tenant_id"`  // a GUID
	ChannelID string `yaml:"channel_id"` // URL-encoded, e.g. 19%3Aabc%40thread.tacv2
}

// Webhook is an HTTPS endpoint told of notices, signed (internal/webhook). Its URL and
// signing key live in the Secrets Manager secret named Secret, never in this file.
type Webhook struct {
	Name   string `yaml:"name"`
	Secret string `yaml:"secret"` // a secret name holding {"url": "https://…", "key": "…"}
	// Which notices it receives; each empty list means every value.
	Teams      []string `yaml:"teams"`
	Severities []string `yaml:"severities"`
	Kinds      []string `yaml:"kinds"`
}

// Receives reports whether the webhook hears a notice of kind about a team's incident of
// severity.
func (w *Webhook) Receives(team string, sev incident.Severity, kind string) bool {
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	return in(w.Teams, team) && in(w.Severities, string(sev)) && in(w.Kinds, kind)
}

// ChatFor returns the chat channel of a team, nil when it has none.
func (c *Config) ChatFor(team string) *ChatChannel {
	if c.Chat == nil {
		return nil
	}
	return c.Chat.Teams[team]
}

var (
	webhookNameRe = lazyRegexp(`^[a-z0-9][a-z0-9-]{0,39}$`)
	secretNameRe  = lazyRegexp(`^[A-Za-z0-9/_+=.@-]{1,512}$`)
	slackIDRe     = lazyRegexp(`^[A-Z0-9]{1,255}$`)
	guidRe        = lazyRegexp(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)
	// CloudFormation's pattern for TeamsChannelId: the id as the channel's link carries
	// it, URL-encoded (19%3A…%40thread.tacv2).
	teamsChannelRe = lazyRegexp(`^[a-zA-Z0-9-_=+/.,]*%3[aA][a-zA-Z0-9-_=+/.,]*%40[a-zA-Z0-9-_=+/.,]*$`)
	audienceNameRe = lazyRegexp(`^[a-z0-9][a-z0-9-]{0,39}$`)
	noticeKindRe   = lazyRegexp(`^[a-z][a-z-]{0,39}$`)
)

// validateChat checks the chat and webhooks sections. Kinds are checked for form only:
// the notice kinds are internal/notify's, which this package cannot import; an unknown
// kind simply never matches, and internal/webhook's tests hold the documented list.
func (c *Config) validateChat(doc *strictyaml.Doc) strictyaml.Errors {
	var errs strictyaml.Errors
	bad := func(key, format string, args ...any) { errs = append(errs, doc.Errorf(key, format, args...)) }
	if c.Chat != nil {
		for _, team := range slices.Sorted(maps.Keys(c.Chat.Teams)) {
			key := "chat.teams." + team
			if c.Teams[team] == nil {
				bad(key, "%q is not a team of this file (teams: %v)", team, c.TeamNames)
			}
			checkChannel(c.Chat.Teams[team], key, bad)
		}
		for _, name := range slices.Sorted(maps.Keys(c.Chat.Audiences)) {
			key := "chat.audiences." + name
			if !audienceNameRe().MatchString(name) {
				bad(key, "%q must be lower-case letters, digits or '-' (at most 40)", name)
			}
			checkChannel(c.Chat.Audiences[name], key, bad)
		}
	}
	seen := map[string]int{}
	for i, w := range c.Webhooks {
		key := fmt.Sprintf("webhooks[%d]", i)
		if w == nil {
			bad(key, "empty: a webhook needs name and secret")
			continue
		}
		switch first, dup := seen[w.Name]; {
		case !webhookNameRe().MatchString(w.Name):
			bad(key+".name", "%q must be lower-case letters, digits or '-' (at most 40)", w.Name)
		case dup:
			bad(key+".name", "%q is already the name of webhooks[%d]", w.Name, first)
		default:
			seen[w.Name] = i
		}
		if !secretNameRe().MatchString(w.Secret) {
			bad(key+".secret", "%q must be a Secrets Manager secret name (letters, digits and /_+=.@-, at most 512): the URL and key stay out of this file", w.Secret)
		}
		for j, team := range w.Teams {
			if c.Teams[team] == nil {
				bad(fmt.Sprintf("%s.teams[%d]", key, j), "%q is not a team of this file (teams: %v)", team, c.TeamNames)
			}
		}
		for j, sev := range w.Severities {
			if !slices.Contains(incident.Severities, incident.Severity(sev)) {
				bad(fmt.Sprintf("%s.severities[%d]", key, j), "%q is not a severity (%v)", sev, incident.Severities)
			}
		}
		for j, kind := range w.Kinds {
			if !noticeKindRe().MatchString(kind) {
				bad(fmt.Sprintf("%s.kinds[%d]", key, j), "%q is not a notice kind (opened, mitigated, resolved, …: see docs/webhooks.md)", kind)
			}
		}
	}
	return errs
}

func checkChannel(ch *ChatChannel, key string, bad func(key, format string, args ...any)) {
	switch {
	case ch == nil || (ch.Slack == nil && ch.Teams == nil):
		bad(key, "empty: name a slack channel {workspace_id, channel_id} or a teams channel {team_id, tenant_id, channel_id}")
		return
	case ch.Slack != nil && ch.Teams != nil:
		bad(key, "names both a slack and a teams channel: one chat channel each")
		return
	}
	if s := ch.Slack; s != nil {
		if !slackIDRe().MatchString(s.WorkspaceID) {
			bad(key+".slack.workspace_id", "%q must be the Slack workspace id shown in the Amazon Q Developer console (upper-case letters and digits, e.g. T0123ABCD)", s.WorkspaceID)
		}
		if !slackIDRe().MatchString(s.ChannelID) {
			bad(key+".slack.channel_id", "%q must be a Slack channel id (upper-case letters and digits, e.g. C0123ABCD), not its name", s.ChannelID)
		}
	}
	if t := ch.Teams; t != nil {
		if !guidRe().MatchString(t.TeamID) {
			bad(key+".teams.team_id", "%q must be the Microsoft Teams team id (a GUID)", t.TeamID)
		}
		if !guidRe().MatchString(t.TenantID) {
			bad(key+".teams.tenant_id", "%q must be the Microsoft Entra tenant id (a GUID)", t.TenantID)
		}
		if !teamsChannelRe().MatchString(t.ChannelID) {
			bad(key+".teams.channel_id", "%q must be the Teams channel id URL-encoded, as the channel's link carries it (e.g. 19%%3Aabc%%40thread.tacv2)", t.ChannelID)
		}
	}
}
