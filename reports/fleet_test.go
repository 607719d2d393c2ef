package reports_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/memnet"
	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/reports"
)

// fleetCases are the few cases the fleet's tests run: one of each of three
// requirement groups. The point is the fleet, not the catalogue.
var fleetCases = []string{"env-2-success-envelope", "auth-admin-success-fields", "rc-8-wrong-user-pin"}

// realRuns are real per-target runs, made once per test binary, each a
// whole in-process run of fleetCases over memory: against the embedded
// server (conformant), against it with a fault that breaks RC-8 alone
// (not conformant: RC fails, ENV and AUTH pass), and against a live
// target nobody listens for (unreachable: a preflight failure).
var realRuns = sync.OnceValues(func() (map[string]reports.Run, error) {
	out := map[string]reports.Run{}
	for name, cfg := range map[string]session.Config{
		"ok":          {},
		"faulty":      {Embedded: session.Embedded{Faults: []string{"wrong-credentials-code-4"}}},
		"unreachable": {Target: "ws://127.0.0.1:9/"},
	} {
		c := conductor.Config{Session: cfg, Selection: conductor.Selection{Cases: fleetCases}, Version: "test", Timeout: time.Minute}
		c.Selection = c.Selection.ForTarget(cfg.Target != "")
		r, _ := conductor.Run(context.Background(), c, conductor.InProcess{InMemory: true, Dial: memnet.New().DialContext})
		if len(r.Cases) != len(fleetCases) {
			return nil, fmt.Errorf("%s: %d cases, want %d: %+v", name, len(r.Cases), len(fleetCases), r.Summary)
		}
		out[name] = r
	}
	return out, nil
})

// runs returns the real runs (realRuns), each a fresh copy to change.
func runs(t *testing.T) map[string]reports.Run {
	t.Helper()
	rs, err := realRuns()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]reports.Run{}
	for k, r := range rs {
		r.Cases = slices.Clone(r.Cases)
		out[k] = r
	}
	return out
}

// hostileName is a target's name no targets file would pass, as a forged
// shard could carry it: every renderer must show it as text.
const hostileName = `x"><script>alert(1)</script>`

// fleetOf builds a fleet from (name, run) pairs, tallied, unsharded.
func fleetOf(t *testing.T, pairs ...any) reports.Fleet {
	t.Helper()
	f := reports.Fleet{Schema: reports.Schema, Kind: reports.KindFleet, Tool: "conform", Version: "test",
		StartedAt: time.Unix(1700000000, 0), Duration: 3, Catalogue: reports.CatalogueDigest(cases.Catalogue()),
		TargetsDigest: "sha256:00"}
	for i := 0; i < len(pairs); i += 2 {
		name := pairs[i].(string)
		f.Assigned = append(f.Assigned, reports.Assigned{Name: name, Shard: 1})
		f.Targets = append(f.Targets, reports.FleetTarget{Name: name, Dir: name, Run: pairs[i+1].(reports.Run)})
	}
	f.Tally()
	return f
}

// threeTargets is alpha (conformant), beta (RC fails) and gamma
// (unreachable).
func threeTargets(t *testing.T) reports.Fleet {
	rs := runs(t)
	return fleetOf(t, "alpha", rs["ok"], "beta", rs["faulty"], "gamma", rs["unreachable"])
}

func TestRealRunsAreWhatTheTestsSay(t *testing.T) {
	rs := runs(t)
	for name, want := range map[string]int{"ok": reports.ExitConformant, "faulty": reports.ExitNotConformant, "unreachable": reports.ExitUnreachable} {
		if got := rs[name].Summary.ExitCode; got != want {
			t.Errorf("%s: exit %d, want %d (%s)", name, got, want, rs[name].Summary.Verdict)
		}
	}
	for _, c := range rs["faulty"].Cases {
		if (c.Group == "RC") != (c.Verdict == caselang.Fail) {
			t.Errorf("faulty: %s (%s) %s: the fault should fail RC alone", c.ID, c.Group, c.Verdict)
		}
	}
}

