package status

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
)

// style is the pages' one stylesheet, inline and admitted by its hash (CSP): phones
// first, one column; wider screens get a wider column.
const style = `*{box-sizing:border-box}body{font:15px/1.45 system-ui,-apple-system,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24}` +
	`header,main,footer{max-width:60rem;margin:0 auto;padding:.8rem 1rem}header{background:#1b1f24;color:#fff;max-width:none}` +
	`header h1{font-size:1.15rem;margin:0}header p{margin:.2rem 0 0;color:#c9ced6;font-size:.85rem}a{color:#0b5cd5}header a{color:#fff}` +
	`h2{font-size:1.05rem;margin:1.2rem 0 .5rem}h2 .n{color:#59636e;font-weight:normal}` +
	`.card{background:#fff;border-radius:8px;box-shadow:0 1px 2px #0002;padding:.7rem .9rem;margin:.5rem 0;border-left:5px solid #8c959f}` +
	`.sev1{border-left-color:#b3261e}.sev2{border-left-color:#e8710a}.sev3{border-left-color:#d4a72c}.sev4{border-left-color:#0b5cd5}` +
	`.card h3{font-size:1rem;margin:0 0 .3rem;overflow-wrap:anywhere}.meta{color:#59636e;font-size:.85rem;margin:.15rem 0;overflow-wrap:anywhere}` +
	`.badge{display:inline-block;padding:0 .45rem;border-radius:4px;background:#eaeef2;font-size:.8rem;margin-right:.3rem}` +
	`.b-sev1{background:#b3261e;color:#fff}.b-sev2{background:#e8710a;color:#fff}.b-open{background:#ffebe9}.b-acknowledged{background:#fff8c5}.b-mitigated{background:#dafbe1}` +
	`.children{margin:.4rem 0 0 .6rem;padding-left:.6rem;border-left:2px dashed #d0d7de}.children .card{box-shadow:none;background:#f6f8fa}` +
	`.filters a{margin-right:.6rem}.filters .cur{font-weight:bold;text-decoration:none;color:#1b1f24}.empty{color:#59636e}` +
	`dl{display:grid;grid-template-columns:9rem 1fr;gap:.2rem .8rem;margin:.4rem 0}dt{color:#59636e}dd{margin:0;overflow-wrap:anywhere}` +
	`ol.tl{list-style:none;padding:0}ol.tl li{background:#fff;margin:.3rem 0;padding:.4rem .7rem;border-radius:6px;overflow-wrap:anywhere}` +
	`.tl .k{font-weight:600}.tl .t{color:#59636e;font-size:.8rem}footer{color:#59636e;font-size:.8rem}` +
	`@media (max-width:30rem){dl{grid-template-columns:1fr}dt{margin-top:.3rem}}`

// CSP is the pages' Content-Security-Policy: nothing loads, nothing runs, only the
// stylesheet above applies.
var CSP = "default-src 'none'; style-src 'sha256-" + hash(style) + "'; img-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// Headers are the response headers of every page. Referrer-Policy keeps the viewer
// token in a signed link's path from leaking to the sites the page links to.
func Headers() map[string]string {
	return map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": CSP,
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
		"X-Content-Type-Options":  "nosniff",
	}
}

