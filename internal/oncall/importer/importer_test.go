package importer_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/oncall"
	"github.com/firebreak-ops/firebreak/internal/oncall/importer"
)

// importInto runs an import of testdata/<dir> and merges it into the shipped
// configuration; the merged configuration must load.
func importInto(t *testing.T, dir string, convert func([]importer.File) (*importer.Result, error)) (*config.Config, *importer.Result, []byte) {
	t.Helper()
	files, err := importer.ReadDir("testdata/" + dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := convert(files)
	if err != nil {
		t.Fatalf("import %s: %v", dir, err)
	}
	merged, _, _, err := importer.Merge("firebreak.yaml", firebreak.ConfigBytes(), res, firebreak.ParseConfig)
	if err != nil {
		t.Fatalf("Merge(%s) = %v", dir, err)
	}
	cfg, err := config.Parse("firebreak.yaml", merged)
	if err != nil {
		t.Fatalf("merged configuration does not load: %v", err)
	}
	return cfg, res, merged
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

type whoCase struct {
	schedule, at string
	want         []string
	end          string // optional
}

func checkWho(t *testing.T, cfg *config.Config, tests []whoCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.schedule+"@"+tt.at, func(t *testing.T) {
			got, err := oncall.At(tt.schedule, cfg.Schedules[tt.schedule], cfg.Overrides, ts(tt.at))
			if err != nil {
				t.Fatalf("At(%s, %s) = %v", tt.schedule, tt.at, err)
			}
			if !slices.Equal(got.Contacts, tt.want) {
				t.Errorf("At(%s, %s) = %v; want %v", tt.schedule, tt.at, got.Contacts, tt.want)
			}
			if tt.end != "" && !got.End.Equal(ts(tt.end)) {
				t.Errorf("At(%s, %s) ends %s; want %s", tt.schedule, tt.at, got.End.UTC().Format(time.RFC3339), tt.end)
			}
		})
	}
}

func checkNotCarried(t *testing.T, res *importer.Result, wants ...string) {
	t.Helper()
	all := strings.Join(res.NotCarried, "\n")
	for _, w := range wants {
		if !strings.Contains(all, w) {
			t.Errorf("NotCarried =\n%s\nwant a line containing %q", all, w)
		}
	}
}

func layer(t *testing.T, cfg *config.Config, schedule string, i int) *oncall.Layer {
	t.Helper()
	s := cfg.Schedules[schedule]
	if s == nil || len(s.Layers) <= i {
		t.Fatalf("schedule %s layer %d missing (schedules: %v)", schedule, i, cfg.ScheduleNames())
	}
	return s.Layers[i]
}