// TestFleetTally holds the fleet's verdict to the documented order, worst
// first: a failed restore (3); not conformant, a stale baseline or an
// interruption (1); unreachable or an error (3); incomplete (4);
// conformant (0). A target's configuration error (2) is that target's
// error (3), and a shard that is missing is an error even when no target
// was assigned to it.
func TestFleetTally(t *testing.T) {
	sum := func(verdict string, code int) reports.Run {
		return reports.Run{Summary: reports.Summary{Verdict: verdict, ExitCode: code}}
	}
	restore := sum(reports.VerdictRestoreFailed, reports.ExitUnreachable)
	// A restore that failed during a run that was also interrupted: the
	// run's own Tally says restore first, but a verdict set by another
	// path (the preflight's) must not hide it from the fleet.
	restoreHidden := sum(reports.VerdictInterrupted, reports.ExitNotConformant)
	restoreHidden.RestoreError = "the recovery journal is still at j: run `conform restore --journal j`"
	bad := sum(reports.VerdictNotConformant, reports.ExitNotConformant)
	stale := sum(reports.VerdictStale, reports.ExitNotConformant)
	errRun := sum(reports.VerdictError, reports.ExitUnreachable)
	config := sum("configuration error", reports.ExitUsage)
	incomplete := sum(reports.VerdictIncomplete, reports.ExitIncomplete)
	ok := sum(reports.VerdictConformant, reports.ExitConformant)
	for _, tc := range []struct {
		name    string
		targets []reports.Run
		missing []reports.Shard
		verdict string
		code    int
		worst   []string
	}{
		{"conformant", []reports.Run{ok, ok}, nil, reports.VerdictConformant, 0, []string{"t0", "t1"}},
		{"incomplete beats conformant", []reports.Run{ok, incomplete}, nil, reports.VerdictIncomplete, 4, []string{"t1"}},
		{"error beats incomplete", []reports.Run{incomplete, errRun, ok}, nil, reports.VerdictError, 3, []string{"t1"}},
		{"a target's configuration error is exit 3", []reports.Run{ok, config}, nil, "configuration error", 3, []string{"t1"}},
		{"not conformant beats error", []reports.Run{errRun, bad, ok}, nil, reports.VerdictNotConformant, 1, []string{"t1"}},
		{"stale is not conformant's rank", []reports.Run{bad, stale}, nil, reports.VerdictNotConformant, 1, []string{"t0", "t1"}},
		{"a failed restore beats all", []reports.Run{bad, restore, errRun}, nil, reports.VerdictRestoreFailed, 3, []string{"t1"}},
		{"a failed restore under another verdict word", []reports.Run{bad, restoreHidden}, nil, reports.VerdictInterrupted, 3, []string{"t1"}},
		{"empty shard", nil, nil, "no target in this shard", 0, nil},
		{"a missing shard is an error", []reports.Run{ok}, []reports.Shard{{K: 2, N: 2}}, reports.VerdictMissingShards, 3, nil},
		{"a missing shard does not hide a failure", []reports.Run{bad}, []reports.Shard{{K: 2, N: 2}}, reports.VerdictNotConformant, 1, []string{"t0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := reports.Fleet{Missing: tc.missing}
			for i, r := range tc.targets {
				f.Targets = append(f.Targets, reports.FleetTarget{Name: fmt.Sprintf("t%d", i), Run: r})
			}
			f.Tally()
			s := f.Summary
			if s.Verdict != tc.verdict || s.ExitCode != tc.code || !slices.Equal(s.Worst, tc.worst) || s.Targets != len(tc.targets) {
				t.Errorf("got %q exit %d worst %v (%d targets), want %q exit %d worst %v", s.Verdict, s.ExitCode, s.Worst, s.Targets, tc.verdict, tc.code, tc.worst)
			}
		})
	}
}

