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

//go:embed templates/report.html.tmpl templates/style.tmpl
var templates embed.FS

// reportTemplate is report.html: one self-contained page (inline style, no
// script, no external asset; a Content-Security-Policy that allows
// nothing else), rendered with html/template, which escapes every text of
// the target's.
var reportTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"join":         strings.Join,
	"broken":       brokenFindings,
	"verdictClass": verdictClass,
	"maxPageFlow":  func() int { return maxPageFlow },
}).ParseFS(templates, "templates/report.html.tmpl", "templates/style.tmpl"))

// verdictClasses are the CSS classes of the requirement verdicts
// (RequirementVerdicts), one colour each, in the order of the legend.
var verdictClasses = []struct{ Verdict, Class string }{
	{ReqPass, "pass"}, {ReqFail, "fail"}, {ReqWarn, "warn"}, {ReqKnown, "known"},
	{Unchecked, "unchecked"}, {Excluded, "excluded"}, {Blocked, "blocked"},
	{NotCheckable, "uncheckable"}, {NotApplicable, "na"}, {holeVerdict, "hole"},
}

// holeVerdict is shown for a requirement no case of this version checks:
// the suite's gap, not the target's, nor the operator's to fix.
const holeVerdict = "no case yet"

func verdictClass(v string) string {
	for _, c := range verdictClasses {
		if c.Verdict == v {
			return c.Class
		}
	}
	return "unchecked"
}

// htmlCoverage is a coverage row with its requirement's verdict.
type htmlCoverage struct {
	Coverage
	Verdict string
}

// htmlGroup is one requirement group: its coverage rows and its cases.
type htmlGroup struct {
	Name     string
	Coverage []htmlCoverage
	Cases    []Case
}

// HTML renders report.html from the run (the results.json model).
// Every text is shown on its line, controls escaped (as in every report),
// and the page is valid UTF-8 whatever bytes a target sent.
func HTML(r Run) ([]byte, error) {
	// The flows read the frames as the target sent them (JSON a device
	// pretty-printed is still JSON) and escape what they show.
	sent := map[string][]Frame{}
	for _, c := range r.Cases {
		sent[c.Key()] = c.Transcript
	}
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
		// Flows are the drawn transcripts, by case key; Legend the
		// requirement verdicts and their classes.
		Flows  map[string]*flow
		Legend []struct{ Verdict, Class string }
		// Examples are the keys of the causes' examples: their transcripts
		// are open, the others folded.
		Examples map[string]bool
	}{Run: r, Started: r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"), Causes: r.Causes(), Hint: r.LegacyHint(), Legend: verdictClasses}
	s := r.Summary
	switch {
	case s.ExitCode == ExitConformant && !s.Partial && s.Must.Unchecked == s.Must.Holes && s.Should.Unchecked == s.Should.Holes:
		data.Banner = "ok"
	case s.ExitCode == ExitConformant || s.ExitCode == ExitIncomplete:
		// Conformant as far as it went, but not everything was checked:
		// never the plain green of a complete run.
		data.Banner = "partial"
	case s.ExitCode == ExitNotConformant:
		data.Banner = "bad"
	default:
		data.Banner = "infra"
	}
	verdicts := r.RequirementVerdicts()
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
		v := verdicts[c.ID]
		if c.Hole {
			v = holeVerdict
		}
		g.Coverage = append(g.Coverage, htmlCoverage{Coverage: c, Verdict: v})
	}
	for _, c := range r.Cases {
		g := group(c.Group)
		g.Cases = append(g.Cases, c)
		stale := c.Baseline != nil && c.Baseline.Stale != ""
		if c.Verdict != caselang.Pass && c.Verdict != caselang.Skip || stale {
			data.Details = append(data.Details, c)
		}
	}
	unescaped := make([]Case, len(data.Details))
	for i, c := range data.Details {
		c.Transcript = sent[c.Key()]
		unescaped[i] = c
	}
	data.Flows = drawFlows(unescaped, data.Causes)
	data.Examples = map[string]bool{}
	for _, c := range data.Causes {
		data.Examples[c.Example] = true
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
