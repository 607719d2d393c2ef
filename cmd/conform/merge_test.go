package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/reports"
)

// mergeRuns are two real runs of three cases in-process against the
// embedded server, without and with a fault that fails RC-8: the
// sections of the synthetic fleets the merge's tests write as shards.
// Made once; the first caller's temporary directory takes their reports.
var (
	mergeRunsOnce sync.Once
	mergeRunsMade map[string]reports.Run
)

func mergeRuns(t *testing.T) map[string]reports.Run {
	t.Helper()
	mergeRunsOnce.Do(func() {
		mergeRunsMade = map[string]reports.Run{}
		for name, extra := range map[string][]string{"ok": nil, "faulty": {"--fault", "wrong-credentials-code-4"}} {
			args := append([]string{"run", "--case", "env-2-success-envelope", "--case", "auth-admin-success-fields", "--case", "rc-8-wrong-user-pin",
				"--report-dir", t.TempDir()}, extra...)
			_, r := inProcessRun(t, nil, args...)
			mergeRunsMade[name] = r
		}
	})
	return mergeRunsMade
}

// mergeFleet is a fleet of five targets (d not conformant) in three
// shards, a: 2, b: 1, c: 3, d: 2, e: 1: the whole, and each shard's
// document as a sharded run writes it.
func mergeFleet(t *testing.T) (whole reports.Fleet, shards []reports.Fleet) {
	t.Helper()
	rs := mergeRuns(t)
	if rs["ok"].Summary.ExitCode != 0 || rs["faulty"].Summary.ExitCode != 1 || len(rs["ok"].Cases) != 3 {
		t.Fatalf("the runs the fleet is made of: ok %+v, faulty %+v", rs["ok"].Summary, rs["faulty"].Summary)
	}
	shardOf := map[string]int{"a": 2, "b": 1, "c": 3, "d": 2, "e": 1}
	whole = reports.Fleet{Schema: reports.Schema, Kind: reports.KindFleet, Tool: "conform", Version: version(),
		StartedAt: time.Unix(1700000000, 0), Duration: 2, Catalogue: reports.CatalogueDigest(cases.Catalogue()), TargetsDigest: "sha256:aa"}
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		r := rs["ok"]
		if n == "d" {
			r = rs["faulty"]
		}
		whole.Assigned = append(whole.Assigned, reports.Assigned{Name: n, Shard: shardOf[n]})
		whole.Targets = append(whole.Targets, reports.FleetTarget{Name: n, Dir: n, Run: r})
	}
	whole.Tally()
	for k := 1; k <= 3; k++ {
		s := whole
		s.Shard = &reports.Shard{K: k, N: 3}
		s.Targets = nil
		for _, tg := range whole.Targets {
			if shardOf[tg.Name] == k {
				s.Targets = append(s.Targets, tg)
			}
		}
		s.Tally()
		shards = append(shards, s)
	}
	return whole, shards
}

