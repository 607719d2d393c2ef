package fleet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/big"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roomconform/conform/reports"
)

func TestParse(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		name, doc string
		want      []Target // nil: an error is wanted
		err       string   // a part of the error
		hidden    string   // a text the error must not show
	}{
		{name: "yaml", doc: `
targets:
  - name: room-a
    url: ws://192.0.2.10:8765/
    web: http://192.0.2.10
    plan: free
    legacy: true
    allow-reconfigure: true
    baseline: known-a.txt
    secrets:
      CONFORM_ADMIN_PASSWORD: ROOM_A_ADMIN_PW
  - name: room.b_2
    url: wss://room-b.example:443/
`, want: []Target{
			{Name: "room-a", URL: "ws://192.0.2.10:8765/", Web: "http://192.0.2.10", Plan: "free", Legacy: &yes, AllowReconfigure: &yes,
				Baseline: "known-a.txt", Secrets: map[string]string{"CONFORM_ADMIN_PASSWORD": "ROOM_A_ADMIN_PW"}, Line: 3},
			{Name: "room.b_2", URL: "wss://room-b.example:443/", Line: 12},
		}},
		{name: "json", doc: `{"targets": [{"name": "a", "url": "ws://h:1/", "http": "http://h:8766", "secrets": {"CONFORM_USER_PIN": "A_PIN"}}]}`,
			want: []Target{{Name: "a", URL: "ws://h:1/", HTTP: "http://h:8766", Secrets: map[string]string{"CONFORM_USER_PIN": "A_PIN"}, Line: 1}}},
		{name: "empty list", doc: "targets: []\n", want: []Target{}},
		{name: "empty file", doc: "", err: "no targets"},
		{name: "not a mapping", doc: "- a\n", err: "line 1"},
		{name: "unknown top key", doc: "targets: []\ntarget: x\n", err: `line 2: unknown key "target"`},
		{name: "unknown entry key", doc: "targets:\n  - name: a\n    url: ws://h:1/\n    pasword: x\n", err: `line 4: unknown key "pasword"`, hidden: "x\n"},
		{name: "duplicate key", doc: "targets:\n  - name: a\n    name: b\n    url: ws://h:1/\n", err: `line 3: "name" given twice`},
		{name: "no url", doc: "targets:\n  - name: a\n", err: "line 2: a: url is required"},
		{name: "no name", doc: "targets:\n  - url: ws://h:1/\n", err: "line 2: name is required"},
		{name: "bad url scheme", doc: "targets:\n  - name: a\n    url: http://h:1/\n", err: "ws:// or wss://"},
		{name: "url with credentials", doc: "targets:\n  - name: a\n    url: ws://admin:hunter2@h:1/\n", err: "credentials", hidden: "hunter2"},
		{name: "bad web", doc: "targets:\n  - name: a\n    url: ws://h:1/\n    web: ws://h:2/\n", err: "web"},
		{name: "bad plan", doc: "targets:\n  - name: a\n    url: ws://h:1/\n    plan: gold\n", err: "plan"},
		{name: "bad bool", doc: "targets:\n  - name: a\n    url: ws://h:1/\n    legacy: maybe\n", err: "line 4: a: legacy must be true or false"},
		{name: "name with slash", doc: "targets:\n  - name: a/b\n    url: ws://h:1/\n", err: "line 2: name \"a/b\""},
		{name: "name dot dot", doc: "targets:\n  - name: ..\n    url: ws://h:1/\n", err: "line 2: name"},
		{name: "name dot", doc: "targets:\n  - name: .\n    url: ws://h:1/\n", err: "line 2: name"},
		{name: "name too long", doc: "targets:\n  - name: " + strings.Repeat("a", 65) + "\n    url: ws://h:1/\n", err: "line 2: name"},
		{name: "name of a fleet report", doc: "targets:\n  - name: results.json\n    url: ws://h:1/\n", err: "fleet's own reports"},
		{name: "duplicate name", doc: "targets:\n  - name: a\n    url: ws://h:1/\n  - name: a\n    url: ws://h:2/\n", err: "line 4: name \"a\" is also the name of the target at line 2"},
		{name: "duplicate name in other case", doc: "targets:\n  - name: Room\n    url: ws://h:1/\n  - name: room\n    url: ws://h:2/\n", err: "line 4"},
		{name: "secret key unknown", doc: "targets:\n  - name: a\n    url: ws://h:1/\n    secrets:\n      ADMIN_PASSWORD: X\n", err: `line 5: a: secrets: "ADMIN_PASSWORD" is not a secret variable`},
		{name: "secret key not a name", doc: "targets:\n  - name: a\n    url: ws://h:1/\n    secrets:\n      hunter2!: X\n", err: "line 5", hidden: "hunter2"},
		{name: "secret value is a secret", doc: "targets:\n  - name: a\n    url: ws://h:1/\n    secrets:\n      CONFORM_ADMIN_PASSWORD: 'S3cret!pw'\n", err: "line 5: a: secrets: CONFORM_ADMIN_PASSWORD: the value is not the name", hidden: "S3cret"},
		{name: "secret value lower case", doc: "targets:\n  - name: a\n    url: ws://h:1/\n    secrets:\n      CONFORM_ADMIN_PASSWORD: hunter2\n", err: "not the name", hidden: "hunter2"},
		{name: "secret value a number", doc: "targets:\n  - name: a\n    url: ws://h:1/\n    secrets:\n      CONFORM_USER_PIN: 4711\n", err: "not the name", hidden: "4711"},
		{name: "secret value a list", doc: "targets:\n  - name: a\n    url: ws://h:1/\n    secrets:\n      CONFORM_USER_PIN: [hunter2]\n", err: "not the name", hidden: "hunter2"},
		{name: "secrets not a mapping", doc: "targets:\n  - name: a\n    url: ws://h:1/\n    secrets: hunter2\n", err: "line 4: a: secrets must be a mapping", hidden: "hunter2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse([]byte(tc.doc), "t.yaml")
			if tc.want == nil {
				if err == nil {
					t.Fatalf("no error, want one with %q", tc.err)
				}
				if !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "t.yaml") {
					t.Errorf("error %q, want one starting with the file and holding %q", err, tc.err)
				}
				if tc.hidden != "" && strings.Contains(err.Error(), tc.hidden) {
					t.Errorf("the error shows %q: %s", tc.hidden, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Targets) != len(tc.want) {
				t.Fatalf("%d targets, want %d: %+v", len(f.Targets), len(tc.want), f.Targets)
			}
			for i, w := range tc.want {
				g := f.Targets[i]
				if g.Name != w.Name || g.URL != w.URL || g.Web != w.Web || g.HTTP != w.HTTP || g.Plan != w.Plan || g.Baseline != w.Baseline ||
					g.Line != w.Line || !sameBool(g.Legacy, w.Legacy) || !sameBool(g.AllowReconfigure, w.AllowReconfigure) || len(g.Secrets) != len(w.Secrets) {
					t.Errorf("target %d: %+v, want %+v", i, g, w)
				}
				for k, v := range w.Secrets {
					if g.Secrets[k] != v {
						t.Errorf("target %d: secrets[%s] = %q, want %q", i, k, g.Secrets[k], v)
					}
				}
			}
		})
	}
}