func TestIncidentManager(t *testing.T) {
	cfg, res, _ := importInto(t, "incident-manager", importer.IncidentManager)

	if c := cfg.Contact("akua"); c == nil || c.Name != "Akua Mansa" || !slices.Equal(c.Email, []string{"akua@example.com"}) || !slices.Equal(c.SMS, []string{"+4915550100200"}) {
		t.Errorf("contact akua = %+v; want her name, e-mail and SMS channels", c)
	}
	if c := cfg.Contact("mateo-jackson"); c == nil || !slices.Equal(c.SMS, []string{"+4915550100201"}) {
		t.Errorf("contact mateo-jackson (alias mateo_jackson) = %+v", c)
	}
	if s := cfg.Schedules["sre-oncall"]; s == nil || s.Combine != oncall.CombineAll || len(s.Layers) != 2 {
		t.Fatalf("schedule sre-oncall = %+v; want the on-call schedule's two rotations, all engaged", s)
	}
	biz := layer(t, cfg, "sre-oncall", 0)
	if biz.Name != "business-hours" || biz.Every != "week" || !slices.Equal(biz.Days, []string{"mon"}) || biz.HandOff != "09:00" ||
		biz.TimeZone != "Europe/Berlin" || biz.Start != "2026-03-02T09:00" || !slices.Equal(biz.Members, []string{"akua", "mateo-jackson"}) ||
		len(biz.Restrictions) != 1 || !slices.Equal(biz.Restrictions[0].Days, []string{"mon", "tue", "wed", "thu", "fri"}) ||
		biz.Restrictions[0].From != "09:00" || biz.Restrictions[0].To != "17:00" {
		t.Errorf("business-hours layer = %+v; want weekly MON 09:00 Europe/Berlin from 2026-03-02 09:00, covering weekdays 09:00-17:00", biz)
	}
	ny := layer(t, cfg, "sre-oncall", 1)
	if ny.Every != "day" || ny.Interval != 2 || ny.HandOff != "09:00" || ny.TimeZone != "America/New_York" || ny.Start != "2026-03-06T09:00" ||
		!slices.Equal(ny.Members, []string{"li", "mateo-jackson", "akua"}) {
		t.Errorf("New York layer = %+v; want every 2 days at 09:00 New York from 2026-03-06 09:00 (14:00Z)", ny)
	}
	dba := layer(t, cfg, "dba-monthly", 0)
	if dba.Every != "month" || dba.DayOfMonth != 1 || dba.HandOff != "08:00" || dba.OnCall != 2 || dba.Start != "2026-01-01T08:00" {
		t.Errorf("dba-monthly layer = %+v; want monthly on the 1st at 08:00, two on call, from the epoch start 1767254400", dba)
	}
	if len(cfg.Overrides) != 1 || cfg.Overrides[0] != (oncall.Override{Schedule: "sre-oncall", Layer: "business-hours", Contact: "li",
		Start: ts("2026-03-10T08:00:00Z"), End: ts("2026-03-11T08:00:00Z"), Reason: "imported from Incident Manager override a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"}) {
		t.Errorf("overrides = %+v; want li over business-hours on 2026-03-10", cfg.Overrides)
	}
	esc := cfg.Escalations["sre-escalation"]
	if esc == nil || len(esc.Tiers) != 3 {
		t.Fatalf("escalation sre-escalation = %+v; want three tiers", esc)
	}
	for i, want := range []struct {
		after  time.Duration
		notify string
	}{{0, "schedule:sre-oncall"}, {10 * time.Minute, "contact:akua"}, {25 * time.Minute, "contact:mateo-jackson"}} {
		if got := esc.Tiers[i]; got.After.Duration != want.after || !slices.Equal(got.Notify, []string{want.notify}) {
			t.Errorf("tier %d = after %s notify %v; want after %s notify %s", i, got.After.Duration, got.Notify, want.after, want.notify)
		}
	}
	checkWho(t, cfg, []whoCase{
		// Shift 0 of the New York layer runs 47 hours, across the switch to EDT on 2026-03-08.
		{"sre-oncall", "2026-03-08T12:59:00Z", []string{"li"}, "2026-03-08T13:00:00Z"},
		{"sre-oncall", "2026-03-08T13:00:00Z", []string{"mateo-jackson"}, ""},
		// Monday 09:30 CET: business hours (mateo, week 1) and New York (mateo, shift 1).
		{"sre-oncall", "2026-03-09T08:30:00Z", []string{"mateo-jackson"}, ""},
		// The override puts li in place of the business-hours layer; New York still mateo.
		{"sre-oncall", "2026-03-10T09:00:00Z", []string{"li", "mateo-jackson"}, "2026-03-10T13:00:00Z"},
		{"sre-oncall", "2026-03-16T10:00:00Z", []string{"akua", "mateo-jackson"}, ""},
		{"dba-monthly", "2026-02-15T00:00:00Z", []string{"mateo-jackson", "li"}, "2026-03-01T08:00:00Z"},
	})
	checkNotCarried(t, res, "file notes.json: not an Incident Manager", "voice channel \"li desk phone\"", "contact akua: its engagement plan",
		"stage 3: a single channel of mateo-jackson", "IsEssential", "paging does not follow directly")
}

