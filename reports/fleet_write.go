package reports

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strings"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/term"
)

// WriteFleet writes the fleet's reports named by files: junit.xml (a
// testsuite per target), results.json (FleetJSON), report.html and
// summary.md (the target × requirement-group matrix). files.Baseline is
// not a fleet's report and is ignored; each target's own reports are its
// own run's (WriteAll). Every failure is reported, not just the first;
// ctx bounds the waits a path can impose (a FIFO without a reader).
func WriteFleet(ctx context.Context, f Fleet, files Files) error {
	var errs []error
	for _, rep := range []struct {
		flag, path string
		render     func(Fleet) ([]byte, error)
	}{
		{"--junit-report", files.JUnit, FleetJUnit},
		{"--json-report", files.JSON, FleetJSON},
		{"--html-report", files.HTML, FleetHTML},
		{"--summary-report", files.Summary, FleetSummaryMarkdown},
	} {
		if rep.path == "" {
			continue
		}
		b, err := rep.render(f)
		if err == nil {
			err = writeReport(ctx, rep.flag, rep.path, b)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("write fleet reports: %w", err)
	}
	return nil
}

// FleetJUnit renders the fleet's junit.xml: one testsuite per target, in
// the fleet's order, named by the target, with the properties and the
// testcases the target's own junit.xml has (JUnit: its URL as its reports
// show it, its verdict and exit code); the testsuites element carries the
// totals. A target whose run ended before any case (a configuration
// error) gets an error testcase that says why, so that its testsuite
// cannot pass.
func FleetJUnit(f Fleet) ([]byte, error) {
	doc := junitSuites{Name: "conform fleet", Time: junitTime(f.Duration)}
	for _, t := range f.Targets {
		s := junitSuiteOf(t.Run)
		s.Name = term.Line(t.Name)
		if len(t.Run.Cases) == 0 && t.Run.Summary.ExitCode != ExitConformant {
			why := cmp.Or(t.Run.Preflight.Error, t.Run.InfrastructureError, t.Run.Interrupted, t.Run.Summary.Verdict)
			s.Errors++
			s.Cases = append(s.Cases, junitCase{Name: "the run of this target", Classname: "PREFLIGHT", Time: junitTime(0),
				Error: &junitOutcome{Type: "NOT-RUN", Message: term.Line(firstLine(why)), Text: term.Line(why)}})
			s.Tests = len(s.Cases)
		}
		doc.Tests, doc.Failures, doc.Errors = doc.Tests+s.Tests, doc.Failures+s.Failures, doc.Errors+s.Errors
		doc.Suites = append(doc.Suites, s)
	}
	return encodeJUnit(doc)
}

// caseRank orders case verdicts for a matrix cell, worst first: a
// failure, an error, a broken SHOULD, a known failure, a pass; a cell is
// SKIP only when no case of its group was judged.
var caseRank = []caselang.Verdict{caselang.Fail, caselang.Error, caselang.Warn, caselang.XFail, caselang.Pass, caselang.Skip}

// fleetCell is one target's verdict for one requirement group: the worst
// of its cases', how many cases had it, of how many.
type fleetCell struct {
	Verdict      string
	Count, Total int
}

// fleetRow is one target's row of the matrix.
type fleetRow struct {
	Name, URL, Verdict, Href string
	ExitCode                 int
	Partial                  bool
	Cells                    []fleetCell
}

// fleetMatrix is the target × requirement-group matrix: the groups of the
// cases any target ran, in the reading's order (caselang.Requirements),
// and a row per target in the fleet's order. Text is as the reports show
// it (one line, controls escaped); the renderers escape it for their
// format.
func fleetMatrix(f Fleet) (groups []string, rows []fleetRow) {
	seen := map[string]bool{}
	for _, t := range f.Targets {
		for _, c := range t.Run.Cases {
			seen[c.Group] = true
		}
	}
	for _, r := range caselang.Requirements() {
		if g := caselang.GroupOf(r.ID); seen[g] && !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	// A group the reading does not list (a case of a later version):
	// after the others, by name.
	var extra []string
	for g := range seen {
		if !slices.Contains(groups, g) {
			extra = append(extra, g)
		}
	}
	slices.Sort(extra)
	groups = append(groups, extra...)
	for _, t := range f.Targets {
		r := t.Run
		row := fleetRow{Name: term.Line(t.Name), URL: term.Line(r.Target.URL), Verdict: term.Line(r.Summary.Verdict),
			ExitCode: r.Summary.ExitCode, Partial: r.Summary.Partial, Href: targetHref(t.Name)}
		for _, g := range groups {
			var cell fleetCell
			best := len(caseRank)
			for _, c := range r.Cases {
				if c.Group != g {
					continue
				}
				cell.Total++
				i := slices.Index(caseRank, c.Verdict)
				if i < 0 {
					i = len(caseRank) - 1
				}
				switch {
				case i < best:
					best, cell.Count = i, 1
				case i == best:
					cell.Count++
				}
			}
			if cell.Total > 0 {
				cell.Verdict = string(caseRank[best])
			}
			row.Cells = append(row.Cells, cell)
		}
		rows = append(rows, row)
	}
	return groups, rows
}

// targetHref is the link to a target's own report.html, relative to the
// fleet's: "./" first, so that no name can be read as a scheme, and the
// name escaped as one path segment.
func targetHref(name string) string { return "./" + url.PathEscape(name) + "/report.html" }

// verdictCount is how many targets ended with one verdict.
type verdictCount struct {
	Verdict string
	Count   int
	sev     int
}

// fleetCounts are the targets per verdict, worst first (FleetExit's
// order), then the larger count, then the word.
func fleetCounts(f Fleet) []verdictCount {
	var out []verdictCount
	for _, t := range f.Targets {
		v := term.Line(t.Run.Summary.Verdict)
		i := slices.IndexFunc(out, func(c verdictCount) bool { return c.Verdict == v })
		if i < 0 {
			out = append(out, verdictCount{Verdict: v, sev: severity(t.Run)})
			i = len(out) - 1
		}
		out[i].Count++
	}
	slices.SortStableFunc(out, func(a, b verdictCount) int {
		return cmp.Or(cmp.Compare(b.sev, a.sev), cmp.Compare(b.Count, a.Count), strings.Compare(a.Verdict, b.Verdict))
	})
	return out
}

// countsLine is "4 targets: 1 conformant, 2 not conformant, ...".
func countsLine(f Fleet) string {
	parts := make([]string, 0, len(f.Targets))
	for _, c := range fleetCounts(f) {
		parts = append(parts, fmt.Sprintf("%d %s", c.Count, c.Verdict))
	}
	line := fmt.Sprintf("%d %s", len(f.Targets), plural(len(f.Targets), "target", "targets"))
	if len(parts) > 0 {
		line += ": " + strings.Join(parts, ", ")
	}
	return line
}

// mostNamed bounds the worst targets a banner names (results.json has
// them all).
const mostNamed = 20

// worstLine names the targets that made the fleet's verdict.
func worstLine(f Fleet) string {
	w := f.Summary.Worst
	if len(w) == 0 || f.Summary.ExitCode == ExitConformant && len(f.Missing) == 0 {
		return ""
	}
	names := make([]string, 0, min(len(w), mostNamed))
	for _, n := range w[:min(len(w), mostNamed)] {
		names = append(names, term.Line(n))
	}
	line := "worst: " + strings.Join(names, ", ")
	if len(w) > mostNamed {
		line += fmt.Sprintf(" and %d more", len(w)-mostNamed)
	}
	return line
}

// shardsLine says which shard a document is, or which shards a merge was
// made of and which are missing ("" for a fleet run in one piece).
func shardsLine(f Fleet) string {
	join := func(ss []Shard) string {
		parts := make([]string, len(ss))
		for i, s := range ss {
			parts[i] = s.String()
		}
		return strings.Join(parts, ", ")
	}
	var parts []string
	if f.Shard != nil {
		parts = append(parts, "shard "+f.Shard.String())
	}
	if len(f.Shards) > 0 {
		parts = append(parts, "shards merged: "+join(f.Shards))
	}
	if len(f.Missing) > 0 {
		parts = append(parts, "missing: "+join(f.Missing)+" (their targets are ERROR sections)")
	}
	return strings.Join(parts, "; ")
}

//go:embed templates/fleet.html.tmpl templates/style.tmpl
var fleetTemplates embed.FS

// fleetTemplate is the fleet's report.html: the single report's page (its
// style, its Content-Security-Policy, no script), with the matrix alone;
// the cases and their transcripts are in each target's own page.
var fleetTemplate = template.Must(template.New("fleet.html.tmpl").ParseFS(fleetTemplates, "templates/fleet.html.tmpl", "templates/style.tmpl"))

// FleetHTML renders the fleet's report.html: the fleet's banner (its
// verdict and exit code, the worst targets, the targets per verdict, the
// shards merged and missing) and the target × requirement-group matrix,
// each cell linking to the target's own report.html. html/template
// escapes every text (a target's name and URL, every verdict word).
func FleetHTML(f Fleet) ([]byte, error) {
	groups, rows := fleetMatrix(f)
	data := struct {
		Fleet                       Fleet
		Verdict, Banner             string
		Counts, Worst, Shards       string
		Started, Catalogue, Targets string
		Groups                      []string
		Rows                        []fleetRow
	}{Fleet: f, Verdict: term.Line(f.Summary.Verdict), Counts: countsLine(f), Worst: worstLine(f), Shards: shardsLine(f),
		Started: f.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"), Catalogue: term.Line(f.Catalogue), Targets: term.Line(f.TargetsDigest),
		Groups: groups, Rows: rows}
	switch f.Summary.ExitCode {
	case ExitConformant:
		data.Banner = "ok"
		if slices.ContainsFunc(rows, func(r fleetRow) bool { return r.Partial }) {
			data.Banner = "partial"
		}
	case ExitIncomplete:
		data.Banner = "partial"
	case ExitNotConformant:
		data.Banner = "bad"
	default:
		data.Banner = "infra"
	}
	var b bytes.Buffer
	if err := fleetTemplate.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("render the fleet's report.html: %w", err)
	}
	return bytes.ToValidUTF8(b.Bytes(), []byte("\uFFFD")), nil
}

// mostRows bounds the matrix summary.md shows (a step summary's size is
// limited; report.html has every target): the targets that did not
// conform first.
const mostRows = 200

// FleetSummaryMarkdown renders the fleet's summary.md: the verdict and
// exit code, the targets per verdict, the worst, the shards, and the
// matrix (at most mostRows rows, the targets that did not conform first).
// A target's name is code; every verdict word, the target's or the
// operator's text, is escaped (mdText).
func FleetSummaryMarkdown(f Fleet) ([]byte, error) {
	groups, rows := fleetMatrix(f)
	var b strings.Builder
	s := f.Summary
	icon := map[int]string{ExitConformant: "✅", ExitNotConformant: "❌"}[s.ExitCode]
	if icon == "" {
		icon = "⚠️"
	}
	fmt.Fprintf(&b, "## %s conform fleet: %s (exit %d)\n\n", icon, mdText(term.Line(s.Verdict)), s.ExitCode)
	fmt.Fprintf(&b, "- %s\n", mdText(countsLine(f)))
	if w := worstLine(f); w != "" {
		fmt.Fprintf(&b, "- %s\n", mdText(w))
	}
	if l := shardsLine(f); l != "" {
		fmt.Fprintf(&b, "- %s\n", mdText(l))
	}
	fmt.Fprintf(&b, "- conform %s · %.1f s · each target's own report: `<name>/report.html`\n", mdText(term.Line(f.Version)), f.Duration)
	if len(rows) == 0 {
		return []byte(strings.ToValidUTF8(b.String(), "\uFFFD")), nil
	}
	b.WriteString("\n| target | verdict | exit |")
	for _, g := range groups {
		fmt.Fprintf(&b, " %s |", mdText(g))
	}
	b.WriteString("\n|---|---|---:|" + strings.Repeat("---|", len(groups)) + "\n")
	shown := rows
	if len(rows) > mostRows {
		shown = slices.Clone(rows)
		slices.SortStableFunc(shown, func(a, b fleetRow) int {
			return cmp.Compare(boolInt(a.ExitCode == ExitConformant), boolInt(b.ExitCode == ExitConformant))
		})
		shown = shown[:mostRows]
	}
	for _, r := range shown {
		fmt.Fprintf(&b, "| %s | %s | %d |", code(r.Name), mdText(r.Verdict), r.ExitCode)
		for _, c := range r.Cells {
			if c.Verdict == "" {
				b.WriteString(" – |")
				continue
			}
			fmt.Fprintf(&b, " %s %d/%d |", c.Verdict, c.Count, c.Total)
		}
		b.WriteString("\n")
	}
	if len(rows) > len(shown) {
		fmt.Fprintf(&b, "\n… %d more targets in report.html (those that did not conform are above).\n", len(rows)-len(shown))
	}
	return []byte(strings.ToValidUTF8(b.String(), "\uFFFD")), nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
