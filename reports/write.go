package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/onsi/ginkgo/v2/reporters"
)

// JSON renders the results document.
func JSON(r Run) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode results: %w", err)
	}
	return append(b, '\n'), nil
}

// JUnit renders the run as JUnit XML: one testcase per selected case, named
// "<id> <title>", classname the requirement group. FAIL is a failure, ERROR
// an error, SKIP skipped with its reason; WARN passes (it fails only under
// --strict, where the case's verdict is already FAIL) and says so in a
// property and in system-out. Non-passing cases carry their findings and
// transcript in system-out.
func JUnit(r Run) ([]byte, error) {
	suite := reporters.JUnitTestSuite{
		Name:      "conform",
		Package:   r.Target.URL,
		Tests:     len(r.Cases),
		Time:      r.Duration,
		Timestamp: r.StartedAt.UTC().Format("2006-01-02T15:04:05"),
		Properties: reporters.JUnitProperties{Properties: []reporters.JUnitProperty{
			{Name: "schema", Value: r.Schema},
			{Name: "version", Value: r.Version},
			{Name: "target", Value: r.Target.URL},
			{Name: "profile", Value: profileLine(r.Profile)},
			{Name: "labelFilter", Value: r.Selection.LabelFilter},
			{Name: "strict", Value: fmt.Sprint(r.Selection.Strict)},
			{Name: "verdict", Value: r.Summary.Verdict},
		}},
	}
	for _, c := range r.Cases {
		tc := reporters.JUnitTestCase{
			Name:      c.ID + " " + c.Title,
			Classname: c.Group,
			Time:      c.Duration,
			Status:    strings.ToLower(c.Verdict),
			Properties: &reporters.JUnitProperties{Properties: []reporters.JUnitProperty{
				{Name: "verdict", Value: c.Verdict},
				{Name: "requirements", Value: requirementList(c.Requirements)},
				{Name: "labels", Value: strings.Join(c.Labels, ", ")},
			}},
		}
		switch c.Verdict {
		case Fail:
			suite.Failures++
			tc.Failure = &reporters.JUnitFailure{Message: firstLine(c.Message), Type: Fail, Description: c.Message}
		case Error:
			suite.Errors++
			tc.Error = &reporters.JUnitError{Message: firstLine(c.Message), Type: Error, Description: c.Message}
		case Skip:
			suite.Skipped++
			tc.Skipped = &reporters.JUnitSkipped{Message: c.Message}
		}
		if c.Verdict != Pass && c.Verdict != Skip {
			tc.SystemOut = caseDetail(c)
		}
		suite.TestCases = append(suite.TestCases, tc)
	}
	doc := reporters.JUnitTestSuites{
		Tests: suite.Tests, Errors: suite.Errors, Failures: suite.Failures, Disabled: suite.Skipped,
		Time: suite.Time, TestSuites: []reporters.JUnitTestSuite{suite},
	}
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
	fmt.Fprintf(&b, "%s %s: %s\n", c.Verdict, c.ID, c.Title)
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
	arrow := map[string]string{"send": ">", "recv": "<"}[f.Dir]
	if arrow == "" {
		arrow = "#"
	}
	conn := f.Conn
	if conn == "" {
		conn = "-"
	}
	return fmt.Sprintf("+%.3fs %s %s %s", f.At, conn, arrow, f.Payload)
}

func profileLine(p Profile) string {
	if p.Source == "" {
		return "unknown (preflight failed)"
	}
	return fmt.Sprintf("admin %s, user %s, plan %s (from %s)", p.Admin, p.User, p.Plan, p.Source)
}

func requirementList(rs []Requirement) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.ID + " (" + r.Level + ")"
	}
	return strings.Join(parts, ", ")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
