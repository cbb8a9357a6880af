// Package notify tells responders: it renders a notice for each protocol (an e-mail
// subject and body, an SMS of at most 160 GSM-7 characters) from text/template files and
// publishes it to the owning team's SNS topic with message attributes subscribers can
// filter on (team, severity, class, account, status, kind).
package notify

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Kind is what a notice is about.
type Kind string

// Notice kinds.
const (
	Opened         Kind = "opened"
	Retriggered    Kind = "retriggered"
	SeverityRaised Kind = "severity-raised"
	Mitigated      Kind = "mitigated"
	Resolved       Kind = "resolved"
	Approval       Kind = "approval"      // a runbook waits for a human
	RunbookNotice  Kind = "runbook"       // a runbook tells the owner something (usually a failure)
	Reminder       Kind = "update-due"    // the owner's update is due
	Escalation     Kind = "escalation"    // nobody acknowledged: the next tier is told
	Acknowledged   Kind = "acknowledged"  // someone took it
	Reassigned     Kind = "reassigned"    // a new owner
	SilenceEnded   Kind = "silence-ended" // the silence that kept it quiet ended; it is still active
)

var headlines = map[Kind]string{
	Opened: "Opened", Retriggered: "Triggered again", SeverityRaised: "Severity raised", Mitigated: "Mitigated",
	Resolved: "Resolved", Approval: "Approval needed", RunbookNotice: "Runbook needs you", Reminder: "Update due",
	Escalation: "Escalated, not acknowledged", Acknowledged: "Acknowledged", Reassigned: "Now yours",
	SilenceEnded: "Silence ended, still active", ProblemOpened: "Problem opened",
}

// Automation is what a runbook did for the incident.
type Automation struct {
	Runbook string
	Status  string // started, succeeded, failed, waiting for approval, dry-run …
	Detail  string
	URL     string // the execution in the console, when there is one
}

// Action is a one-click link.
type Action struct{ Label, URL string }

// Notice is everything a message says.
type Notice struct {
	Kind       Kind
	Incident   incident.Incident // with counters
	TeamName   string
	Policy     *config.SeverityPolicy
	Previous   incident.Severity // for SeverityRaised
	Message    string            // extra text: the approval request, the runbook's message
	Automation []Automation
	NextUpdate time.Time
	Actions    []Action // acknowledge, resolve, approve, … links
	Paged      Paged    // the person paged and why (oncall.go); zero: a team
	// StatusURL is the incident on the read-only status page (a viewer link, token
	// action "view"), when links are configured.
	StatusURL string
}

// Rendered is a notice in each protocol's form.
type Rendered struct {
	Subject string // e-mail subject, at most 100 characters (SNS's limit)
	Email   string
	SMS     string // at most 160 GSM-7 characters
}

//go:embed templates/*.tmpl
var templateFS embed.FS

// tmpl is parsed the first time a notice is rendered, not at init: every Lambda that
// links this package (intake does, through the store) would parse it at cold start.
var tmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("notify").Funcs(template.FuncMap{
		"upper": func(s incident.Severity) string { return strings.ToUpper(string(s)) },
		"stamp": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.UTC().Format("2006-01-02 15:04:05 UTC")
		},
	}).ParseFS(templateFS, "templates/*.tmpl"))
})

type view struct {
	Notice
	Headline     string
	SeverityName string
	UpdateEvery  string
}

// Render renders a notice for every protocol.
func Render(n Notice) (Rendered, error) {
	v := view{Notice: n, Headline: Headline(n), SeverityName: n.Incident.Severity.Label()}
	if v.Headline == "" {
		return Rendered{}, fmt.Errorf("render notice for %s: unknown kind %q", n.Incident.ID, n.Kind)
	}
	if n.Policy != nil {
		if n.Policy.Name != "" {
			v.SeverityName = n.Policy.Name
		}
		if d := n.Policy.UpdateEvery.Duration; d > 0 {
			v.UpdateEvery = config.Short(d)
		}
	}
	if v.TeamName == "" {
		v.TeamName = n.Incident.Team
	}
	var body strings.Builder
	if err := tmpl().ExecuteTemplate(&body, "email", v); err != nil {
		return Rendered{}, fmt.Errorf("render e-mail of %s: %w", n.Incident.ID, err)
	}
	return Rendered{Subject: subjectOf(v.Headline, n), Email: body.String() + "\n", SMS: SMS(v.Headline, n)}, nil
}

// subjectOf is a notice's e-mail subject: "[SEV2] Opened: <title>", made valid for SNS.
func subjectOf(headline string, n Notice) string {
	return subject("[" + strings.ToUpper(string(n.Incident.Severity)) + "] " + headline + ": " + n.Incident.Title)
}

// subject makes a valid SNS e-mail subject: printable ASCII, one line, at most 100.
func subject(s string) string {
	s = strings.Join(strings.Fields(printable(unicodePunct.Replace(s))), " ")
	if len(s) > 100 {
		s = s[:97] + "..."
	}
	return s
}

// SMSLimit is the length of one GSM-7 SMS segment.
const SMSLimit = 160