// junitDoc is the fleet's junit.xml as a consumer reads it.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name       string `xml:"name,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Errors     int    `xml:"errors,attr"`
		Skipped    int    `xml:"skipped,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []junitCaseDoc `xml:"testcase"`
	} `xml:"testsuite"`
}

type junitCaseDoc struct {
	Name      string    `xml:"name,attr"`
	Classname string    `xml:"classname,attr"`
	Failure   *struct{} `xml:"failure"`
	Error     *struct{} `xml:"error"`
	Skipped   *struct{} `xml:"skipped"`
}

func parseJUnit(t *testing.T, b []byte) junitDoc {
	t.Helper()
	var d junitDoc
	if err := xml.Unmarshal(b, &d); err != nil {
		t.Fatalf("junit.xml does not parse: %v\n%s", err, b)
	}
	return d
}

// TestFleetJUnit: one testsuite per target, named by the target, in the
// fleet's order, its cases as the single run's JUnit renders them, its
// properties the run's (the URL as the run's reports show it, the verdict,
// the exit code); the unreachable target an error testcase per case; the
// totals the sums; valid against the schema the single run's is held to.
func TestFleetJUnit(t *testing.T) {
	f := threeTargets(t)
	b, err := reports.FleetJUnit(f)
	if err != nil {
		t.Fatal(err)
	}
	if errs := reports.SchemaErrors(b); len(errs) > 0 {
		t.Errorf("not valid against junit-10.xsd: %v", errs)
	}
	d := parseJUnit(t, b)
	if len(d.Suites) != len(f.Targets) {
		t.Fatalf("%d testsuites, want one per target (%d)", len(d.Suites), len(f.Targets))
	}
	var tests, failures, errors int
	for i, s := range d.Suites {
		ft := f.Targets[i]
		if s.Name != ft.Name {
			t.Errorf("testsuite %d named %q, want %q", i, s.Name, ft.Name)
		}
		tests, failures, errors = tests+s.Tests, failures+s.Failures, errors+s.Errors
		single, err := reports.JUnit(ft.Run)
		if err != nil {
			t.Fatal(err)
		}
		want := parseJUnit(t, single).Suites[0]
		if !slices.Equal(s.Cases, want.Cases) || s.Tests != want.Tests || s.Failures != want.Failures || s.Errors != want.Errors {
			t.Errorf("%s: testcases differ from the single run's JUnit:\n%+v\nwant\n%+v", ft.Name, s.Cases, want.Cases)
		}
		props := map[string]string{}
		for _, p := range s.Properties {
			props[p.Name] = p.Value
		}
		if props["target"] != ft.Run.Target.URL || props["verdict"] != ft.Run.Summary.Verdict || props["exitCode"] != fmt.Sprint(ft.Run.Summary.ExitCode) {
			t.Errorf("%s: properties %v", ft.Name, props)
		}
	}
	if d.Tests != tests || d.Failures != failures || d.Errors != errors {
		t.Errorf("testsuites totals %d/%d/%d, want the sums %d/%d/%d", d.Tests, d.Failures, d.Errors, tests, failures, errors)
	}
	gamma := d.Suites[2]
	if gamma.Errors != len(fleetCases) || len(gamma.Cases) != len(fleetCases) {
		t.Errorf("unreachable target: %d errors over %d testcases, want an error testcase per case (%d)", gamma.Errors, len(gamma.Cases), len(fleetCases))
	}
	if d.Suites[1].Failures == 0 || d.Suites[0].Failures+d.Suites[0].Errors != 0 {
		t.Errorf("beta %d failures, alpha %d failures %d errors", d.Suites[1].Failures, d.Suites[0].Failures, d.Suites[0].Errors)
	}
}

// TestFleetJUnitTargetWithoutCases: a target whose run ended before any
// case was selected still fails its testsuite: an error testcase says why.
func TestFleetJUnitTargetWithoutCases(t *testing.T) {
	r := reports.Run{Schema: reports.Schema, Preflight: reports.Preflight{Error: "secrets: ROOM_A_PW is not set"},
		Summary: reports.Summary{Verdict: "configuration error", ExitCode: reports.ExitUsage}}
	b, err := reports.FleetJUnit(fleetOf(t, "room-a", r))
	if err != nil {
		t.Fatal(err)
	}
	d := parseJUnit(t, b)
	if len(d.Suites) != 1 || d.Suites[0].Errors != 1 || d.Errors != 1 {
		t.Errorf("a target without cases: %+v", d)
	}
}

// page renders the fleet's report.html and parses it as a browser would.
func page(t *testing.T, f reports.Fleet) ([]byte, *html.Node) {
	t.Helper()
	b, err := reports.FleetHTML(f)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return b, doc
}

// inert lists what would make a page run or fetch anything: script and
// embedding elements, event attributes, links that leave the report's
// directory.
func inert(doc *html.Node) []string {
	var bad []string
	reports.EachElement(doc, func(n *html.Node) {
		switch n.Data {
		case "script", "iframe", "object", "embed", "img", "link", "base", "form":
			bad = append(bad, "<"+n.Data+">")
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") {
				bad = append(bad, a.Key)
			}
			if (a.Key == "href" || a.Key == "src") && !strings.HasPrefix(a.Val, "#") && !strings.HasPrefix(a.Val, "./") {
				bad = append(bad, a.Key+"="+a.Val)
			}
		}
	})
	return bad
}

// csp is the page's Content-Security-Policy.
func csp(doc *html.Node) string {
	var v string
	reports.EachElement(doc, func(n *html.Node) {
		if n.Data == "meta" && reports.Attr(n, "http-equiv") == "Content-Security-Policy" {
			v = reports.Attr(n, "content")
		}
	})
	return v
}

// matrix reads the page's target × group table: the groups of its head
// and, per row, the target's name, and each cell's text and link.
type matrixRow struct {
	name  string
	cells []string
	links []string
}

func readMatrix(t *testing.T, doc *html.Node) (groups []string, rows []matrixRow) {
	t.Helper()
	var table *html.Node
	reports.EachElement(doc, func(n *html.Node) {
		if n.Data == "table" && reports.Attr(n, "id") == "matrix" {
			table = n
		}
	})
	if table == nil {
		t.Fatal("no table#matrix")
	}
	reports.EachElement(table, func(n *html.Node) {
		if n.Data != "tr" {
			return
		}
		var cells []*html.Node
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
				cells = append(cells, c)
			}
		}
		if reports.Attr(n, "class") == "head" {
			for _, c := range cells[2:] {
				groups = append(groups, strings.TrimSpace(reports.TextOf(c)))
			}
			return
		}
		row := matrixRow{name: strings.TrimSpace(reports.TextOf(cells[0].FirstChild))}
		for _, c := range cells[2:] {
			row.cells = append(row.cells, strings.Fields(reports.TextOf(c))[0])
			var href string
			reports.EachElement(c, func(a *html.Node) {
				if a.Data == "a" {
					href = reports.Attr(a, "href")
				}
			})
			row.links = append(row.links, href)
		}
		rows = append(rows, row)
	})
	return groups, rows
}

// TestFleetHTML: the matrix has a row per target and a column per
// requirement group of the catalogue (in the reading's order), each cell
// the group's worst verdict for that target, linked to the target's own
// report.html; the banner says the verdict, the exit code, the worst
// targets, the targets per verdict and the shards; the page is the single
// report's kind (same CSP, no script, nothing fetched), and a hostile
// name, URL and verdict stay text.
func TestFleetHTML(t *testing.T) {
	f := threeTargets(t)
	hostile := runs(t)["faulty"]
	hostile.Target.URL = `ws://h/<img src=x onerror=alert(2)>`
	hostile.Summary.Verdict = `<b onmouseover=alert(3)>not conformant</b>`
	f.Targets = append(f.Targets, reports.FleetTarget{Name: hostileName, Dir: hostileName, Run: hostile})
	f.Assigned = append(f.Assigned, reports.Assigned{Name: hostileName, Shard: 2})
	f.Shards = []reports.Shard{{K: 1, N: 3}, {K: 3, N: 3}}
	f.Missing = []reports.Shard{{K: 2, N: 3}}
	f.Tally()
	b, doc := page(t, f)
	if bad := inert(doc); len(bad) > 0 {
		t.Errorf("the page is not inert: %v", bad)
	}
	single, err := reports.HTML(f.Targets[0].Run)
	if err != nil {
		t.Fatal(err)
	}
	sdoc, _ := html.Parse(bytes.NewReader(single))
	if got, want := csp(doc), csp(sdoc); got == "" || got != want {
		t.Errorf("CSP %q, want the single report's %q", got, want)
	}
	if bytes.Contains(b, []byte("<script>")) || bytes.Contains(b, []byte("<img")) || bytes.Contains(b, []byte("<b ")) {
		t.Error("hostile text reached the page as markup")
	}
	groups, rows := readMatrix(t, doc)
	if want := []string{"ENV", "AUTH", "RC"}; !slices.Equal(groups, want) {
		t.Errorf("groups %v, want %v", groups, want)
	}
	want := map[string][]string{
		"alpha":     {"PASS", "PASS", "PASS"},
		"beta":      {"PASS", "PASS", "FAIL"},
		"gamma":     {"ERROR", "ERROR", "ERROR"},
		hostileName: {"PASS", "PASS", "FAIL"},
	}
	if len(rows) != len(f.Targets) {
		t.Fatalf("%d rows, want %d", len(rows), len(f.Targets))
	}
	for i, r := range rows {
		name := f.Targets[i].Name
		if r.name != name {
			t.Errorf("row %d names %q, want %q", i, r.name, name)
		}
		if !slices.Equal(r.cells, want[name]) {
			t.Errorf("%s: cells %v, want %v", name, r.cells, want[name])
		}
		for _, l := range r.links {
			if !strings.HasPrefix(l, "./") || !strings.Contains(l, "/report.html") {
				t.Errorf("%s: cell links to %q, not to its own report.html", name, l)
			}
		}
	}
	if rows[0].links[0] != "./alpha/report.html#cases" {
		t.Errorf("alpha's ENV cell links to %q", rows[0].links[0])
	}
	var banner string
	reports.EachElement(doc, func(n *html.Node) {
		if reports.Attr(n, "id") == "verdict" {
			banner = reports.TextOf(n)
		}
	})
	for _, w := range []string{reports.VerdictNotConformant, "exit 1", "beta", hostileName, "1 conformant", "1 not conformant", "1 " + hostile.Summary.Verdict, "1 target unreachable",
		"shards merged: 1/3, 3/3", "missing: 2/3"} {
		if !strings.Contains(banner, w) {
			t.Errorf("banner %q: no %q", banner, w)
		}
	}
	if !strings.Contains(reports.TextOf(doc), hostile.Target.URL) || !strings.Contains(reports.TextOf(doc), hostile.Summary.Verdict) {
		t.Error("the hostile URL and verdict are not shown as text")
	}
}

