package reports

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
)

// TestHTMLReport parses report.html as a browser would and checks what a
// reader needs: the verdict, the coverage, a row per case, and for every
// non-PASS the expected versus actual answer and the transcript; that the
// page is self-contained (no script, no external asset); and that text
// from the target stays text.
func TestHTMLReport(t *testing.T) {
	r := gated()
	hostile := `<script>alert(1)</script><img src="http://evil.example/x.png">`
	r.Cases[1].Transcript = append(r.Cases[1].Transcript, Frame{Conn: "a", Dir: "recv", Kind: "text", Payload: `{"error":"` + hostile + `","result":false}`})
	r.Cases[1].Findings[0].Actual = hostile
	b, err := HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*html.Node{}
	var scripts, external []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "script" || n.Data == "iframe" || n.Data == "object" || n.Data == "img" || n.Data == "link" {
				scripts = append(scripts, n.Data)
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "id":
					byID[a.Val] = n
				case "src", "href":
					if !strings.HasPrefix(a.Val, "#") {
						external = append(external, a.Val)
					}
				}
				if strings.HasPrefix(a.Key, "on") {
					scripts = append(scripts, a.Key)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if len(scripts) > 0 || len(external) > 0 {
		t.Errorf("not self-contained or not inert: elements %v, links %v", scripts, external)
	}
	if v := text(byID["verdict"]); !strings.Contains(v, r.Summary.Verdict) {
		t.Errorf("verdict banner %q", v)
	}
	for _, c := range r.Cases {
		if byID["case-"+c.ID] == nil {
			t.Errorf("no row for case %s", c.ID)
		}
		detail := byID["detail-"+c.ID]
		nonPass := c.Verdict != caselang.Pass && c.Verdict != caselang.Skip || c.Baseline != nil && c.Baseline.Stale != ""
		if nonPass != (detail != nil) {
			t.Errorf("case %s (%s): detail section present %v", c.ID, c.Verdict, detail != nil)
		}
		if detail != nil && c.Verdict == caselang.Fail && c.ID == "fail-case" {
			d := text(detail)
			for _, f := range c.Findings {
				if !strings.Contains(d, f.Expected) || !strings.Contains(d, f.Actual) {
					t.Errorf("%s: expected %q / actual %q not shown", c.ID, f.Expected, f.Actual)
				}
			}
			if !strings.Contains(d, "transcript") || !strings.Contains(d, "\"credentials\": ") {
				t.Errorf("%s: no pretty transcript in\n%s", c.ID, d)
			}
		}
	}
	if byID["req-RC-8"] == nil || !strings.Contains(text(byID["coverage"].Parent), "MUST requirements checked") {
		t.Error("no coverage")
	}
	// What did not pass, by cause: each links to its example's details.
	causes := r.Causes()
	for i, c := range causes {
		row := byID[fmt.Sprintf("cause-%d", i)]
		if row == nil || !strings.Contains(text(row), c.Rerun) || !strings.Contains(text(row), c.Explain) || !strings.Contains(text(row), c.Text) {
			t.Errorf("cause %d (%s) has no row with its sentence, explain and rerun: %q", i, c.What(), text(row))
			continue
		}
		if !linksTo(row, "#detail-"+c.Example) || byID["detail-"+c.Example] == nil {
			t.Errorf("cause %d does not link to its example %s", i, c.Example)
		}
	}
	if len(causes) != 3 || byID["legacy-hint"] != nil {
		t.Errorf("%d causes, want 3; legacy hint %v", len(causes), byID["legacy-hint"] != nil)
	}
}

// linksTo reports whether n holds a link to href.
func linksTo(n *html.Node, href string) bool {
	if n.Type == html.ElementNode && n.Data == "a" {
		for _, a := range n.Attr {
			if a.Key == "href" && a.Val == href {
				return true
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if linksTo(c, href) {
			return true
		}
	}
	return false
}

// text is the text content of n.
func text(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// flowRun is a run whose failing case met two connections and the HTTP
// server: a logs in, b's login displaces it (a notification to a), b's
// answer is the failing step, then an HTTP exchange; one frame is hostile.
func flowRun() Run {
	r := Run{Schema: Schema, Tool: "conform", Version: "test", StartedAt: time.Unix(0, 0), Duration: 1,
		Target: Target{URL: "ws://127.0.0.1:1/", Embedded: true}, Profile: Profile{Admin: "password", User: "pin", Plan: "pro", Source: "getAuthInfo"}}
	rc8 := []Requirement{{ID: "RC-8", Level: "MUST"}, {ID: "ENV-2", Level: "MUST"}}
	ok := func(req, step string) caselang.Finding {
		return caselang.Finding{Requirement: req, Level: caselang.LevelOf(req), OK: true, Step: step, Check: "c"}
	}
	r.Cases = []Case{
		{ID: "passes", Title: "t", Group: "RC", Verdict: caselang.Pass, Requirements: rc8,
			Findings: FindingsOf([]caselang.Finding{ok("RC-8", "login"), ok("ENV-2", "login")})},
		{ID: "fails", Title: "t", Group: "RC", Verdict: caselang.Fail, Requirements: rc8,
			Findings: FindingsOf([]caselang.Finding{ok("ENV-2", "login"), ok("RC-8", "login"),
				{Requirement: "RC-8", Level: caselang.Must, Step: "displace", Check: "resultCode", Expected: "resultCode 8", Actual: "resultCode 4"}}),
			Transcript: []Frame{
				{Conn: "a", Dir: "note", At: 0.0001, Kind: "note", Payload: "connected to ws://127.0.0.1:1/"},
				{Conn: "a", Dir: "send", At: 0.0002, Kind: "text", Step: "login", Payload: `{"method":"auth","requestId":"1","type":"secured","credentials":"[REDACTED:admin-password]"}`},
				{Conn: "a", Dir: "recv", At: 0.0003, Kind: "text", Payload: `{"method":"auth","requestId":"1","result":true,"resultCode":0}`},
				{Conn: "b", Dir: "send", At: 0.0004, Kind: "text", Step: "displace", Payload: `{"method":"auth","requestId":"2","type":"secured","credentials":"[REDACTED:admin-password]"}`},
				{Conn: "a", Dir: "recv", At: 0.0005, Kind: "text", Payload: `{"method":"event","event":"authorizationNeeded","cause":1}`},
				{Conn: "b", Dir: "recv", At: 0.0006, Kind: "text", Payload: `{"method":"auth","requestId":"2","result":false,"resultCode":4}`},
				{Conn: "", Dir: "note", At: 0.0007, Kind: "note", Payload: "token exercises: 1 token(s)"},
				{Conn: "http", Dir: "send", At: 0.0008, Kind: "text", Payload: "GET http://127.0.0.1:2/frames/?token=[REDACTED:token]"},
				{Conn: "http", Dir: "recv", At: 0.0009, Kind: "text", Payload: "HTTP 401 invalid or missing token"},
				{Conn: "b", Dir: "recv", At: 1.5, Kind: "text", Payload: "{\"method\":\"event\",\"event\":\"</svg><script>alert(1)</script>\x1b[2J\x1b]0;owned\x07\"}"},
				{Conn: "b", Dir: "recv", At: 1.6, Kind: "text", Payload: `{"method":"event","event":"</svg><script>alert(2)</script>\u001b[2J\u001b]0;owned\u0007","error":"\u009b31m"}`},
			}},
	}
	r.Tally(cases.Catalogue())
	return r
}

// parse renders r and parses the page as a browser would; byID indexes
// its elements by id.
func parse(t *testing.T, r Run) (page []byte, doc *html.Node, byID map[string]*html.Node) {
	t.Helper()
	b, err := HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	doc, err = html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	byID = map[string]*html.Node{}
	each(doc, func(n *html.Node) {
		if id := attr(n, "id"); id != "" {
			byID[id] = n
		}
	})
	return b, doc, byID
}

// each calls f on every element under n, in document order.
func each(n *html.Node, f func(*html.Node)) {
	if n.Type == html.ElementNode {
		f(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		each(c, f)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, c string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), c)
}

// TestHTMLRequirementVerdicts: a requirement a case FAILs is red (class
// fail), never green, however many cases checked it; one only passed is
// pass; one no case checked is unchecked; and the legend names every class.
func TestHTMLRequirementVerdicts(t *testing.T) {
	r := flowRun()
	_, doc, byID := parse(t, r)
	verdictOf := func(id string) string {
		row := byID["req-"+id]
		if row == nil {
			t.Fatalf("no coverage row for %s", id)
		}
		var cls []string
		each(row, func(n *html.Node) {
			if hasClass(n, "v") {
				cls = append(cls, attr(n, "class"))
			}
		})
		return strings.Join(cls, " ")
	}
	if c := verdictOf("RC-8"); !strings.Contains(c, "fail") || strings.Contains(c, "pass") || strings.Contains(c, "checked") {
		t.Errorf("RC-8, failed by case fails, has classes %q", c)
	}
	if got := text(byID["req-RC-8"]); !strings.Contains(got, "fail") {
		t.Errorf("RC-8's row does not say fail: %q", got)
	}
	if c := verdictOf("ENV-2"); !strings.Contains(c, "pass") {
		t.Errorf("ENV-2, checked and never broken, has classes %q", c)
	}
	for _, cv := range r.Coverage {
		if cv.Status != Checked {
			if c := verdictOf(cv.ID); strings.Contains(c, "pass") || strings.Contains(c, "fail") {
				t.Errorf("%s (%s) has classes %q", cv.ID, cv.Status, c)
			}
		}
	}
	legend := byID["legend"]
	if legend == nil {
		t.Fatal("no legend")
	}
	for _, w := range []string{"pass", "fail", "warn", "known failure", Unchecked, Excluded, Blocked, NotCheckable, NotApplicable} {
		found := false
		each(legend, func(n *html.Node) { found = found || hasClass(n, "v") && text(n) == w })
		if !found {
			t.Errorf("the legend has no entry %q: %q", w, text(legend))
		}
	}
	_ = doc
}

// TestHTMLBanner: the banner says the verdict word and complete or
// partial, and why.
func TestHTMLBanner(t *testing.T) {
	r := flowRun()
	_, _, byID := parse(t, r)
	b := text(byID["verdict"])
	if !strings.Contains(b, VerdictNotConformant) || !strings.Contains(b, "complete") || strings.Contains(b, "partial") {
		t.Errorf("banner %q: want %q and complete", b, VerdictNotConformant)
	}
	if n := byID["verdict"]; !hasClass(n, "bad") {
		t.Errorf("banner classes %q", attr(n, "class"))
	}
	r.Cases = r.Cases[:1]
	r.Unselected = []Unselected{{ID: "fail-wrong-admin-password", As: caselang.SkipExcluded}}
	r.Tally(cases.Catalogue())
	_, _, byID = parse(t, r)
	b = text(byID["verdict"])
	if !strings.Contains(b, r.Summary.Verdict) || !strings.Contains(b, "partial") || !strings.Contains(b, r.Summary.Why[0]) {
		t.Errorf("banner %q: want %q, partial and %q", b, r.Summary.Verdict, r.Summary.Why)
	}
	if n := byID["verdict"]; hasClass(n, "ok") {
		t.Errorf("a partial run's banner is plain green: %q", attr(n, "class"))
	}
	// Conformant and complete, but a SHOULD went unchecked: its row is
	// "unchecked", and the banner over it is not plain green either.
	r.Summary.ExitCode, r.Summary.Partial = ExitConformant, false
	r.Summary.Must.Unchecked, r.Summary.Must.Holes = 0, 0
	r.Summary.Should.Unchecked, r.Summary.Should.Holes = 1, 0
	if _, _, byID = parse(t, r); hasClass(byID["verdict"], "ok") {
		t.Errorf("the banner is plain green over an unchecked SHOULD: %q", attr(byID["verdict"], "class"))
	}
}

// TestHTMLTranscriptFlow: a failing case's transcript is drawn as lanes,
// one per connection and one for the HTTP server, with an arrow per frame
// in the order of the transcript, each with its time, the failing step's
// request and answer marked, each frame's JSON in a <details>; no script
// anywhere, and the hostile frame is text.
func TestHTMLTranscriptFlow(t *testing.T) {
	r := flowRun()
	page, doc, byID := parse(t, r)
	flow := byID["flow-fails"]
	if flow == nil {
		t.Fatal("no flow for case fails")
	}
	var lanes []string
	type arrow struct{ lane, dir, at string }
	var arrows []arrow
	var failing []string
	each(flow, func(n *html.Node) {
		switch {
		case hasClass(n, "lane"):
			lanes = append(lanes, attr(n, "data-lane"))
		case hasClass(n, "f"):
			a := arrow{lane: attr(n, "data-lane")}
			for _, d := range []string{"req", "ans", "ntf", "note"} {
				if hasClass(n, d) {
					a.dir = d
				}
			}
			each(n, func(m *html.Node) {
				if hasClass(m, "at") {
					a.at = text(m)
				}
			})
			arrows = append(arrows, a)
			if hasClass(n, "failing") {
				failing = append(failing, text(n))
			}
			if a.dir != "note" {
				var pre string
				each(n, func(m *html.Node) {
					if m.Data == "details" {
						each(m, func(p *html.Node) {
							if p.Data == "pre" {
								pre = text(p)
							}
						})
					}
				})
				if pre == "" {
					t.Errorf("frame %v: its payload is not in a <details>", a)
				}
			}
		}
	})
	if want := []string{"a", "b", "http"}; !slices.Equal(lanes, want) {
		t.Errorf("lanes %q, want %q", lanes, want)
	}
	want := []arrow{{"a", "note", "0.1 ms"}, {"a", "req", "0.2 ms"}, {"a", "ans", "0.3 ms"}, {"b", "req", "0.4 ms"}, {"a", "ntf", "0.5 ms"},
		{"b", "ans", "0.6 ms"}, {"", "note", "0.7 ms"}, {"http", "req", "0.8 ms"}, {"http", "ans", "0.9 ms"}, {"b", "ntf", "1.500 s"}, {"b", "ntf", "1.600 s"}}
	if len(arrows) != len(want) {
		t.Fatalf("arrows %v, want %v", arrows, want)
	}
	for i := range want {
		if arrows[i].lane != want[i].lane || arrows[i].dir != want[i].dir || !strings.Contains(arrows[i].at, want[i].at) {
			t.Errorf("arrow %d: %+v, want %+v", i, arrows[i], want[i])
		}
	}
	if len(failing) != 2 || !strings.Contains(failing[0], "displace") || !strings.Contains(failing[1], "resultCode") {
		t.Errorf("failing frames %q: want b's request of step displace and its answer", failing)
	}
	var scripts int
	each(doc, func(n *html.Node) {
		if n.Data == "script" {
			scripts++
		}
	})
	if scripts > 0 || !bytes.Contains(page, []byte("default-src 'none'")) {
		t.Errorf("%d script elements, or no CSP", scripts)
	}
	if !strings.Contains(text(flow), "</svg><script>alert(1)</script>") || !strings.Contains(text(flow), "</svg><script>alert(2)</script>") || bytes.ContainsAny(page, "\x1b\x07\u009b") {
		t.Error("the hostile frame is not shown as escaped text")
	}
}

// TestHTMLBounded: a run with many failing cases with long transcripts
// gives a page of bounded size; what is not drawn is said.
func TestHTMLBounded(t *testing.T) {
	r := flowRun()
	base := r.Cases[1]
	r.Cases = nil
	for i := range 300 {
		c := base
		c.ID = fmt.Sprintf("fails-%d", i)
		c.Transcript = nil
		for j := range 500 {
			c.Transcript = append(c.Transcript, Frame{Conn: "a", Dir: "send", At: float64(j), Kind: "text", Payload: fmt.Sprintf(`{"method":"getAuthInfo","requestId":"%d"}`, j)})
		}
		r.Cases = append(r.Cases, c)
	}
	r.Tally(cases.Catalogue())
	page, _, byID := parse(t, r)
	if len(page) > 6<<20 {
		t.Errorf("page of %d bytes for 300 failing cases", len(page))
	}
	if !strings.Contains(text(byID["detail-fails-299"]), "results.json") {
		t.Errorf("the last case does not say where its transcript is: %.300q", text(byID["detail-fails-299"]))
	}
}
