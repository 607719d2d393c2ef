package explain

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
	"go.yaml.in/yaml/v3"
)

// The project's hand-written Markdown must render on GitHub as written: a
// closing fence with text after it is no closing fence (CommonMark 4.5),
// and GitHub then shows the rest of the page as one code block. These
// tests parse each page with a CommonMark/GFM parser (goldmark, as GitHub's
// cmark-gfm would) and check what it made of the fences, then check that
// what docs/ci.md and README.md tell an operator to paste works.

// repoRoot is the module's root, from this package's directory.
var repoRoot = filepath.Join("..", "..")

// markdownPages are README.md and every docs/*.md.
func markdownPages(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("docs/*.md: %v (%d pages)", err, len(pages))
	}
	return append([]string{filepath.Join(repoRoot, "README.md")}, pages...)
}

func readPage(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return b
}

// fenceLine matches a line that a reader takes for a code fence: up to
// three spaces, then three or more backticks or tildes (CommonMark 4.5).
var fenceLine = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})(.*)$")

// fenceProblems parses src as GitHub does and returns, one per problem,
// where a fenced code block swallowed a line that would have closed it but
// for the text after it, or ran to the end of the page without a closing
// fence (a shorter fence, or one of the other character, closes nothing).
func fenceProblems(src []byte) []string {
	doc := goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser().Parse(text.NewReader(src))
	lineOf := func(offset int) int { return bytes.Count(src[:offset], []byte("\n")) + 1 }
	lineAt := func(offset int) []byte { // the line starting at offset, without its newline
		l := src[offset:]
		if nl := bytes.IndexByte(l, '\n'); nl >= 0 {
			l = l[:nl]
		}
		return bytes.TrimRight(l, "\r")
	}
	lineStart := func(offset int) int { return bytes.LastIndexByte(src[:offset], '\n') + 1 }
	var problems []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		block, ok := n.(*ast.FencedCodeBlock)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		lines := block.Lines()
		// The opening fence: the line of the info string, else the line
		// before the first line of content.
		var open int
		switch {
		case block.Info != nil:
			open = lineStart(block.Info.Segment.Start)
		case lines.Len() > 0:
			open = lineStart(max(lines.At(0).Start-1, 0))
		default:
			return ast.WalkContinue, nil // "```" then "```": nothing to get wrong
		}
		m := fenceLine.FindSubmatch(lineAt(open))
		if m == nil {
			problems = append(problems, fmt.Sprintf("line %d: a code block whose opening fence the test cannot find", lineOf(open)))
			return ast.WalkContinue, nil
		}
		char, length := m[1][0], len(m[1])
		closes := func(line []byte) (fence, clean bool) {
			f := fenceLine.FindSubmatch(line)
			if f == nil || f[1][0] != char || len(f[1]) < length {
				return false, false
			}
			return true, len(bytes.TrimSpace(f[2])) == 0
		}
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			if fence, _ := closes(lineAt(lineStart(seg.Start))); fence {
				problems = append(problems, fmt.Sprintf("line %d: a closing fence with text after it: it closes nothing, and the page after it renders as code", lineOf(seg.Start)))
			}
		}
		end := open + len(lineAt(open)) + 1
		if lines.Len() > 0 {
			end = lines.At(lines.Len() - 1).Stop
		}
		if fence, clean := closes(lineAt(min(end, len(src)))); !fence || !clean {
			problems = append(problems, fmt.Sprintf("line %d: a code block left open: it runs to the end of the page", lineOf(open)))
		}
		return ast.WalkContinue, nil
	})
	return problems
}

// TestFenceProblemsCatchesBrokenFences holds the checker to what it is for:
// each of these renders broken on GitHub.
func TestFenceProblemsCatchesBrokenFences(t *testing.T) {
	for name, page := range map[string]string{
		"closing fence with text": "# a\n\n```yaml\nx: 1\n``` the end\n\n## b\n\ntext\n",
		"fence left open":         "# a\n\n```sh\nrun\n\n## b\n",
		"shorter closing fence":   "````sh\nrun\n```\n\n## b\n",
		"other character":         "~~~sh\nrun\n```\n\n## b\n",
	} {
		if p := fenceProblems([]byte(page)); len(p) == 0 {
			t.Errorf("%s: not caught:\n%s", name, page)
		}
	}
	for name, page := range map[string]string{
		"closed":         "# a\n\n```yaml\nx: 1\n```\n\n## b\n",
		"longer closing": "```sh\nrun\n`````\n",
		"empty block":    "```sh\n```\n",
		"tilde":          "~~~\n```\n~~~\n",
	} {
		if p := fenceProblems([]byte(page)); len(p) > 0 {
			t.Errorf("%s: %v", name, p)
		}
	}
}

// TestMarkdownRendersAsWritten: README.md and every docs/*.md have no
// fence left open and no closing fence with text after it.
func TestMarkdownRendersAsWritten(t *testing.T) {
	for _, page := range markdownPages(t) {
		for _, p := range fenceProblems(readPage(t, page)) {
			t.Errorf("%s %s", page, p)
		}
	}
}