func TestOpsgenie(t *testing.T) {
	cfg, res, _ := importInto(t, "opsgenie", importer.Opsgenie)

	if c := cfg.Contact("jane-roe"); c == nil || c.Name != "Jane Roe" || c.TimeZone != "America/New_York" ||
		!slices.Equal(c.Email, []string{"jane.roe@example.com"}) || !slices.Equal(c.SMS, []string{"+12125550123"}) {
		t.Errorf("contact jane-roe = %+v; want her e-mail once and the SMS number 1-2125550123 in E.164", c)
	}
	weekly := layer(t, cfg, "sre-primary", 0)
	if weekly.Name != "weekly" || weekly.Every != "week" || weekly.TimeZone != "Europe/Berlin" || weekly.Start != "2026-03-02T09:00" ||
		!slices.Equal(weekly.Members, []string{"john-doe", "jane-roe"}) {
		t.Errorf("weekly layer = %+v; want john and jane weekly from Monday 2026-03-02 09:00 Berlin (08:00Z)", weekly)
	}
	biz := layer(t, cfg, "sre-primary", 1)
	if !slices.Equal(biz.Members, []string{"sam-poe"}) || biz.Every != "day" || len(biz.Restrictions) != 3 {
		t.Errorf("business-hours layer = %+v; want sam with three restriction windows", biz)
	}
	nights := layer(t, cfg, "ny-nights", 0)
	if nights.Start != "2026-03-06T17:00" || nights.End != "2026-12-31T17:00" || len(nights.Restrictions) != 1 ||
		nights.Restrictions[0].From != "17:00" || nights.Restrictions[0].To != "09:00" || len(nights.Restrictions[0].Days) != 7 {
		t.Errorf("nights layer = %+v; want 17:00 New York hand-offs, ending 2026-12-31, restricted to 17:00-09:00 every day", nights)
	}
	if cfg.Schedules["sre-primary"].Combine != oncall.CombineAll {
		t.Errorf("sre-primary combine = %q; want all (Opsgenie notifies every rotation's on-call user)", cfg.Schedules["sre-primary"].Combine)
	}
	esc := cfg.Escalations["sre-escalation"]
	if esc == nil || len(esc.Tiers) != 2 || !slices.Equal(esc.Tiers[0].Notify, []string{"schedule:sre-primary"}) ||
		esc.Tiers[1].After.Duration != 10*time.Minute || !slices.Equal(esc.Tiers[1].Notify, []string{"schedule:ny-nights", "contact:john-doe"}) {
		t.Errorf("escalation = %+v; want schedule:sre-primary at 0s, then ny-nights and john at 10m", esc)
	}
	checkWho(t, cfg, []whoCase{
		// The rotation-specific override replaces the weekly layer; sam also has business hours.
		{"sre-primary", "2026-03-03T10:00:00Z", []string{"sam-poe"}, "2026-03-03T14:00:00Z"},
		{"sre-primary", "2026-03-03T15:00:00Z", []string{"john-doe", "sam-poe"}, "2026-03-03T16:00:00Z"},
		{"sre-primary", "2026-03-10T10:00:00Z", []string{"jane-roe", "sam-poe"}, ""},
		// Friday's window runs to Saturday 02:30 CET.
		{"sre-primary", "2026-03-07T01:00:00Z", []string{"john-doe", "sam-poe"}, "2026-03-07T01:30:00Z"},
		{"sre-primary", "2026-03-07T01:45:00Z", []string{"john-doe"}, ""},
		// The schedule-wide override over the weekend Berlin changes to CEST.
		{"sre-primary", "2026-03-28T12:00:00Z", []string{"john-doe"}, "2026-03-30T07:00:00Z"},
		{"sre-primary", "2026-03-30T07:00:00Z", []string{"john-doe", "sam-poe"}, "2026-03-30T15:00:00Z"},
		// New York nights: 17:00 hand-offs across the switch to EDT on 2026-03-08.
		{"ny-nights", "2026-03-08T12:00:00Z", []string{"sam-poe"}, "2026-03-08T13:00:00Z"},
		{"ny-nights", "2026-03-08T20:59:00Z", []string{}, "2026-03-08T21:00:00Z"},
		{"ny-nights", "2026-03-08T21:30:00Z", []string{"jane-roe"}, ""},
		{"ny-nights", "2027-01-05T03:00:00Z", []string{}, ""},
	})
	checkNotCarried(t, res, `a "none" turn`, "team SRE as a participant", "override freeze: nobody on call", "repeats 2 times",
		"voice 1-2125550123", `"if not closed"`)
}

func TestMergeKeepsTheOriginalText(t *testing.T) {
	_, _, merged := importInto(t, "opsgenie", importer.Opsgenie)
	base := strings.Split(string(firebreak.ConfigBytes()), "\n")
	got := strings.Split(string(merged), "\n")
	var missing []string
	j := 0
	for _, line := range base {
		k := slices.Index(got[j:], line)
		if k < 0 {
			missing = append(missing, line)
			continue
		}
		j += k + 1
	}
	// Every original line is kept, in order, except the empty `overrides: []` rewritten
	// as a block.
	if !slices.Equal(missing, []string{"overrides: []"}) {
		t.Errorf("merged configuration lost (or reordered) lines %q; want only `overrides: []` rewritten", missing)
	}
	for _, comment := range []string{"# Firebreak configuration: the one file an operator edits.", "# The taxonomy. The first class whose `match` pattern matches"} {
		if !strings.Contains(string(merged), comment) {
			t.Errorf("merged configuration lost the comment %q", comment)
		}
	}
}

