package reports

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"

	junit "github.com/joshdk/go-junit"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
)

// junit10 is what the Ant/Jenkins junit-10.xsd (the Jenkins xUnit plugin's
// model/xsd/junit-10.xsd) allows: for each element, its attributes (the
// required ones marked) and its child elements. TestJUnitFollowsTheSchema
// holds the writer to it; the note of issue 11 says how the file was also
// validated with xmllint against the schema itself.
var junit10 = map[string]struct {
	attrs    map[string]bool // name -> required
	children []string
}{
	"testsuites": {attrs: map[string]bool{"name": false, "time": false, "tests": false, "failures": false, "errors": false}, children: []string{"testsuite"}},
	"testsuite": {attrs: map[string]bool{"name": true, "tests": true, "failures": true, "errors": true, "group": false, "time": false,
		"skipped": false, "timestamp": false, "hostname": false, "id": false, "package": false, "file": false, "log": false, "url": false},
		children: []string{"testsuite", "properties", "testcase", "system-out", "system-err"}},
	"properties": {children: []string{"property"}},
	"property":   {attrs: map[string]bool{"name": true, "value": true}},
	"testcase": {attrs: map[string]bool{"name": true, "time": false, "classname": false, "group": false},
		children: []string{"skipped", "error", "failure", "rerunFailure", "rerunError", "flakyFailure", "flakyError", "system-out", "system-err"}},
	"skipped":    {attrs: map[string]bool{"type": false, "message": false}},
	"error":      {attrs: map[string]bool{"type": false, "message": false}},
	"failure":    {attrs: map[string]bool{"type": false, "message": false}},
	"system-out": {},
	"system-err": {},
}

// surefireTime is the schema's SUREFIRE_TIME pattern, anchored.
var surefireTime = regexp.MustCompile(`^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$`)

// schemaErrors walks an XML document and lists what junit-10.xsd rejects.
func schemaErrors(doc []byte) []string {
	var errs []string
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var stack []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return append(errs, "not XML: "+err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			rule, known := junit10[name]
			switch {
			case !known:
				errs = append(errs, "element <"+name+"> is not in the schema")
			case len(stack) == 0 && name != "testsuites" && name != "testsuite":
				errs = append(errs, "root <"+name+">")
			case len(stack) > 0 && !slices.Contains(junit10[stack[len(stack)-1]].children, name):
				errs = append(errs, "<"+name+"> inside <"+stack[len(stack)-1]+">")
			}
			seen := map[string]bool{}
			for _, a := range t.Attr {
				seen[a.Name.Local] = true
				if _, ok := rule.attrs[a.Name.Local]; !ok {
					errs = append(errs, "attribute "+a.Name.Local+" on <"+name+">")
				}
				if a.Name.Local == "time" && (name == "testsuite" || name == "testsuites") && !surefireTime.MatchString(a.Value) {
					errs = append(errs, "time "+a.Value+" on <"+name+"> is not SUREFIRE_TIME")
				}
			}
			for a, required := range rule.attrs {
				if required && !seen[a] {
					errs = append(errs, "required attribute "+a+" missing on <"+name+">")
				}
			}
			stack = append(stack, name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && strings.TrimSpace(string(t)) != "" {
				if p := stack[len(stack)-1]; p == "testsuites" || p == "testsuite" || p == "testcase" || p == "properties" || p == "property" {
					errs = append(errs, "text inside <"+p+">")
				}
			}
		}
	}
	return errs
}

// gated is the sample run with every verdict, a stale baseline entry and a
// coverage demand.
func gated() Run {
	r := sample()
	r.Cases = append(r.Cases,
		Case{ID: "xfail-case", Title: "t", Group: "RC", Verdict: caselang.Fail, Message: "resultCode: expected 9, actual 8"},
		Case{ID: "stale-case", Title: "t", Group: "RC", Verdict: caselang.Pass})
	Gate{Require: "complete", Baseline: &Baseline{Cases: map[string]Known{"xfail-case": {Reason: "known", Link: "https://tracker.example/1"}, "stale-case": {Reason: "was broken"}}}}.Apply(&r, cases.Catalogue())
	return r
}

func TestJUnitFollowsTheSchema(t *testing.T) {
	for name, r := range map[string]Run{"every verdict": gated(), "empty": {Schema: Schema}} {
		r.Duration = 1234.5 // a time that a %g would write with an exponent
		b, err := JUnit(r)
		if err != nil {
			t.Fatal(err)
		}
		if errs := schemaErrors(b); len(errs) > 0 {
			t.Errorf("%s: junit-10.xsd rejects:\n  %s\n%s", name, strings.Join(errs, "\n  "), b)
		}
	}
	// The checker itself: what the old writer did is caught.
	for _, bad := range []string{
		`<testsuites disabled="0"><testsuite name="a" tests="1" failures="0" errors="0"/></testsuites>`,
		`<testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x" status="passed"/></testsuite>`,
		`<testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x"><properties/></testcase></testsuite>`,
		`<testsuite name="a" tests="1" errors="0"/>`,
		`<testsuite name="a" tests="1" failures="0" errors="0" time="1e+03"/>`,
	} {
		if len(schemaErrors([]byte(bad))) == 0 {
			t.Errorf("the schema check accepts %s", bad)
		}
	}
}

// TestJUnitReadByAParser: a JUnit consumer (joshdk/go-junit, as CI tools
// read the file) sees every case with the status its verdict means, a WARN
// as a pass whose output says WARN, a known failure as skipped naming the
// baseline, a stale entry and unchecked coverage as failures.
func TestJUnitReadByAParser(t *testing.T) {
	b, err := JUnit(gated())
	if err != nil {
		t.Fatal(err)
	}
	suites, err := junit.Ingest(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(suites) != 1 {
		t.Fatalf("%d suites", len(suites))
	}
	status := map[string]junit.Test{}
	for _, tc := range suites[0].Tests {
		status[strings.Fields(tc.Name)[0]] = tc
	}
	want := map[string]junit.Status{
		"pass-case": junit.StatusPassed, "fail-case": junit.StatusFailed, "warn-case": junit.StatusPassed,
		"skip-case": junit.StatusSkipped, "error-case": junit.StatusError, "xfail-case": junit.StatusSkipped,
		"stale-case": junit.StatusFailed, "coverage": junit.StatusFailed,
	}
	for id, st := range want {
		if got := status[id]; got.Status != st {
			t.Errorf("%s: status %q, want %q", id, got.Status, st)
		}
	}
	if !strings.HasPrefix(status["warn-case"].SystemOut, "WARN") {
		t.Errorf("a WARN's output does not say so: %q", status["warn-case"].SystemOut)
	}
	if m := status["xfail-case"].Message; !strings.Contains(m, "known failure (baseline): known (https://tracker.example/1)") {
		t.Errorf("xfail message %q", m)
	}
	if suites[0].Properties["warnings"] != "1" || suites[0].Properties["verdict"] != "not conformant" {
		t.Errorf("suite properties %v", suites[0].Properties)
	}
	if tot := suites[0].Totals; tot.Tests != 8 || tot.Failed != 3 || tot.Error != 1 || tot.Skipped != 2 || tot.Passed != 2 {
		t.Errorf("totals %+v", tot)
	}
}