// codeBlocks are a page's fenced code blocks of one language, as GitHub
// renders them.
func codeBlocks(src []byte, lang string) []string {
	doc := goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser().Parse(text.NewReader(src))
	var out []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		block, ok := n.(*ast.FencedCodeBlock)
		if !entering || !ok || string(block.Language(src)) != lang {
			return ast.WalkContinue, nil
		}
		var b strings.Builder
		for i := 0; i < block.Lines().Len(); i++ {
			seg := block.Lines().At(i)
			b.Write(seg.Value(src))
		}
		out = append(out, b.String())
		return ast.WalkContinue, nil
	})
	return out
}

// pinned is a conform version a job can name: a release tag or a commit.
var pinned = regexp.MustCompile(`github\.com/roomconform/conform/cmd/conform@(v\d+\.\d+\.\d+|[0-9a-f]{40})\b`)

// TestCIJobsWorkAsWritten: docs/ci.md's YAML parses; the GitHub job may
// publish check runs (the JUnit action needs checks: write when the token
// is read-only), pins conform and every action; the GitLab job installs a
// pinned conform instead of building ./cmd/conform, which exists only in
// conform's own repository; the page says what GitLab's masking cannot do
// for a PIN.
func TestCIJobsWorkAsWritten(t *testing.T) {
	src := readPage(t, filepath.Join(repoRoot, "docs", "ci.md"))
	blocks := codeBlocks(src, "yaml")
	var github, gitlab map[string]any
	for _, b := range blocks {
		var doc map[string]any
		if err := yaml.Unmarshal([]byte(b), &doc); err != nil {
			t.Fatalf("docs/ci.md: a YAML block does not parse: %v\n%s", err, b)
		}
		if dig(doc, "jobs", "conform") != nil { // the Fleets workflow has jobs too
			github = doc
		} else if _, ok := doc["conformance"]; ok {
			gitlab = doc
		}
	}
	if github == nil || gitlab == nil {
		t.Fatalf("docs/ci.md: want a GitHub workflow (jobs:) and a GitLab job (conformance:) among %d YAML blocks", len(blocks))
	}
	job := dig(github, "jobs", "conform")
	perms, _ := dig(job, "permissions").(map[string]any)
	if perms == nil {
		perms, _ = dig(github, "permissions").(map[string]any)
	}
	if perms["checks"] != "write" || perms["contents"] != "read" {
		t.Errorf("docs/ci.md: the GitHub job's permissions are %v, want checks: write and contents: read", perms)
	}
	steps, _ := dig(job, "steps").([]any)
	var script string
	for _, s := range steps {
		step, _ := s.(map[string]any)
		if uses, ok := step["uses"].(string); ok {
			if !regexp.MustCompile(`@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$`).MatchString(uses) {
				t.Errorf("docs/ci.md: action %q is not pinned by a version or a commit", uses)
			}
		}
		if run, ok := step["run"].(string); ok {
			script += run + "\n"
		}
	}
	checkInstall(t, "the GitHub job", script)
	gl, _ := dig(gitlab, "conformance", "script").([]any)
	script = ""
	for _, line := range gl {
		s, _ := line.(string)
		script += s + "\n"
	}
	checkInstall(t, "the GitLab job", script)
	page := strings.Join(strings.Fields(string(src)), " ")
	for _, want := range []string{"8 characters", "protected variable", "never prints"} {
		if !strings.Contains(page, want) {
			t.Errorf("docs/ci.md: the PIN-masking caveat lacks %q", want)
		}
	}
}

// checkInstall: a job's script installs a pinned conform (or runs the
// image) and never builds ./cmd/conform.
func checkInstall(t *testing.T, job, script string) {
	t.Helper()
	if strings.Contains(script, "./cmd/conform") {
		t.Errorf("docs/ci.md: %s builds ./cmd/conform, which exists only in conform's own repository:\n%s", job, script)
	}
	if !pinned.MatchString(script) {
		t.Errorf("docs/ci.md: %s does not go install conform pinned by a tag or a commit:\n%s", job, script)
	}
}

// dig follows keys through nested YAML mappings; nil where one is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// TestContainerLinesWorkAsWritten: every `docker run` the docs show with a
// bind mount runs as the caller (the image's user, uid 65532, cannot write
// in a directory of yours: the reports would fail after the whole run),
// and `conform serve` in a container listens on every interface (its
// default is loopback, which nothing outside the container reaches).
func TestContainerLinesWorkAsWritten(t *testing.T) {
	pages := append(markdownPages(t), filepath.Join(repoRoot, "Dockerfile"))
	mounts, serves := 0, 0
	for _, page := range pages {
		// A command continued with \ is one command.
		joined := strings.ReplaceAll(string(readPage(t, page)), "\\\n", " ")
		for _, line := range strings.Split(joined, "\n") {
			if !strings.Contains(line, "docker run") {
				continue
			}
			if strings.Contains(line, "-v ") || strings.Contains(line, "--volume") || strings.Contains(line, "--mount") {
				mounts++
				if !strings.Contains(line, `--user "$(id -u)`) && !strings.Contains(line, "--user $(id -u)") {
					t.Errorf("%s: a bind mount without --user \"$(id -u)\": %s", page, strings.TrimSpace(line))
				}
			}
			if strings.Contains(line, " serve") {
				serves++
				if !strings.Contains(line, "--listen 0.0.0.0:8765") {
					t.Errorf("%s: conform serve in a container without --listen 0.0.0.0:8765: %s", page, strings.TrimSpace(line))
				}
			}
		}
	}
	if mounts == 0 || serves == 0 {
		t.Errorf("the docs show %d docker runs with a bind mount and %d of conform serve; want both", mounts, serves)
	}
}