// writeShards writes each shard's reports into a directory of its own.
func writeShards(t *testing.T, shards []reports.Fleet) []string {
	t.Helper()
	var dirs []string
	for _, s := range shards {
		dir := filepath.Join(t.TempDir(), "shard"+s.Shard.String()[:1])
		if err := reports.WriteFleet(context.Background(), s, reports.DefaultFiles(dir)); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

func merge(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"merge"}, args...), &out, &errOut, cleanEnv())
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// TestMergeCommand: three shards given in any order (the flags after
// them) merge into the fleet run in one piece (SameFleet), targets in the
// targets file's order, the exit code the fleet's; every link of the
// matrix reaches a report the merge wrote.
func TestMergeCommand(t *testing.T) {
	whole, shards := mergeFleet(t)
	dirs := writeShards(t, shards)
	out := filepath.Join(t.TempDir(), "fleet")
	r := merge(t, dirs[2], dirs[0], dirs[1], "--report-dir", out)
	if r.code != 1 {
		t.Fatalf("exit %d, want the fleet's 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	merged := readFleet(t, out)
	if d := reports.SameFleet(whole, merged); len(d) > 0 {
		t.Errorf("the merge differs from the fleet in one piece:\n%s", strings.Join(d, "\n"))
	}
	var names []string
	for _, tg := range merged.Targets {
		names = append(names, tg.Name)
	}
	if !slices.Equal(names, []string{"a", "b", "c", "d", "e"}) || merged.Shard != nil || len(merged.Shards) != 3 {
		t.Errorf("targets %v, shard %v, shards %v", names, merged.Shard, merged.Shards)
	}
	if !strings.Contains(r.stdout, "not conformant") || !strings.Contains(r.stdout, "exit 1") {
		t.Errorf("console:\n%s", r.stdout)
	}
	checkLinks(t, out, len(whole.Targets))
}

// checkLinks parses OUT/report.html and checks every link of the matrix
// reaches a file under OUT, and that each target has its own reports.
func checkLinks(t *testing.T, out string, targets int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	links := 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "a" {
			for _, a := range n.Attr {
				if a.Key == "href" {
					links++
					file, _, _ := strings.Cut(a.Val, "#")
					if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(file))); err != nil {
						t.Errorf("link %q reaches nothing: %v", a.Val, err)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if links < targets {
		t.Errorf("%d links for %d targets", links, targets)
	}
}

// TestMergeMissingShard: a shard that did not come is an ERROR for each of
// its targets, with reports of their own, said on the console; the
// fleet's exit code is 3 (1 when a target is not conformant: the order).
func TestMergeMissingShard(t *testing.T) {
	_, shards := mergeFleet(t)
	// d, the failing target, is in shard 2: without it, the others pass.
	dirs := writeShards(t, shards)
	out := filepath.Join(t.TempDir(), "fleet")
	r := merge(t, "--report-dir", out, dirs[0], dirs[2])
	if r.code != exitUnreachable {
		t.Fatalf("exit %d, want 3\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "shard 2/3 missing: no results: 2 targets are ERROR (a, d)") {
		t.Errorf("the console does not say which shard is missing:\n%s", r.stdout)
	}
	merged := readFleet(t, out)
	if len(merged.Missing) != 1 || merged.Missing[0].K != 2 || len(merged.Targets) != 5 {
		t.Fatalf("missing %v, %d targets", merged.Missing, len(merged.Targets))
	}
	for _, n := range []string{"a", "d"} {
		sec, _ := merged.Section(n)
		if sec.Run.Summary.ExitCode != exitUnreachable || !strings.Contains(sec.Run.Preflight.Error, "shard 2/3 missing: no results") {
			t.Errorf("%s: %+v", n, sec.Run.Summary)
		}
		own, err := reports.ReadResults(filepath.Join(out, n, "results.json"))
		if err != nil || own.Run == nil || own.Run.Summary.Error == 0 {
			t.Errorf("%s's own results.json: %v", n, err)
		}
	}
	checkLinks(t, out, 5)

	// With shard 3 missing instead, d fails: exit 1.
	out = filepath.Join(t.TempDir(), "fleet")
	if r := merge(t, dirs[0], dirs[1], "--report-dir", out); r.code != exitFailed {
		t.Errorf("shard 3 missing, d failing: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A shard's directory without results.json (its job was killed, or
	// refused before its run) is a missing shard, not a usage error: the
	// fleet still gets its verdict (what a Kubernetes merge Job sees,
	// listing every shard's directory).
	empty := t.TempDir()
	out = filepath.Join(t.TempDir(), "fleet")
	r = merge(t, dirs[0], empty, dirs[2], "--report-dir", out)
	if r.code != exitUnreachable || !strings.Contains(r.stdout, "has no results.json: its shard counts as missing") ||
		!strings.Contains(r.stdout, "shard 2/3 missing") {
		t.Errorf("a shard directory without results: exit %d, want 3\n%s%s", r.code, r.stdout, r.stderr)
	}
	if f := readFleet(t, out); len(f.Missing) != 1 || len(f.Targets) != 5 {
		t.Errorf("missing %v, %d targets", f.Missing, len(f.Targets))
	}
	// No shard with results at all: no verdict, exit 3, one line.
	if r := merge(t, empty, t.TempDir(), "--report-dir", filepath.Join(t.TempDir(), "fleet")); r.code != exitUnreachable || !strings.Contains(r.stderr, "no shard has results") {
		t.Errorf("no results at all: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestMergeRefuses: exit 2 and one line naming the files, nothing
// written, for shards of another targets file, a target in two shards, a
// single run's results, no --report-dir, and an OUT that is a shard's.
func TestMergeRefuses(t *testing.T) {
	_, shards := mergeFleet(t)
	other := slices.Clone(shards)
	other[1].TargetsDigest = "sha256:bb"
	twice := slices.Clone(shards)
	twice[2].Targets = append(slices.Clone(twice[2].Targets), twice[0].Targets[0])
	single := t.TempDir()
	rs := mergeRuns(t)
	if err := reports.WriteAll(context.Background(), rs["ok"], reports.DefaultFiles(single)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args func(dirs []string, out string) []string
		docs []reports.Fleet
		want []string
	}{
		{"another targets file", func(d []string, out string) []string { return append(d, "--report-dir", out) }, other, []string{"shard1/results.json", "shard2/results.json", "targets file"}},
		{"a target twice", func(d []string, out string) []string { return append(d, "--report-dir", out) }, twice, []string{"shard1/results.json", "shard3/results.json", `"b" twice`}},
		{"a single run", func(d []string, out string) []string { return []string{d[0], single, "--report-dir", out} }, shards, []string{single, "not a fleet"}},
		{"no --report-dir", func(d []string, out string) []string { return d }, shards, []string{"--report-dir"}},
		{"no shard", func(d []string, out string) []string { return []string{"--report-dir", out} }, shards, []string{"no shard"}},
		{"OUT is a shard", func(d []string, out string) []string { return append(d, "--report-dir", d[1]) }, shards, []string{"write over"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dirs := writeShards(t, tc.docs)
			out := filepath.Join(t.TempDir(), "fleet")
			r := merge(t, tc.args(dirs, out)...)
			if r.code != exitUsage {
				t.Fatalf("exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
			}
			if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 {
				t.Errorf("not one line:\n%s", r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("%q does not say %q", r.stderr, w)
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a refused merge wrote reports")
			}
		})
	}
}
