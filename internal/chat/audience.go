package chat

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-ops/firebreak/internal/notify"
)

// RenderAudience is the custom notification of a message of the communication plan to
// an audience's channel: what its e-mail says (the update, the estimate, when it hears
// next) and only the audience's read-only status-page link — never a responder's
// action, the account or the class.
func RenderAudience(n notify.AudienceNotice) (Notification, error) {
	headline := notify.AudienceHeadline(n.Kind)
	if headline == "" {
		return Notification{}, fmt.Errorf("render chat message for %s to %s: %q is not a message to an audience", n.Incident.ID, n.Audience, n.Kind)
	}
	inc := n.Incident
	sev := strings.ToUpper(string(inc.Severity))
	head, tail := fmt.Sprintf("%s %s: ", sev, headline), fmt.Sprintf(" (%s)", inc.ID)
	title := head + clip(clean(inc.Title), max(MaxTitle-utf8.RuneCountInString(head+tail), 8)) + tail
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	if n.Text != "" {
		line("%s", clean(n.Text))
	}
	if inc.Impact != "" {
		line("*Impact:* %s", clean(inc.Impact))
	}
	sevName := n.SeverityName
	if sevName == "" {
		sevName = inc.Severity.Label()
	}
	line("*Status:* %s · *Severity:* %s (%s)", inc.Status, inc.Severity, sevName)
	if owner := first(n.TeamName, inc.Team); owner != "" {
		line("*Handled by:* %s", clean(owner))
	}
	if n.Commander != "" {
		line("*Commander:* %s", clean(n.Commander))
	}
	if !n.ETA.IsZero() {
		line("*Estimated resolution:* %s", n.ETA.UTC().Format(time.DateTime+" UTC"))
	}
	if !n.NextUpdate.IsZero() {
		line("*Next update by:* %s", n.NextUpdate.UTC().Format(time.DateTime+" UTC"))
	}
	out := Notification{
		Version: Version,
		Source:  Source,
		Content: Content{
			TextType:    TextType,
			Title:       clip(title, MaxTitle),
			Description: clip(strings.TrimSuffix(b.String(), "\n"), MaxDescription),
			NextSteps:   nonEmpty(viewStep(n.ViewURL)),
			Keywords:    nonEmpty(string(inc.Severity), n.Audience),
		},
		Metadata: Metadata{
			ThreadID:          inc.ID,
			Summary:           clip(fmt.Sprintf("%s %s: %s", sev, headline, clean(inc.Title)), MaxSummary),
			EventType:         string(n.Kind),
			AdditionalContext: map[string]string{"incident": inc.ID, "kind": string(n.Kind), "audience": n.Audience, "status": string(inc.Status)},
		},
	}
	return out, Validate(out)
}

// EncodeAudience is the JSON of RenderAudience: the SNS message of an audience's chat topic.
func EncodeAudience(n notify.AudienceNotice) ([]byte, error) {
	c, err := RenderAudience(n)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode chat message for %s: %w", n.Incident.ID, err)
	}
	return b, nil
}

func viewStep(url string) string {
	if url == "" {
		return ""
	}
	return "Follow it on the status page: " + url
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
