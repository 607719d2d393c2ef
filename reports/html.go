package reports

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"

	"github.com/roomconform/conform/caselang"
)

//go:embed templates/report.html.tmpl
var templates embed.FS

// reportTemplate is report.html: one self-contained page (inline style, no
// script, no external asset; a Content-Security-Policy that allows
// nothing else), rendered with html/template, which escapes every text of
// the target's.
var reportTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"join":   strings.Join,
	"broken": brokenFindings,
	"pretty": prettyPayload,
	"arrow":  arrowOf,
	"statusClass": func(c Coverage) string {
		if c.Hole {
			return "na" // the suite's gap, not the target's
		}
		return map[string]string{Checked: "checked", NotApplicable: "na", Unchecked: "unchecked", Excluded: "na", Blocked: "na", NotCheckable: "na"}[c.Status]
	},
}).ParseFS(templates, "templates/report.html.tmpl"))

// htmlGroup is one requirement group: its coverage rows and its cases.
type htmlGroup struct {
	Name     string
	Coverage []Coverage
	Cases    []Case
}

// HTML renders report.html from the run (the results.json model).
// Every text is shown on its line, controls escaped (as in every report),
// and the page is valid UTF-8 whatever bytes a target sent.
func HTML(r Run) ([]byte, error) {
	r = r.shown()
	data := struct {
		Run     Run
		Banner  string
		Started string
		Groups  []htmlGroup
		Details []Case
		// Causes are what did not pass, by cause, each linked to its
		// example's details; Hint is the verdict's note on --legacy.
		Causes []Cause
		Hint   string
	}{Run: r, Started: r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"), Causes: r.Causes(), Hint: r.LegacyHint()}
	switch r.Summary.ExitCode {
	case ExitConformant:
		data.Banner = "ok"
	case ExitNotConformant:
		data.Banner = "bad"
	default:
		data.Banner = "infra"
	}
	index := map[string]int{}
	group := func(name string) *htmlGroup {
		i, ok := index[name]
		if !ok {
			i = len(data.Groups)
			index[name] = i
			data.Groups = append(data.Groups, htmlGroup{Name: name})
		}
		return &data.Groups[i]
	}
	for _, c := range r.Coverage {
		g := group(caselang.GroupOf(c.ID))
		g.Coverage = append(g.Coverage, c)
	}
	for _, c := range r.Cases {
		g := group(c.Group)
		g.Cases = append(g.Cases, c)
		stale := c.Baseline != nil && c.Baseline.Stale != ""
		if c.Verdict != caselang.Pass && c.Verdict != caselang.Skip || stale {
			data.Details = append(data.Details, c)
		}
	}
	var b bytes.Buffer
	if err := reportTemplate.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("render report.html: %w", err)
	}
	return bytes.ToValidUTF8(b.Bytes(), []byte("\uFFFD")), nil
}

// brokenFindings are the findings a reader of a non-PASS wants: the
// broken ones, expected against actual.
func brokenFindings(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Broken() {
			out = append(out, f)
		}
	}
	return out
}

// prettyPayload indents a JSON payload; anything else is shown as it is
// (html/template escapes it either way).
func prettyPayload(s string) string {
	var b bytes.Buffer
	if json.Indent(&b, []byte(s), "", "  ") == nil {
		return b.String()
	}
	return s
}