var pages = template.Must(template.New("status").Funcs(template.FuncMap{
	"style": func() template.CSS { return template.CSS(style) },
}).Parse(`
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
{{- if .Refresh}}<meta http-equiv="refresh" content="{{.Refresh}}">{{end}}
<title>{{.Title}}</title><style>{{style}}</style></head>
<body><header><h1><a href="{{.Home}}">Firebreak status</a></h1><p>As of {{.Generated}}{{if .Refresh}} · refreshes every {{.Refresh}}s{{end}}</p></header>
<main>
{{end}}

{{define "foot"}}</main>
<footer>Firebreak · read-only view</footer>
</body></html>
{{end}}

{{define "card"}}<div class="card {{.Severity}}" id="{{.ID}}">
<h3><a href="{{.Href}}">{{.Title}}</a></h3>
<p class="meta"><span class="badge b-{{.Severity}}">{{.Severity}} {{.SeverityLabel}}</span><span class="badge b-{{.Status}}">{{.Status}}</span>{{.ID}}</p>
{{- if .Impact}}<p class="meta">Impact: {{.Impact}}</p>{{end}}
<p class="meta">Owner: {{.Team}}{{range .Roles}} · {{.Label}}: {{.Name}}{{end}}</p>
<p class="meta">{{if .Resolved}}Resolved {{.Resolved}} after {{.OpenFor}}{{else}}Open for {{.OpenFor}} (since {{.Opened}}){{end}} · {{if .Client}}{{.Client}} {{.Environment}} · {{end}}{{.Account}} {{.Region}}</p>
{{- if .Runbook}}<p class="meta">Automation: {{.Runbook}}{{if .Phase}} — {{.Phase}}{{if .PhaseDetail}}: {{.PhaseDetail}}{{end}}{{end}}</p>{{end}}
{{- if .ETA}}<p class="meta">Estimated resolution: {{.ETA}}</p>{{end}}
{{- if .LastUpdateAt}}<p class="meta">Last update {{.LastUpdateAt}}: {{.LastUpdate}}</p>{{end}}
{{- if .Children}}<div class="children">
{{- range .Children}}{{template "card" .}}{{end}}
</div>{{end}}
</div>
{{end}}

{{define "board"}}{{template "head" .Common}}
{{- if .Accounts}}<p class="filters">{{range .Accounts}}{{if .Current}}<a class="cur" href="{{.Href}}">{{.Label}}</a>{{else}}<a href="{{.Href}}">{{.Label}}</a>{{end}}{{end}}</p>{{end}}
{{- if .Account}}<p class="meta">Account {{.Account}} only.</p>{{end}}
{{- if .Clients}}<p class="filters">{{range .Clients}}{{if .Current}}<a class="cur" href="{{.Href}}">{{.Label}}</a>{{else}}<a href="{{.Href}}">{{.Label}}</a>{{end}}{{end}}</p>{{end}}
{{- if .Client}}<p class="meta">Client {{.Client}} only.</p>{{end}}
{{- if .Outbox}}<p class="meta">What would have been sent: <a href="{{.Outbox}}">the outbox</a>, every message per protocol.</p>{{end}}
<h2>Active incidents <span class="n">({{.Active}}{{if .Truncated}}, the most recent shown{{end}})</span></h2>
{{- range .Groups}}
<section class="group"><h2>{{.Severity}} · {{.Label}} <span class="n">({{.Count}})</span></h2>
{{range .Items}}{{template "card" .}}{{end}}</section>
{{- else}}
<p class="empty">No active incidents.</p>
{{- end}}
<h2>Recently resolved <span class="n">({{len .Resolved}})</span></h2>
{{- range .Resolved}}{{template "card" .}}{{else}}
<p class="empty">Nothing resolved in the last 24 hours.</p>
{{- end}}
{{template "foot"}}{{end}}

{{define "incident"}}{{template "head" .Common}}
{{with .Item}}<p class="meta"><a href="{{$.Home}}">← all incidents</a></p>
<div class="card {{.Severity}}">
<h3>{{.Title}}</h3>
<p class="meta"><span class="badge b-{{.Severity}}">{{.Severity}} {{.SeverityLabel}}</span><span class="badge b-{{.Status}}">{{.Status}}</span>{{.ID}}</p>
<dl>
{{- if .Impact}}<dt>Impact</dt><dd>{{.Impact}}</dd>{{end}}
<dt>Owner</dt><dd>{{.Team}}</dd>
{{- range .Roles}}<dt>{{.Label}}</dt><dd>{{.Name}}</dd>{{end}}
<dt>Opened</dt><dd>{{.Opened}}</dd>
<dt>{{if .Resolved}}Resolved{{else}}Open for{{end}}</dt><dd>{{if .Resolved}}{{.Resolved}} (after {{.OpenFor}}){{else}}{{.OpenFor}}{{end}}</dd>
<dt>Where</dt><dd>{{.Account}} {{.Region}} {{.Resource}}</dd>
{{- if .Client}}<dt>Client</dt><dd>{{.Client}} · {{.Environment}}{{if .AccountName}} · {{.AccountName}}{{end}}</dd>{{end}}
{{- if .AccountReason}}<dt>Priority</dt><dd>{{.AccountReason}}</dd>{{end}}
<dt>Class</dt><dd>{{.Class}}</dd>
{{- if .Runbook}}<dt>Automation</dt><dd>{{.Runbook}}{{if .Phase}} — {{.Phase}}{{if .PhaseDetail}}: {{.PhaseDetail}}{{end}}{{end}}</dd>{{end}}
{{- if .ETA}}<dt>Estimated resolution</dt><dd>{{.ETA}}</dd>{{end}}
{{- if .LastUpdateAt}}<dt>Last update</dt><dd>{{.LastUpdateAt}}: {{.LastUpdate}}</dd>{{end}}
{{- if .ParentID}}<dt>Grouped under</dt><dd><a href="{{.ParentHref}}">{{.ParentID}}</a> ({{.ParentReason}})</dd>{{end}}
</dl></div>{{end}}
<h2>Timeline <span class="n">({{len .Timeline}})</span></h2>
<ol class="tl">
{{- range .Timeline}}
<li><span class="t">{{.At}}</span> <span class="k">{{.Kind}}</span> {{.Actor}}<br>{{.Detail}}</li>
{{- end}}
</ol>
{{template "foot"}}{{end}}

{{define "error"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>Firebreak status</title><style>{{style}}</style></head>
<body><header><h1>Firebreak status</h1></header><main><p>{{.Message}}</p><p><a href="{{.Home}}">All incidents</a></p></main></body></html>
{{end}}
`))

type errorView struct{ Message, Home string }

func (p *Page) execute(name string, v any) ([]byte, error) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ServeHTTP serves the pages over net/http with the request's path relative to where
// the pages are mounted (use http.StripPrefix), for tests and local tools. It has no
// access control of its own.
func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return
	}
	resp := p.Render(r.Context(), Request{Path: r.URL.Path, Account: r.URL.Query().Get("account"), Client: r.URL.Query().Get("client")})
	for k, v := range Headers() {
		w.Header().Set(k, v)
	}
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
}