// TestFleetHTMLBounded: 500 targets make a page of the matrix alone (the
// transcripts live in each target's own page), of a size a browser opens.
func TestFleetHTMLBounded(t *testing.T) {
	rs := runs(t)
	var pairs []any
	for i := range 500 {
		r := rs["faulty"]
		if i%2 == 0 {
			r = rs["ok"]
		}
		pairs = append(pairs, fmt.Sprintf("room-%03d", i), r)
	}
	f := fleetOf(t, pairs...)
	b, doc := page(t, f)
	if _, rows := readMatrix(t, doc); len(rows) != 500 {
		t.Errorf("%d rows, want 500", len(rows))
	}
	if len(b) > 1<<20 {
		t.Errorf("report.html of 500 targets is %d bytes, over 1 MiB", len(b))
	}
	if bytes.Contains(b, []byte(`&#34;method&#34;`)) || bytes.Contains(b, []byte(`"method"`)) || bytes.Contains(b, []byte("class=\"flow")) {
		t.Error("the fleet page carries transcripts")
	}
	md, err := reports.FleetSummaryMarkdown(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(md) > 256<<10 {
		t.Errorf("summary.md of 500 targets is %d bytes", len(md))
	}
}

// TestFleetSummaryMarkdown: the verdict, the targets per verdict, the
// worst, the shards, and the matrix with a row per target; a hostile name
// and verdict are code, never markup.
func TestFleetSummaryMarkdown(t *testing.T) {
	f := threeTargets(t)
	hostile := runs(t)["ok"]
	hostile.Summary.Verdict = "conformant\n## ✅ forged | x"
	f.Targets = append(f.Targets, reports.FleetTarget{Name: hostileName, Dir: hostileName, Run: hostile})
	f.Missing = []reports.Shard{{K: 2, N: 2}}
	f.Shards = []reports.Shard{{K: 1, N: 2}}
	f.Tally()
	b, err := reports.FleetSummaryMarkdown(f)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, w := range []string{"not conformant", "exit 1", "| ENV | AUTH | RC |", "`alpha`", "`beta`", "`gamma`", "missing: 2/2", "merged: 1/2"} {
		if !strings.Contains(md, w) {
			t.Errorf("summary.md has no %q:\n%s", w, md)
		}
	}
	// The name is inline code (text, whatever it holds), nowhere else;
	// the verdict stays on its line.
	if strings.Count(md, hostileName) != strings.Count(md, "`"+hostileName+"`") || strings.Contains(md, "\n## ✅ forged") {
		t.Errorf("hostile text is markup:\n%s", md)
	}
	for _, line := range strings.Split(md, "\n") {
		if strings.Contains(line, "gamma") && strings.HasPrefix(line, "|") && strings.Count(line, "ERROR") != 3 {
			t.Errorf("gamma's row: %s", line)
		}
	}
}

// TestWriteFleet writes the four fleet reports; results.json reads back as
// the same fleet.
func TestWriteFleet(t *testing.T) {
	f := threeTargets(t)
	dir := t.TempDir()
	if err := reports.WriteFleet(context.Background(), f, reports.DefaultFiles(dir)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"junit.xml", "results.json", "report.html", "summary.md"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	doc, err := reports.ReadResults(filepath.Join(dir, "results.json"))
	if err != nil || doc.Fleet == nil {
		t.Fatalf("read back: %v (%+v)", err, doc)
	}
	if d := reports.SameFleet(f, *doc.Fleet); len(d) > 0 {
		t.Errorf("results.json reads back otherwise: %v", d)
	}
	if doc.Fleet.Summary.ExitCode != f.Summary.ExitCode || len(doc.Fleet.Targets) != 3 {
		t.Errorf("read back: %+v", doc.Fleet.Summary)
	}
}

// TestSameFleet: the differences that matter are named (per target and
// case), what the clock, the paths and the sharding decide is not.
func TestSameFleet(t *testing.T) {
	base := func() reports.Fleet { return threeTargets(t) }
	for _, tc := range []struct {
		name   string
		change func(f *reports.Fleet)
		want   []string // each a part of one difference, in order
	}{
		{"identical", func(*reports.Fleet) {}, nil},
		{"clock, paths and shards", func(f *reports.Fleet) {
			f.StartedAt, f.Duration = f.StartedAt.Add(time.Hour), 99
			f.Shard, f.Shards, f.Missing = nil, []reports.Shard{{K: 1, N: 3}, {K: 2, N: 3}, {K: 3, N: 3}}, nil
			for i := range f.Assigned {
				f.Assigned[i].Shard = i%3 + 1
			}
			tg := &f.Targets[1]
			tg.Dir = "elsewhere/beta"
			tg.Run.StartedAt, tg.Run.Duration = time.Now(), 42
			tg.Run.Cases[0].Duration = 7
			tr := slices.Clone(tg.Run.Cases[2].Transcript)
			for i := range tr {
				tr[i].At += 1
			}
			tg.Run.Cases[2].Transcript = tr
		}, nil},
		{"a verdict", func(f *reports.Fleet) {
			f.Targets[1].Run.Cases[2].Verdict = caselang.Pass
		}, []string{"beta", "rc-8-wrong-user-pin", "verdict"}},
		{"a target gone", func(f *reports.Fleet) {
			f.Targets = f.Targets[:2]
		}, []string{"gamma"}},
		{"the order", func(f *reports.Fleet) {
			f.Targets[0], f.Targets[1] = f.Targets[1], f.Targets[0]
		}, []string{"order"}},
		{"the fleet's verdict", func(f *reports.Fleet) {
			f.Summary.ExitCode = 0
		}, []string{"summary", "exitCode"}},
		{"a finding", func(f *reports.Fleet) {
			fs := slices.Clone(f.Targets[1].Run.Cases[2].Findings)
			for i := range fs {
				if !fs[i].OK {
					fs[i].Actual = "resultCode 5"
				}
			}
			f.Targets[1].Run.Cases[2].Findings = fs
		}, []string{"beta", "rc-8-wrong-user-pin", "actual"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := base(), base()
			tc.change(&b)
			got := reports.SameFleet(a, b)
			if len(tc.want) == 0 {
				if len(got) > 0 {
					t.Errorf("differences %v, want none", got)
				}
				return
			}
			if len(got) == 0 {
				t.Fatalf("no difference, want one naming %v", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("difference %q does not name %q", got[0], w)
				}
			}
		})
	}
}
