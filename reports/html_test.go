package reports

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/roomconform/conform/caselang"
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