func sameBool(a, b *bool) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func TestLoadDigestAndBound(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "targets.yaml")
	doc := []byte("targets:\n  - name: a\n    url: ws://h:1/\n")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	// sha256 of the bytes above, computed apart (sha256sum).
	const want = "sha256:cc300ed7b4d943faa479d1f886d938a7978264d6b30128aa601138bbb275e8ab"
	if f.Digest != want {
		t.Errorf("digest %q, want %q", f.Digest, want)
	}
	other := append([]byte("# a comment\n"), doc...)
	if digestOf(other) == f.Digest {
		t.Error("two files, one digest")
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("a missing file: %v", err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: %v", err)
	}
}

func TestShardOfIsStableAndSpreads(t *testing.T) {
	// Pinned: the assignment is part of the CLI contract (docs: the first
	// 8 bytes of SHA-256(name), big-endian, mod N, plus 1).
	for _, tc := range []struct {
		name string
		n    int
		want int
	}{
		{"room-a", 1, 1},
	} {
		if got := ShardOf(tc.name, tc.n); got != tc.want || got < 1 || got > tc.n {
			t.Errorf("ShardOf(%q, %d) = %d, want %d", tc.name, tc.n, got, tc.want)
		}
	}
	// sha256sum of "room-a" is 3e64aaff6d5cc925...: 0x3e64aaff6d5cc925
	// mod 3 is 0, so shard 1 of 3; mod 5 is 0 too, mod 4 is 1: shard 2 of 4.
	if ShardOf("room-a", 3) != 1 || ShardOf("room-a", 4) != 2 {
		t.Errorf("ShardOf(room-a) = %d/3, %d/4; want 1/3, 2/4", ShardOf("room-a", 3), ShardOf("room-a", 4))
	}
	// The same arithmetic another way (big.Int over the hex digest).
	for _, name := range []string{"room-a", "room-b", "x", "a-very-long-name.with_dots"} {
		for _, n := range []int{1, 2, 3, 7, 100} {
			if got, want := ShardOf(name, n), shardByHex(t, name, n); got != want {
				t.Errorf("ShardOf(%q, %d) = %d, the hex digest says %d", name, n, got, want)
			}
		}
	}
	counts := map[int]int{}
	for i := range 300 {
		counts[ShardOf("room-"+string(rune('a'+i%26))+strings.Repeat("x", i/26), 3)]++
	}
	for k := 1; k <= 3; k++ {
		if counts[k] < 60 {
			t.Errorf("shard %d/3 got %d of 300 targets: %v", k, counts[k], counts)
		}
	}
}

