package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/term"
)

// JSON renders the results document.
// Its text is shown as every report shows it (one line each, controls
// escaped), and the characters encoding/json leaves raw that a terminal
// would act on (C1 controls, bidirectional overrides) are written as
// \uXXXX escapes: --json puts it on a terminal.
func JSON(r Run) ([]byte, error) {
	b, err := json.MarshalIndent(r.shown(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode results: %w", err)
	}
	return term.JSON(append(b, '\n')), nil
}

// The JUnit document, in the Ant/Jenkins dialect (the junit-10.xsd of the
// Jenkins xUnit plugin, which most consumers accept): only the elements and
// attributes that schema allows. Ginkgo's own JUnit types carry attributes
// it does not (status on a testcase, properties inside one, disabled).
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Timestamp  string          `xml:"timestamp,attr"`
		Package    string          `xml:"package,attr,omitempty"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
		SystemOut  string          `xml:"system-out,omitempty"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Group     string        `xml:"group,attr,omitempty"`
		Time      string        `xml:"time,attr"`
		Skipped   *junitOutcome `xml:"skipped"`
		Failure   *junitOutcome `xml:"failure"`
		Error     *junitOutcome `xml:"error"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitOutcome struct {
		Type    string `xml:"type,attr,omitempty"`
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
)

// junitTime renders seconds as the schema's SUREFIRE_TIME: plain decimals,
// never an exponent.
func junitTime(sec float64) string { return strconv.FormatFloat(max(sec, 0), 'f', 3, 64) }

// JUnit renders the run as JUnit XML in the Ant/Jenkins dialect: one
// testcase per selected case, named "<id> <title>", classname the
// requirement group, group the requirements it cites. FAIL is a failure
// (type FAIL), ERROR an error, SKIP skipped with its reason, XFAIL (a known
// failure, --baseline) skipped with "known failure: ...". A WARN passes
// (it fails only under --strict, where the verdict is already FAIL) and is
// made visible where a reader looks: its system-out starts with "WARN",
// and the suite's "warnings" property and system-out list the cases. A
// stale baseline entry fails (type STALE-BASELINE), as it fails the run;
// and under --require a testcase "coverage" fails when a MUST requirement
// went unchecked. The testsuite's properties carry the run's metadata.
func JUnit(r Run) ([]byte, error) {
	suite := junitSuiteOf(r)
	return encodeJUnit(junitSuites{Name: "conform", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Time: suite.Time, Suites: []junitSuite{suite}})
}

// junitSuiteOf is the run's testsuite (JUnit): a single run's document
// holds one, a fleet's one per target (FleetJUnit).
func junitSuiteOf(r Run) junitSuite {
	r = r.shown()
	suite := junitSuite{
		Name:      "conform",
		Package:   r.Target.URL,
		Time:      junitTime(r.Duration),
		Timestamp: r.StartedAt.UTC().Format("2006-01-02T15:04:05"),
	}
	var warned []string
	for _, c := range r.Cases {
		tc := junitCase{
			Name:      c.Key() + " " + c.Title,
			Classname: c.Group,
			Group:     requirementIDs(c.Requirements),
			Time:      junitTime(c.Duration),
		}
		stale := c.Baseline != nil && c.Baseline.Stale != ""
		switch {
		case stale:
			suite.Failures++
			tc.Failure = &junitOutcome{Type: "STALE-BASELINE", Message: string(c.Verdict) + ": " + c.Baseline.Stale, Text: c.Message}
		case c.Verdict == caselang.Fail && c.Baseline != nil && len(c.Baseline.New) > 0:
			suite.Failures++
			tc.Failure = &junitOutcome{Type: string(caselang.Fail), Message: "a new failure of a baselined case: " + strings.Join(c.Baseline.New, "; "), Text: c.Message}
		case c.Verdict == caselang.Fail:
			suite.Failures++
			tc.Failure = &junitOutcome{Type: string(caselang.Fail), Message: firstLine(c.Message), Text: c.Message}
		case c.Verdict == caselang.Error:
			suite.Errors++
			tc.Error = &junitOutcome{Type: string(caselang.Error), Message: firstLine(c.Message), Text: c.Message}
		case c.Verdict == caselang.Skip:
			suite.Skipped++
			tc.Skipped = &junitOutcome{Message: c.Message}
		case c.Verdict == caselang.XFail:
			suite.Skipped++
			tc.Skipped = &junitOutcome{Type: string(caselang.XFail), Message: "known failure (baseline): " + c.Baseline.String() + ": " + firstLine(c.Message), Text: c.Message}
		case c.Verdict == caselang.Warn:
			warned = append(warned, c.Key())
		}
		if c.Verdict != caselang.Pass && c.Verdict != caselang.Skip || stale {
			tc.SystemOut = caseDetail(c)
		}
		suite.Cases = append(suite.Cases, tc)
	}
	if r.RestoreError != "" {
		suite.Errors++
		suite.Cases = append(suite.Cases, junitCase{Name: "restore the original protection", Classname: "CFG", Time: junitTime(0),
			Error: &junitOutcome{Type: "NOT-RESTORED", Message: "the target may be left reconfigured", Text: r.RestoreError}})
	}
	if r.InfrastructureError != "" {
		suite.Errors++
		suite.Cases = append(suite.Cases, junitCase{Name: "infrastructure", Classname: "INFRA", Time: junitTime(0),
			Error: &junitOutcome{Type: "INFRASTRUCTURE", Message: firstLine(r.InfrastructureError), Text: r.InfrastructureError}})
	}
	if r.Require != "" {
		tc := junitCase{Name: "coverage (--require " + r.Require + ")", Classname: "COVERAGE", Time: junitTime(0)}
		if gap := r.Ungated(); len(gap) > 0 {
			suite.Failures++
			tc.Failure = &junitOutcome{Type: "UNCHECKED", Message: fmt.Sprintf("%d requirements unchecked (--require %s)", len(gap), r.Require), Text: strings.Join(whyOf(gap), "\n")}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	if len(r.StaleBaseline) > 0 {
		suite.Failures++
		suite.Cases = append(suite.Cases, junitCase{Name: "baseline entries answer to cases of this version", Classname: "BASELINE", Time: junitTime(0),
			Failure: &junitOutcome{Type: "STALE-BASELINE", Message: fmt.Sprintf("%d --baseline entries name cases this version does not have", len(r.StaleBaseline)), Text: strings.Join(r.StaleBaseline, "\n")}})
	}
	if r.Summary.ExitCode == ExitIncomplete {
		// A run a gate must not pass: a testcase that fails says so to a
		// pipeline that reads only the JUnit file.
		suite.Failures++
		suite.Cases = append(suite.Cases, junitCase{Name: "the run checked what a verdict needs", Classname: "COVERAGE", Time: junitTime(0),
			Failure: &junitOutcome{Type: "INCOMPLETE", Message: "incomplete: nothing failed, but what a verdict needs went unchecked", Text: strings.Join(r.Summary.Why, "\n")}})
	}
	suite.Tests = len(suite.Cases)
	s := r.Summary
	suite.Properties = []junitProperty{
		{Name: "schema", Value: r.Schema},
		{Name: "version", Value: r.Version},
		{Name: "target", Value: r.Target.URL},
		{Name: "profile", Value: profileLine(r.Profile)},
		{Name: "labelFilter", Value: r.Selection.LabelFilter},
		{Name: "strict", Value: fmt.Sprint(r.Selection.Strict)},
		{Name: "verdict", Value: s.Verdict},
		{Name: "exitCode", Value: fmt.Sprint(s.ExitCode)},
		{Name: "warnings", Value: fmt.Sprint(len(warned))},
		{Name: "mustChecked", Value: s.Must.Line("MUST")},
	}
	suite.SystemOut = fmt.Sprintf("conform: %s: %d pass, %d fail, %d warn, %d skip, %d error, %d xfail\n", s.Verdict, s.Pass, s.Fail, s.Warn, s.Skip, s.Error, s.XFail)
	for _, id := range warned {
		suite.SystemOut += "WARN " + id + " (a SHOULD is broken; --strict makes it a failure)\n"
	}
	return suite
}

// encodeJUnit writes the document with its XML header.
func encodeJUnit(doc junitSuites) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode junit: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// caseDetail is the text of a non-passing case: findings, then transcript.
func caseDetail(c Case) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s\n", c.Verdict, c.Key(), c.Title)
	if c.Baseline != nil {
		fmt.Fprintf(&b, "baseline: %s\n", c.Baseline.String())
		if c.Baseline.Stale != "" {
			fmt.Fprintf(&b, "stale: %s\n", c.Baseline.Stale)
		}
	}
	if c.Message != "" {
		fmt.Fprintf(&b, "\n%s\n", c.Message)
	}
	if len(c.Findings) > 0 {
		b.WriteString("\nfindings:\n")
		for _, f := range c.Findings {
			fmt.Fprintf(&b, "  %s\n", f.Line())
		}
	}
	if len(c.Transcript) > 0 {
		b.WriteString("\ntranscript:\n")
		for _, f := range c.Transcript {
			fmt.Fprintf(&b, "  %s\n", FrameLine(f))
		}
	}
	return b.String()
}

// FrameLine renders a transcript frame: "+0.012s a > {...}".
func FrameLine(f Frame) string {
	arrow := arrowOf(f.Dir)
	conn := f.Conn
	if conn == "" {
		conn = "-"
	}
	payload := f.Payload
	if f.Kind != "" && f.Kind != "text" && f.Kind != "binary" && f.Kind != "note" {
		payload = f.Kind + " " + payload // a close, an error: as the transcript shows them
	}
	return fmt.Sprintf("+%.3fs %s %s %s", f.At, conn, arrow, payload)
}

// arrowOf shows a frame's direction: > sent, < received, # a note.
func arrowOf(dir string) string {
	switch dir {
	case "send":
		return ">"
	case "recv":
		return "<"
	}
	return "#"
}

func profileLine(p Profile) string {
	if p.Source == "" {
		return "unknown (preflight failed)"
	}
	return fmt.Sprintf("admin %s, user %s, plan %s (from %s)", p.Admin, p.User, p.Plan, p.Source)
}

func requirementIDs(rs []Requirement) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.ID
	}
	return strings.Join(parts, " ")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