// SMS is the text message: severity, what, where and the incident id, always within one
// 160-character GSM-7 segment (non-GSM characters would cut the limit to 70).
func SMS(headline string, n Notice) string {
	inc := n.Incident
	head := fmt.Sprintf("%s %s: ", strings.ToUpper(string(inc.Severity)), toASCII(headline))
	tail := fmt.Sprintf("; %s %s; %s", inc.Account, inc.Region, inc.ID)
	what := toASCII(inc.Title)
	if n.Kind == Approval || n.Kind == RunbookNotice || n.Kind == ProblemOpened {
		what = toASCII(n.Message)
	}
	room := SMSLimit - len(head) - len(tail)
	if room < 8 { // an absurdly long id or headline: keep the id, drop the rest
		return clipASCII(head+tail, SMSLimit)
	}
	return head + clipASCII(what, room) + tail
}

func clipASCII(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// gsmSafe replaces characters outside GSM 03.38 (and the ones that cost two) with ASCII.
var gsmSafe = strings.NewReplacer("→", "->", "—", "-", "–", "-", "…", "...", "·", "-", "“", `"`, "”", `"`, "‘", "'", "’", "'",
	"[", "(", "]", ")", "{", "(", "}", ")", "\\", "/", "^", "", "~", "-", "|", "/", "€", "EUR", "`", "'")

// unicodePunct spells typographic punctuation in ASCII.
var unicodePunct = strings.NewReplacer("→", "->", "—", "-", "–", "-", "…", "...", "·", "-", "“", `"`, "”", `"`, "‘", "'", "’", "'")

func toASCII(s string) string { return printable(gsmSafe.Replace(s)) }

func printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteByte(' ')
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// Publisher is the SNS API the notifier uses.
type Publisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

var _ Publisher = (*sns.Client)(nil)

// Notifier publishes notices to team topics.
type Notifier struct {
	pub    Publisher
	topics map[string]string // team → topic ARN
}

// New returns a notifier publishing to the given team topics.
func New(pub Publisher, topics map[string]string) *Notifier {
	return &Notifier{pub: pub, topics: topics}
}

// Failures no retry can fix: the notice cannot be sent as things are configured.
var (
	ErrNoTopic = errors.New("no topic for team")
	ErrRender  = errors.New("notice cannot be rendered")
)

// Send publishes the notice to team's topic and returns the message id.
func (n *Notifier) Send(ctx context.Context, team string, notice Notice) (string, error) {
	topic, ok := n.topics[team]
	if !ok {
		return "", fmt.Errorf("notify %s of %s: %w %q", team, notice.Incident.ID, ErrNoTopic, team)
	}
	publishInput := PublishInput
	if h, ok := n.pub.(headersOnly); ok && h.HeadersOnly() {
		publishInput = HeadersInput
	}
	in, err := publishInput(topic, notice)
	if err != nil {
		return "", fmt.Errorf("notify %s of %s: %w: %w", team, notice.Incident.ID, ErrRender, err)
	}
	out, err := n.pub.Publish(ctx, in)
	if err != nil {
		return "", fmt.Errorf("notify %s of %s (%s): %w", team, notice.Incident.ID, notice.Kind, err)
	}
	return aws.ToString(out.MessageId), nil
}

// PublishInput is the SNS request for a notice: a message-structure JSON message so each
// protocol gets its own text, and the attributes subscription filter policies use.
func PublishInput(topic string, notice Notice) (*sns.PublishInput, error) {
	r, err := Render(notice)
	if err != nil {
		return nil, err
	}
	msg, err := json.Marshal(map[string]string{"default": r.Email, "email": r.Email, "email-json": r.Email, "sms": r.SMS})
	if err != nil {
		return nil, fmt.Errorf("encode message of %s: %w", notice.Incident.ID, err)
	}
	return &sns.PublishInput{
		TopicArn:          aws.String(topic),
		Subject:           aws.String(r.Subject),
		Message:           aws.String(string(msg)),
		MessageStructure:  aws.String("json"),
		MessageAttributes: attributes(notice),
	}, nil
}

// attributes are a notice's message attributes, for subscription filter policies.
func attributes(notice Notice) map[string]types.MessageAttributeValue {
	inc := notice.Incident
	attrs := make(map[string]types.MessageAttributeValue, 7)
	for _, kv := range [...][2]string{{"team", inc.Team}, {"severity", string(inc.Severity)}, {"class", inc.Class},
		{"account", inc.Account}, {"status", string(inc.Status)}, {"kind", string(notice.Kind)}, {"incident", inc.ID}} {
		if kv[1] != "" {
			attrs[kv[0]] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(kv[1])}
		}
	}
	return attrs
}

// ProblemTeller tells a team that a problem opened, as a ProblemOpened notice sent
// through Sender (the problem tracker's Sender).
type ProblemTeller struct {
	Sender interface {
		Send(ctx context.Context, team string, n Notice) (string, error)
	}
}

// TellProblemOpened sends the notice.
func (p ProblemTeller) TellProblemOpened(ctx context.Context, team string, inc incident.Incident, message string) (string, error) {
	return p.Sender.Send(ctx, team, Notice{Kind: ProblemOpened, Incident: inc, Message: message})
}