func TestMergeIntoAConfigWithoutOnCall(t *testing.T) {
	base := []byte(`version: 1
defaults: {team: platform}   # who owns the rest
teams:
  platform: {email: [oncall@example.com]}
taxonomy:
  - {class: ops.alarm, match: {"source": ["aws.cloudwatch"]}, severity: sev3}
severities:
  sev1: {channels: [email]}
  sev2: {channels: [email]}
  sev3: {channels: [email]}
  sev4: {channels: []}
`)
	files, _ := importer.ReadDir("testdata/incident-manager")
	res, err := importer.IncidentManager(files)
	if err != nil {
		t.Fatal(err)
	}
	merged, added, _, err := importer.Merge("small.yaml", base, res, firebreak.ParseConfig)
	if err != nil {
		t.Fatalf("Merge = %v", err)
	}
	if !strings.HasPrefix(string(merged), string(base)) {
		t.Errorf("merged does not start with the original text:\n%s", merged)
	}
	cfg, err := config.Parse("small.yaml", merged)
	if err != nil {
		t.Fatalf("merged does not load: %v", err)
	}
	if len(cfg.Contacts) != 3 || len(cfg.Schedules) != 2 || len(added.Contacts) != 3 {
		t.Errorf("merged has %d contacts, %d schedules; want 3 and 2", len(cfg.Contacts), len(cfg.Schedules))
	}
}

func TestMergeReusesExistingContacts(t *testing.T) {
	base := strings.Replace(string(firebreak.ConfigBytes()), "  - id: alice\n", "  - id: akua-m\n    name: Akua M.\n    email: [AKUA@example.com]\n  - id: alice\n", 1)
	files, _ := importer.ReadDir("testdata/incident-manager")
	res, _ := importer.IncidentManager(files)
	merged, added, notes, err := importer.Merge("firebreak.yaml", []byte(base), res, firebreak.ParseConfig)
	if err != nil {
		t.Fatalf("Merge = %v", err)
	}
	cfg, _ := config.Parse("firebreak.yaml", merged)
	if cfg.Contact("akua") != nil || len(added.Contacts) != 2 {
		t.Errorf("akua imported again (%d contacts added); want her matched to akua-m by e-mail", len(added.Contacts))
	}
	if got := cfg.Schedules["sre-oncall"].Layers[0].Members; !slices.Equal(got, []string{"akua-m", "mateo-jackson"}) {
		t.Errorf("business-hours members = %v; want akua-m in akua's place", got)
	}
	if !strings.Contains(strings.Join(notes, "\n"), "contact akua: firebreak.yaml already has it as akua-m") {
		t.Errorf("notes = %v; want the match reported", notes)
	}
}

func TestMergeNeverReturnsAConfigThatDoesNotLoad(t *testing.T) {
	res := &importer.Result{Source: "test", Contacts: []*oncall.Contact{{ID: "zed", Email: []string{"zed@example.com"}}},
		Schedules: map[string]*oncall.Schedule{"broken": {Layers: []*oncall.Layer{{Members: []string{"zed"}, Every: "week", TimeZone: "Mars/Olympus", Start: "2026-01-05"}}}}}
	merged, _, _, err := importer.Merge("firebreak.yaml", firebreak.ConfigBytes(), res, firebreak.ParseConfig)
	if err == nil || merged != nil || !strings.Contains(err.Error(), "would not load") || !strings.Contains(err.Error(), `"Mars/Olympus" is not an IANA time zone`) {
		t.Errorf("Merge(bad time zone) = %d bytes, %v; want no configuration and the reason", len(merged), err)
	}
}

func TestBadFilesNameTheFile(t *testing.T) {
	bad := []importer.File{{Name: "rotations.json", Data: []byte(`{"Rotations": [`)}}
	if _, err := importer.IncidentManager(bad); err == nil || !strings.Contains(err.Error(), "rotations.json") {
		t.Errorf("IncidentManager(truncated) = %v; want an error naming rotations.json", err)
	}
	wrong := []importer.File{{Name: "r.json", Data: []byte(`{"Rotations": [{"Name": "x", "StartTime": "yesterday"}]}`)}}
	if _, err := importer.IncidentManager(wrong); err == nil || !strings.Contains(err.Error(), "r.json: Rotations") {
		t.Errorf("IncidentManager(bad time) = %v; want an error naming r.json", err)
	}
	if _, err := importer.Opsgenie([]importer.File{{Name: "s.json", Data: []byte(`[1, 2]`)}}); err == nil || !strings.Contains(err.Error(), "s.json") {
		t.Errorf("Opsgenie(array) = %v; want an error naming s.json", err)
	}
	// Missing fields are not errors: what is there is carried, the rest reported.
	sparse := []importer.File{{Name: "r.json", Data: []byte(`{"Rotations": [{"Name": "no-zone", "ContactIds": []}]}`)}}
	res, err := importer.IncidentManager(sparse)
	if err != nil || len(res.Schedules) != 0 || !strings.Contains(strings.Join(res.NotCarried, "\n"), `rotation "no-zone": time zone ""`) {
		t.Errorf("IncidentManager(sparse) = %+v, %v; want nothing imported and the reason", res, err)
	}
}
