package config

import (
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

// Reviews configures post-incident reviews and the reminders of reviews and tracked
// actions (packages review and action). Every key is optional.
type Reviews struct {
	// Severity: incidents at or above it get a review when resolved (default sev2).
	Severity string `yaml:"severity"`
	// DueWithin: a review is due this long after its incident was resolved (default 120h).
	DueWithin *Duration `yaml:"due_within"`
	// RemindBefore: the owner of a review or action is reminded this long before it is
	// due (default 24h; 0s: not), then at the due time.
	RemindBefore *Duration `yaml:"remind_before"`
	// OverdueEvery: and again every this long while it stays overdue (default 168h; 0s: not).
	OverdueEvery *Duration `yaml:"overdue_every"`
}

// ReviewPolicy is the reviews configuration with its defaults applied.
type ReviewPolicy struct {
	Severity                              incident.Severity
	DueWithin, RemindBefore, OverdueEvery time.Duration
}

// Review defaults.
const (
	DefaultReviewSeverity     = incident.Sev2
	DefaultReviewDueWithin    = 5 * 24 * time.Hour
	DefaultReviewRemindBefore = 24 * time.Hour
	DefaultReviewOverdueEvery = 7 * 24 * time.Hour
)

// ReviewPolicy returns the reviews configuration with defaults for what is not set.
func (c *Config) ReviewPolicy() ReviewPolicy {
	p := ReviewPolicy{Severity: DefaultReviewSeverity, DueWithin: DefaultReviewDueWithin,
		RemindBefore: DefaultReviewRemindBefore, OverdueEvery: DefaultReviewOverdueEvery}
	r := c.Reviews
	if r == nil {
		return p
	}
	if r.Severity != "" {
		p.Severity = incident.Severity(r.Severity)
	}
	for _, v := range []struct {
		set *Duration
		to  *time.Duration
	}{{r.DueWithin, &p.DueWithin}, {r.RemindBefore, &p.RemindBefore}, {r.OverdueEvery, &p.OverdueEvery}} {
		if v.set != nil {
			*v.to = v.set.Duration
		}
	}
	return p
}

// Reviewed reports whether an incident of severity sev gets a review when resolved.
func (p ReviewPolicy) Reviewed(sev incident.Severity) bool {
	return sev != incident.Info && sev.Rank() <= p.Severity.Rank()
}

// validateReviews checks the reviews section.
func (c *Config) validateReviews(doc *strictyaml.Doc) strictyaml.Errors {
	var errs strictyaml.Errors
	r := c.Reviews
	if r == nil {
		return nil
	}
	if r.Severity != "" {
		if sev, err := incident.ParseSeverity(r.Severity); err != nil || sev == incident.Info {
			errs = append(errs, doc.Errorf("reviews.severity", "%q is not one of sev1, sev2, sev3, sev4", r.Severity))
		}
	}
	if r.DueWithin != nil && r.DueWithin.Duration <= 0 {
		errs = append(errs, doc.Errorf("reviews.due_within", "must be more than 0s"))
	}
	if r.DueWithin != nil && r.RemindBefore != nil && r.RemindBefore.Duration >= r.DueWithin.Duration {
		errs = append(errs, doc.Errorf("reviews.remind_before", "%s is not shorter than due_within (%s)", Short(r.RemindBefore.Duration), Short(r.DueWithin.Duration)))
	}
	return errs
}