func TestAssignKeepsOthersWhenTargetsAreAdded(t *testing.T) {
	var ts []Target
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		ts = append(ts, Target{Name: n})
	}
	before, _ := Assign(ts, &reports.Shard{K: 1, N: 3})
	more := append([]Target{{Name: "new-1"}}, append(ts, Target{Name: "new-2"})...)
	after, _ := Assign(more, &reports.Shard{K: 1, N: 3})
	shardOf := map[string]int{}
	for _, a := range after {
		shardOf[a.Name] = a.Shard
	}
	for _, a := range before {
		if shardOf[a.Name] != a.Shard {
			t.Errorf("%s moved from shard %d to %d when targets were added", a.Name, a.Shard, shardOf[a.Name])
		}
	}
	all, mine := Assign(ts, nil)
	if len(mine) != len(ts) || len(all) != len(ts) {
		t.Fatalf("unsharded: %d of %d run", len(mine), len(ts))
	}
	for _, a := range all {
		if a.Shard != 1 {
			t.Errorf("unsharded: %s in shard %d", a.Name, a.Shard)
		}
	}
	seen := map[string]bool{}
	for k := 1; k <= 3; k++ {
		_, mine := Assign(ts, &reports.Shard{K: k, N: 3})
		for i, m := range mine {
			if seen[m.Name] {
				t.Errorf("%s in two shards", m.Name)
			}
			seen[m.Name] = true
			if i > 0 && indexOf(ts, m.Name) < indexOf(ts, mine[i-1].Name) {
				t.Errorf("shard %d is not in file order", k)
			}
		}
	}
	if len(seen) != len(ts) {
		t.Errorf("%d of %d targets in some shard", len(seen), len(ts))
	}
}

func indexOf(ts []Target, name string) int {
	for i, t := range ts {
		if t.Name == name {
			return i
		}
	}
	return -1
}

