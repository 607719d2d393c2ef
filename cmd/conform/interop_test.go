package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInteropNotes: a conformant variant known to break a real client
// (refserver/doc.go, "Stand-ins for real clients") is named in every
// report as an interop note, citing the client, and changes nothing else:
// exit 0 and the verdict of the default run. The default run has no note.
func TestInteropNotes(t *testing.T) {
	t.Parallel()
	// RC-8's cases refuse wrong credentials, and every case answers
	// requests with requestId: both notes have something to be seen in.
	sel := []string{"--requirement", "RC-8"}
	type results struct {
		Summary struct {
			Verdict  string `json:"verdict"`
			ExitCode int    `json:"exitCode"`
		} `json:"summary"`
		Interop []struct {
			ID, Seen, Client, Repository, File, Breaks string
			Example                                    string `json:"exampleCase"`
			Count                                      int
		} `json:"interop"`
	}
	run := func(t *testing.T, variant string) (result, results, string, string) {
		dir := t.TempDir()
		args := append([]string{"run", "--report-dir", dir}, sel...)
		if variant != "" {
			args = append(args, "--variant", variant)
		}
		r, _ := inProcessRun(t, nil, args...)
		var res results
		b, err := os.ReadFile(filepath.Join(dir, "results.json"))
		if err != nil {
			t.Fatalf("exit %d: %v\n%s", r.code, err, r.stderr)
		}
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatalf("results.json: %v", err)
		}
		md, err := os.ReadFile(filepath.Join(dir, "summary.md"))
		if err != nil {
			t.Fatal(err)
		}
		html, err := os.ReadFile(filepath.Join(dir, "report.html"))
		if err != nil {
			t.Fatal(err)
		}
		return r, res, string(md), string(html)
	}
	base, baseRes, baseMD, baseHTML := run(t, "")
	if base.code != exitOK || len(baseRes.Interop) != 0 {
		t.Fatalf("the default run: exit %d, interop notes %+v\n%s", base.code, baseRes.Interop, base.stdout)
	}
	for _, out := range []string{base.stdout, baseMD, baseHTML} {
		if strings.Contains(out, "Interop notes") || strings.Contains(out, "interop (INFO)") {
			t.Errorf("the default run shows an interop note:\n%s", out)
		}
	}
	for _, tc := range []struct{ variant, id, client string }{
		{"no-error-text", "refusal-without-error", "zoboff/videosdk"},
		{"events-before-responses", "notification-before-answer", "next frame"},
	} {
		t.Run(tc.variant, func(t *testing.T) {
			t.Parallel()
			r, res, md, html := run(t, tc.variant)
			if r.code != exitOK || res.Summary != baseRes.Summary {
				t.Errorf("exit %d, summary %+v; the default run's: %+v", r.code, res.Summary, baseRes.Summary)
			}
			if len(res.Interop) != 1 {
				t.Fatalf("want the one note %s, got %+v", tc.id, res.Interop)
			}
			n := res.Interop[0]
			if n.ID != tc.id || n.Count == 0 || n.Example == "" || n.File == "" || n.Breaks == "" ||
				!strings.Contains(n.Client+n.Repository+n.File, tc.client) {
				t.Errorf("the note: %+v", n)
			}
			if !strings.Contains(md, "Interop notes (INFO)") || !strings.Contains(md, n.File) || !strings.Contains(md, n.Example) {
				t.Errorf("summary.md lacks the note:\n%s", md)
			}
			if !strings.Contains(html, "Interop notes (INFO)") || !strings.Contains(html, n.Example) {
				t.Errorf("report.html lacks the note")
			}
			var line string
			for _, l := range strings.Split(r.stdout, "\n") {
				if strings.HasPrefix(l, "interop (INFO): ") {
					if line != "" {
						t.Errorf("two interop lines:\n%s\n%s", line, l)
					}
					line = l
				}
			}
			if line == "" || !strings.Contains(line, n.Example) || len([]rune(line)) > 120 {
				t.Errorf("the console's interop line (%d columns): %q\n%s", len([]rune(line)), line, r.stdout)
			}
			if cov := strings.Index(r.stdout, "\ncoverage: "); cov < 0 || strings.Index(r.stdout, line) < cov {
				t.Errorf("the interop line is not after the coverage line:\n%s", r.stdout)
			}
		})
	}
}
