package reports_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/reports"
)

// sharded splits a fleet into its shards as a sharded run writes them:
// each shard's document with the whole Assigned list, its own targets.
func sharded(f reports.Fleet, shardOf map[string]int, n int) []reports.ShardFile {
	var out []reports.ShardFile
	for k := 1; k <= n; k++ {
		s := f
		s.Shard = &reports.Shard{K: k, N: n}
		s.Assigned = nil
		for _, a := range f.Assigned {
			s.Assigned = append(s.Assigned, reports.Assigned{Name: a.Name, Shard: shardOf[a.Name]})
		}
		s.Targets = nil
		for _, t := range f.Targets {
			if shardOf[t.Name] == k {
				s.Targets = append(s.Targets, t)
			}
		}
		s.Tally()
		out = append(out, reports.ShardFile{Path: "shard" + string(rune('0'+k)) + "/results.json", Doc: reports.Document{Fleet: &s}})
	}
	return out
}

// unrun is the merge's ERROR section of a target without results.
func unrun(reason string) reports.Run { return reports.ErrorRun(reason, "test", cases.Catalogue()) }

// fiveTargets: a conformant fleet of five, three shards.
func fiveTargets(t *testing.T) (reports.Fleet, map[string]int) {
	ok := runs(t)["ok"]
	f := fleetOf(t, "a", ok, "b", ok, "c", ok, "d", ok, "e", ok)
	return f, map[string]int{"a": 2, "b": 1, "c": 3, "d": 2, "e": 1}
}

// TestMergeEqualsTheWhole: three shards, given in any order, merge into
// the unsharded fleet: targets in the order of Assigned, the shards
// listed, Shard nil, the fleet tallied.
func TestMergeEqualsTheWhole(t *testing.T) {
	whole, shardOf := fiveTargets(t)
	whole.Targets[3].Run = runs(t)["faulty"]
	whole.Tally()
	files := sharded(whole, shardOf, 3)
	files[0], files[2] = files[2], files[0]
	m, err := reports.MergeShards(files, unrun)
	if err != nil {
		t.Fatal(err)
	}
	if d := reports.SameFleet(whole, m); len(d) > 0 {
		t.Errorf("the merge differs from the whole: %v", d)
	}
	var names []string
	for _, tg := range m.Targets {
		names = append(names, tg.Name)
	}
	if !slices.Equal(names, []string{"a", "b", "c", "d", "e"}) || m.Shard != nil || len(m.Shards) != 3 || m.Shards[0].K != 1 || len(m.Missing) != 0 {
		t.Errorf("targets %v, shard %v, shards %v, missing %v", names, m.Shard, m.Shards, m.Missing)
	}
	if m.Summary.ExitCode != 1 || !slices.Equal(m.Summary.Worst, []string{"d"}) {
		t.Errorf("summary %+v", m.Summary)
	}
}

// TestMergeMissingShard: a shard that did not come is an ERROR for each
// target assigned to it ("shard K/N missing: no results"), and the fleet's
// exit code is at least an error's in the documented order.
func TestMergeMissingShard(t *testing.T) {
	whole, shardOf := fiveTargets(t)
	files := sharded(whole, shardOf, 3)
	m, err := reports.MergeShards([]reports.ShardFile{files[0], files[2]}, unrun)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Missing) != 1 || m.Missing[0] != (reports.Shard{K: 2, N: 3}) || len(m.Targets) != 5 {
		t.Fatalf("missing %v, %d targets", m.Missing, len(m.Targets))
	}
	for _, name := range []string{"a", "d"} {
		sec, ok := m.Section(name)
		if !ok {
			t.Fatalf("no section for %s", name)
		}
		r := sec.Run
		if r.Summary.ExitCode != reports.ExitUnreachable || r.Summary.Error == 0 || r.Summary.Error != r.Summary.Total ||
			!strings.Contains(r.Preflight.Error, "shard 2/3 missing: no results") || !strings.Contains(r.Cases[0].Message, "shard 2/3 missing: no results") {
			t.Errorf("%s: %+v; preflight %q", name, r.Summary, r.Preflight.Error)
		}
	}
	if m.Summary.ExitCode != reports.ExitUnreachable || !slices.Equal(m.Summary.Worst, []string{"a", "d"}) {
		t.Errorf("summary %+v", m.Summary)
	}
	// A failure elsewhere outranks the missing shard (1 before 3).
	whole.Targets[1].Run = runs(t)["faulty"]
	whole.Tally()
	files = sharded(whole, shardOf, 3)
	if m, err = reports.MergeShards([]reports.ShardFile{files[0], files[2]}, unrun); err != nil || m.Summary.ExitCode != 1 {
		t.Errorf("with b failing: exit %d, %v", m.Summary.ExitCode, err)
	}
}