func TestSelectShard(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flag  string
		total int
		env   map[string]string
		want  *reports.Shard
		err   string
	}{
		{name: "none", want: nil},
		{name: "flag", flag: "2/3", want: &reports.Shard{K: 2, N: 3}},
		{name: "flag wins over env", flag: "1/2", env: map[string]string{"CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "4"}, want: &reports.Shard{K: 1, N: 2}},
		{name: "flag 0", flag: "0/3", err: "--shard 0/3"},
		{name: "flag K > N", flag: "4/3", err: "--shard 4/3"},
		{name: "flag junk", flag: "two", err: "K/N"},
		{name: "flag and total", flag: "1/3", total: 3, err: "--shard-total"},
		{name: "gitlab", env: map[string]string{"CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "4"}, want: &reports.Shard{K: 3, N: 4}},
		{name: "gitlab index only", env: map[string]string{"CI_NODE_INDEX": "3"}, err: "CI_NODE_TOTAL"},
		{name: "gitlab job without parallel: total alone", env: map[string]string{"CI_NODE_TOTAL": "1"}, want: nil},
		{name: "gitlab index 0", env: map[string]string{"CI_NODE_INDEX": "0", "CI_NODE_TOTAL": "4"}, err: "CI_NODE_INDEX"},
		{name: "kubernetes", total: 5, env: map[string]string{"JOB_COMPLETION_INDEX": "0"}, want: &reports.Shard{K: 1, N: 5}},
		{name: "kubernetes last", total: 5, env: map[string]string{"JOB_COMPLETION_INDEX": "4"}, want: &reports.Shard{K: 5, N: 5}},
		{name: "kubernetes out of range", total: 5, env: map[string]string{"JOB_COMPLETION_INDEX": "5"}, err: "JOB_COMPLETION_INDEX"},
		{name: "kubernetes without total", env: map[string]string{"JOB_COMPLETION_INDEX": "2"}, err: "--shard-total"},
		{name: "total without index", total: 3, err: "JOB_COMPLETION_INDEX"},
		{name: "negative total", total: -1, env: map[string]string{"JOB_COMPLETION_INDEX": "0"}, err: "--shard-total"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SelectShard(tc.flag, tc.total, func(k string) string { return tc.env[k] })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "\n") {
					t.Errorf("error %v, want one line with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Errorf("shard %v, want %v", got, tc.want)
			}
		})
	}
}

func TestConflicts(t *testing.T) {
	hosts := map[string][]netip.Addr{
		"room-a.example": {netip.MustParseAddr("192.0.2.10")},
		"alias.example":  {netip.MustParseAddr("192.0.2.10")},
		"localhost":      {netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")},
		"v6.example":     {netip.MustParseAddr("::ffff:192.0.2.10")},
	}
	resolve := func(ctx context.Context, host string) ([]netip.Addr, error) {
		if a, ok := hosts[host]; ok {
			return a, nil
		}
		return nil, errors.New("no such host")
	}
	for _, tc := range []struct {
		name string
		ts   []Target
		err  string // "": no conflict
	}{
		{name: "distinct", ts: []Target{{Name: "a", URL: "ws://192.0.2.10:8765/"}, {Name: "b", URL: "ws://192.0.2.11:8765/"}}},
		{name: "distinct ports", ts: []Target{{Name: "a", URL: "ws://192.0.2.10:8765/"}, {Name: "b", URL: "ws://192.0.2.10:8766/"}}},
		{name: "same", ts: []Target{{Name: "a", URL: "ws://192.0.2.10:8765/"}, {Name: "b", URL: "ws://192.0.2.10:8765/x"}}, err: "a and b"},
		{name: "host case", ts: []Target{{Name: "a", URL: "ws://ROOM-A.example:1/"}, {Name: "b", URL: "ws://room-a.example:1/"}}, err: "a and b"},
		{name: "default port ws", ts: []Target{{Name: "a", URL: "ws://192.0.2.10/"}, {Name: "b", URL: "ws://192.0.2.10:80/"}}, err: "a and b"},
		{name: "default port wss", ts: []Target{{Name: "a", URL: "wss://192.0.2.10/"}, {Name: "b", URL: "wss://192.0.2.10:443/"}}, err: "a and b"},
		{name: "ws and wss defaults differ", ts: []Target{{Name: "a", URL: "ws://192.0.2.10/"}, {Name: "b", URL: "wss://192.0.2.10/"}}},
		{name: "dns alias", ts: []Target{{Name: "a", URL: "ws://room-a.example:1/"}, {Name: "b", URL: "ws://alias.example:1/"}}, err: "a and b"},
		{name: "dns to literal", ts: []Target{{Name: "a", URL: "ws://room-a.example:1/"}, {Name: "b", URL: "ws://192.0.2.10:1/"}}, err: "a and b"},
		{name: "v4-mapped", ts: []Target{{Name: "a", URL: "ws://v6.example:1/"}, {Name: "b", URL: "ws://192.0.2.10:1/"}}, err: "a and b"},
		{name: "localhost", ts: []Target{{Name: "a", URL: "ws://localhost:1/"}, {Name: "b", URL: "ws://[::1]:1/"}}, err: "a and b"},
		{name: "web of one is url of other", ts: []Target{{Name: "a", URL: "ws://192.0.2.10:1/", Web: "http://192.0.2.11:80"}, {Name: "b", URL: "ws://192.0.2.11/"}}, err: "a and b"},
		{name: "one entry's own web and url may share", ts: []Target{{Name: "a", URL: "ws://192.0.2.10:80/", Web: "http://192.0.2.10/"}}},
		{name: "unresolvable is not a conflict", ts: []Target{{Name: "a", URL: "ws://nowhere.invalid:1/"}, {Name: "b", URL: "ws://elsewhere.invalid:1/"}}},
		{name: "unresolvable same name", ts: []Target{{Name: "a", URL: "ws://nowhere.invalid:1/"}, {Name: "b", URL: "ws://NOWHERE.invalid.:1/"}}, err: "a and b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckConflicts(context.Background(), tc.ts, resolve)
			if tc.err == "" {
				if err != nil {
					t.Errorf("conflict: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line with %q", err, tc.err)
			}
		})
	}
}

// TestConflictsBoundTheResolver: a resolver that never answers costs the
// bound, not the run.
func TestConflictsBoundTheResolver(t *testing.T) {
	stuck := func(ctx context.Context, host string) ([]netip.Addr, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the bound has passed: every lookup ends at once
	ts := []Target{{Name: "a", URL: "ws://a.example:1/"}, {Name: "b", URL: "ws://b.example:1/"}}
	if err := CheckConflicts(ctx, ts, stuck); err != nil {
		t.Errorf("unresolved hosts: %v", err)
	}
}

func TestParallel(t *testing.T) {
	plenty := Limits{OpenFiles: 1 << 20, Memory: 1 << 40}
	for _, tc := range []struct {
		name      string
		requested int
		lim       Limits
		targets   int
		want      int
		err       string
	}{
		{name: "default", lim: plenty, targets: 100, want: DefaultParallel},
		{name: "default, few targets", lim: plenty, targets: 3, want: 3},
		{name: "default shrinks to the open-files limit", lim: Limits{OpenFiles: FilesReserve + 3*FilesPerTarget, Memory: 1 << 40}, targets: 100, want: 3},
		{name: "default shrinks to the memory", lim: Limits{OpenFiles: 1 << 20, Memory: MemoryReserve + 2*MemoryPerTarget}, targets: 100, want: 2},
		{name: "memory unknown", lim: Limits{OpenFiles: 1 << 20}, targets: 100, want: DefaultParallel},
		{name: "explicit", requested: 50, lim: plenty, targets: 100, want: 50},
		{name: "explicit over the open-files limit", requested: 500, lim: Limits{OpenFiles: 1024, Memory: 1 << 40}, targets: 500,
			err: "500 targets at once need about 4064 open files (8 a target and 64 for the process); the open-files limit (ulimit -n) is 1024: run at most 120 at once"},
		{name: "explicit over the memory", requested: 500, lim: Limits{OpenFiles: 1 << 20, Memory: 2 << 30}, targets: 500,
			err: "500 targets at once need about 12128 MiB of memory (24 MiB a target and 128 for the process); 2048 MiB are available (the container's limit or the system's free memory): run at most 80 at once"},
		{name: "open-files too low for one", lim: Limits{OpenFiles: FilesReserve, Memory: 1 << 40}, targets: 5, err: "open-files limit"},
		{name: "memory too low for one", lim: Limits{OpenFiles: 1 << 20, Memory: MemoryReserve}, targets: 5, err: "of memory"},
		{name: "negative", requested: -1, lim: plenty, targets: 5, err: "--parallel"},
		{name: "empty shard", lim: plenty, targets: 0, want: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parallel(tc.requested, tc.targets, tc.lim)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "\n") {
					t.Errorf("error %v, want one line with %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("Parallel = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

// TestMemoryLimit: the container's limit (cgroup v2, then v1) and the
// system's available memory, the lower; "max" is no limit.
func TestMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	saved, savedInfo := cgroupFiles, meminfo
	t.Cleanup(func() { cgroupFiles, meminfo = saved, savedInfo })
	info := write("meminfo", "MemTotal:       24000000 kB\nMemAvailable:    8388608 kB\n")
	for _, tc := range []struct {
		name                  string
		v2, v1                string
		wantLimit, wantCgroup uint64
	}{
		{"no container", "", "", 8 << 30, 0},
		{"v2 limit", "536870912\n", "", 512 << 20, 512 << 20},
		{"v2 max, v1 limit", "max\n", "1073741824\n", 1 << 30, 1 << 30},
		{"v1 unlimited", "", "9223372036854771712\n", 8 << 30, 0},
		{"container above the available memory", "17179869184\n", "", 8 << 30, 16 << 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cgroupFiles = []string{filepath.Join(dir, "absent-v2"), filepath.Join(dir, "absent-v1")}
			if tc.v2 != "" {
				cgroupFiles[0] = write("v2", tc.v2)
			}
			if tc.v1 != "" {
				cgroupFiles[1] = write("v1", tc.v1)
			}
			meminfo = info
			limit, cgroup := MemoryLimit()
			if limit != tc.wantLimit || cgroup != tc.wantCgroup {
				t.Errorf("MemoryLimit = %d, %d; want %d, %d", limit, cgroup, tc.wantLimit, tc.wantCgroup)
			}
		})
	}
}

// shardByHex is ShardOf computed from the hex digest with big.Int.
func shardByHex(t *testing.T, name string, n int) int {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	v, ok := new(big.Int).SetString(hex.EncodeToString(sum[:8]), 16)
	if !ok {
		t.Fatal("hex")
	}
	return int(new(big.Int).Mod(v, big.NewInt(int64(n))).Int64()) + 1
}