// TestMergeRefuses: shards of different catalogues, target files or
// schemas, a target twice, a shard twice, different N, and a document
// that is not a fleet shard: refused, one line naming the two files (or
// the one).
func TestMergeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(fs []reports.ShardFile)
		want   []string
	}{
		{"catalogue", func(fs []reports.ShardFile) { fs[1].Doc.Fleet.Catalogue = "sha256:other" }, []string{"shard1/results.json", "shard2/results.json", "catalogue"}},
		{"targets file", func(fs []reports.ShardFile) { fs[2].Doc.Fleet.TargetsDigest = "sha256:other" }, []string{"shard1/results.json", "shard3/results.json", "targets"}},
		{"schema", func(fs []reports.ShardFile) { fs[1].Doc.Fleet.Schema = "conform.results/v3" }, []string{"shard1/results.json", "shard2/results.json", "schema"}},
		{"a target twice", func(fs []reports.ShardFile) {
			fs[1].Doc.Fleet.Targets = append(fs[1].Doc.Fleet.Targets, fs[0].Doc.Fleet.Targets[0])
		}, []string{"shard1/results.json", "shard2/results.json", "twice"}},
		{"a shard twice", func(fs []reports.ShardFile) { fs[2] = fs[0]; fs[2].Path = "again/results.json" }, []string{"shard1/results.json", "again/results.json", "1/3"}},
		{"another N", func(fs []reports.ShardFile) { fs[2].Doc.Fleet.Shard = &reports.Shard{K: 3, N: 4} }, []string{"shard1/results.json", "shard3/results.json", "3/4"}},
		{"a single run", func(fs []reports.ShardFile) { r := runs(t)["ok"]; fs[1].Doc = reports.Document{Run: &r} }, []string{"shard2/results.json", "not a fleet"}},
		{"an unsharded fleet", func(fs []reports.ShardFile) { fs[1].Doc.Fleet.Shard = nil }, []string{"shard2/results.json", "not a shard"}},
		{"a target of another shard", func(fs []reports.ShardFile) {
			fs[0].Doc.Fleet.Targets = append(fs[0].Doc.Fleet.Targets, fs[1].Doc.Fleet.Targets[0])
			fs[1].Doc.Fleet.Targets = fs[1].Doc.Fleet.Targets[1:]
		}, []string{"shard1/results.json", "shard 2"}},
		{"an unsafe name", func(fs []reports.ShardFile) {
			fs[0].Doc.Fleet.Targets[0].Name = "../../etc"
			fs[0].Doc.Fleet.Assigned[1].Name = "../../etc"
		}, []string{"shard1/results.json", "file name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			whole, shardOf := fiveTargets(t)
			files := sharded(whole, shardOf, 3)
			// Each shard its own copy, to change.
			for i := range files {
				f := *files[i].Doc.Fleet
				f.Targets = slices.Clone(f.Targets)
				f.Assigned = slices.Clone(f.Assigned)
				files[i].Doc.Fleet = &f
			}
			tc.change(files)
			_, err := reports.MergeShards(files, unrun)
			if err == nil {
				t.Fatal("merged")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("not one line: %q", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not name %q", msg, w)
				}
			}
		})
	}
}
