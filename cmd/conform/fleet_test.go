package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/fleet"
	"github.com/roomconform/conform/internal/memnet"
	"github.com/roomconform/conform/refserver"
	"github.com/roomconform/conform/reports"
)

// The fleet route (`conform run --targets FILE`) in-process, over an
// in-process network: each target a reference server with its own
// secrets, a small selection of cases (the point is the fleet, not the
// catalogue).

// fleetCases are the cases the fleet tests run: cheap, and the second
// fails against the fault failure-grants-admin.
var fleetCases = []string{"--case", "auth-admin-success-fields", "--case", "fail-wrong-admin-password"}

// wireLog records every byte a reference server receives, connection by
// connection.
type wireLog struct {
	mu    sync.Mutex
	conns []*bytes.Buffer
}

// listen is mem.Listen with every accepted connection recorded.
func (w *wireLog) listen(mem *memnet.Network) func(network, addr string) (net.Listener, error) {
	return func(network, addr string) (net.Listener, error) {
		l, err := mem.Listen(network, addr)
		if err != nil {
			return nil, err
		}
		return recListener{Listener: l, log: w}, nil
	}
}

type recListener struct {
	net.Listener
	log *wireLog
}

func (l recListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.log.mu.Lock()
	buf := &bytes.Buffer{}
	l.log.conns = append(l.log.conns, buf)
	l.log.mu.Unlock()
	return &recConn{Conn: c, log: l.log, buf: buf}, nil
}

type recConn struct {
	net.Conn
	log *wireLog
	buf *bytes.Buffer
}

func (c *recConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.log.mu.Lock()
	if c.buf.Len() < 8<<20 {
		c.buf.Write(p[:n])
	}
	c.log.mu.Unlock()
	return n, err
}

// connections is how many connections the server accepted.
func (w *wireLog) connections() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.conns)
}

// text is everything the server received, each WebSocket connection's
// frames unmasked (a client masks what it sends, so a secret is not in the
// raw bytes).
func (w *wireLog) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b strings.Builder
	for _, c := range w.conns {
		raw := c.Bytes()
		head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
		b.Write(head)
		b.WriteByte('\n')
		if ok && bytes.Contains(bytes.ToLower(head), []byte("upgrade: websocket")) {
			b.Write(unmaskFrames(body))
		} else {
			b.Write(body)
		}
	}
	return b.String()
}

// unmaskFrames returns the payloads of the WebSocket frames in b, one a
// line, unmasked.
func unmaskFrames(b []byte) []byte {
	var out []byte
	for len(b) >= 2 {
		masked, n := b[1]&0x80 != 0, uint64(b[1]&0x7f)
		b = b[2:]
		switch n {
		case 126:
			if len(b) < 2 {
				return out
			}
			n, b = uint64(binary.BigEndian.Uint16(b)), b[2:]
		case 127:
			if len(b) < 8 {
				return out
			}
			n, b = binary.BigEndian.Uint64(b), b[8:]
		}
		var key []byte
		if masked {
			if len(b) < 4 {
				return out
			}
			key, b = b[:4], b[4:]
		}
		n = min(n, uint64(len(b)))
		for i := range n {
			c := b[i]
			if masked {
				c ^= key[i%4]
			}
			out = append(out, c)
		}
		out, b = append(out, '\n'), b[n:]
	}
	return out
}

// fleetServer is a reference server of a fleet test on mem, recorded.
type fleetServer struct {
	name string
	srv  *refserver.Running
	sec  refserver.Secrets
	log  *wireLog
}

// canaries are the server's operator secrets, distinct per name.
func canaries(i int) refserver.Secrets {
	return refserver.Secrets{
		AdminPassword: fmt.Sprintf("Canary%02dAdminPw-Qx", i),
		AdminPIN:      fmt.Sprintf("Zq%02dwv", i),
		UserPIN:       fmt.Sprintf("Yk%02dpf", i),
	}
}

func startFleetServer(t *testing.T, mem *memnet.Network, name string, sec refserver.Secrets, faults ...string) *fleetServer {
	t.Helper()
	log := &wireLog{}
	srv, err := refserver.Start("127.0.0.1:0", refserver.Options{Secrets: sec, Faults: faults, Listen: log.listen(mem)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &fleetServer{name: name, srv: srv, sec: srv.Server.Secrets(), log: log}
}

// secretVars maps the server's secrets to variables named after prefix,
// and returns the YAML of the mapping and the variables' KEY=VALUE.
func secretVars(prefix string, sec refserver.Secrets) (yaml string, env []string) {
	for _, s := range []struct{ conform, v string }{
		{"CONFORM_ADMIN_PASSWORD", sec.AdminPassword}, {"CONFORM_ADMIN_PIN", sec.AdminPIN}, {"CONFORM_USER_PIN", sec.UserPIN},
	} {
		if s.v == "" {
			continue
		}
		name := prefix + "_" + strings.TrimPrefix(s.conform, "CONFORM_")
		yaml += fmt.Sprintf("      %s: %s\n", s.conform, name)
		env = append(env, name+"="+s.v)
	}
	return "    secrets:\n" + yaml, env
}

// fakeResolver resolves the names of the map, and nothing else.
func fakeResolver(hosts map[string]string) fleet.Resolver {
	return func(ctx context.Context, host string) ([]netip.Addr, error) {
		if a, ok := hosts[host]; ok {
			return []netip.Addr{netip.MustParseAddr(a)}, nil
		}
		return nil, fmt.Errorf("lookup %s: no such host", host)
	}
}

// fleetIn runs `conform run` (args) in-process with the fleet's deps over
// mem, the environment env on top of a clean one.
func fleetIn(t *testing.T, ctx context.Context, deps fleetDeps, env []string, args ...string) result {
	t.Helper()
	vars := map[string]string{}
	for _, kv := range append(cleanEnv(), env...) {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	var out, errOut bytes.Buffer
	start := time.Now()
	code := fleetRun(ctx, args[1:], &out, &errOut, getenvOnly(func(k string) string { return vars[k] }), deps)
	return result{code: code, stdout: out.String(), stderr: errOut.String(), elapsed: time.Since(start)}
}

// memDeps are a fleet's deps over mem: no signals (the test interrupts
// with its context), a resolver of hosts.
func memDeps(mem *memnet.Network, hosts map[string]string) fleetDeps {
	return fleetDeps{
		exec: conductor.InProcess{InMemory: true, Dial: mem.DialContext}, resolve: fakeResolver(hosts),
		limits: func() (fleet.Limits, error) { return fleet.Limits{OpenFiles: 1 << 16, Memory: 1 << 40}, nil },
	}
}

func writeTargets(t *testing.T, doc string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "targets.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFleet(t *testing.T, dir string) reports.Fleet {
	t.Helper()
	doc, err := reports.ReadResults(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Fleet == nil {
		t.Fatalf("%s/results.json is not a fleet's", dir)
	}
	return *doc.Fleet
}

// freePort is a port of 1..1023 on which nothing of mem listens.
func freePort(t *testing.T, mem *memnet.Network) int {
	t.Helper()
	for p := 1023; p > 0; p-- {
		c, err := mem.DialContext(context.Background(), "tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			return p
		}
		c.Close()
	}
	t.Fatal("no free port")
	return 0
}

// TestFleetRun: a fleet of twelve targets (eleven reference servers, one
// address nobody listens on): eight healthy, one of them naming no
// secrets while the global CONFORM_* secrets are its own; one with a
// fault; one whose mapped variable is not set; one whose baseline cannot
// be read (its configuration error, not the fleet's). Every section's verdict,
// the exit code (1: the faulty one), and the secrets: none appears in any
// output or file, and no server receives another's (nor the one naming
// none the global ones).
func TestFleetRun(t *testing.T) {
	t.Parallel()
	mem := memnet.New()
	var doc strings.Builder
	doc.WriteString("targets:\n")
	var env []string
	var servers []*fleetServer
	var needles []string
	for i := range 11 {
		name := fmt.Sprintf("room-%02d", i)
		var faults []string
		if name == "room-08" {
			faults = []string{"failure-grants-admin"}
		}
		s := startFleetServer(t, mem, name, canaries(i), faults...)
		servers = append(servers, s)
		needles = append(needles, s.sec.AdminPassword, s.sec.AdminPIN, s.sec.UserPIN)
		fmt.Fprintf(&doc, "  - name: %s\n    url: %s\n    web: %s\n", name, s.srv.URL, s.srv.WebURL)
		switch name {
		case "room-05":
			// No secrets: the global ones are this server's, and must not
			// reach it.
			env = append(env, "CONFORM_ADMIN_PASSWORD="+s.sec.AdminPassword, "CONFORM_USER_PIN="+s.sec.UserPIN)
		case "room-09":
			doc.WriteString("    secrets:\n      CONFORM_ADMIN_PASSWORD: ROOM_09_NOT_SET\n")
		case "room-10":
			// Its own field is wrong: its configuration error, not the fleet's.
			doc.WriteString("    baseline: no-such-baseline.txt\n")
			y, e := secretVars("ROOM_10", s.sec)
			doc.WriteString(y)
			env = append(env, e...)
		default:
			y, e := secretVars(strings.ToUpper(strings.ReplaceAll(name, "-", "_")), s.sec)
			doc.WriteString(y)
			env = append(env, e...)
		}
	}
	fmt.Fprintf(&doc, "  - name: gone\n    url: ws://127.0.0.1:%d/\n", freePort(t, mem))
	path := writeTargets(t, doc.String())
	dir := t.TempDir()
	r := fleetIn(t, context.Background(), memDeps(mem, nil), env,
		append([]string{"run", "--targets", path, "--report-dir", dir, "--response-timeout", "2s", "--seed", "7"}, fleetCases...)...)
	r.dir = dir
	if r.code != exitFailed {
		t.Errorf("exit %d, want 1 (room-08 is not conformant)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	f := readFleet(t, dir)
	b, _ := os.ReadFile(path)
	sum := sha256.Sum256(b)
	if f.Kind != reports.KindFleet || f.TargetsDigest != "sha256:"+hex.EncodeToString(sum[:]) || f.Catalogue != reports.CatalogueDigest(cases.Catalogue()) || f.Shard != nil {
		t.Errorf("fleet: kind %q, digest %q, catalogue %q, shard %v", f.Kind, f.TargetsDigest, f.Catalogue, f.Shard)
	}
	if len(f.Assigned) != 12 || len(f.Targets) != 12 {
		t.Fatalf("%d assigned, %d sections, want 12", len(f.Assigned), len(f.Targets))
	}
	want := map[string]int{"room-05": exitIncomplete, "room-08": exitFailed, "room-09": exitUsage, "room-10": exitUsage, "gone": exitUnreachable}
	for i, s := range f.Targets {
		if s.Name != f.Assigned[i].Name || f.Assigned[i].Shard != 1 {
			t.Errorf("section %d is %s, assigned %+v: not in the file's order", i, s.Name, f.Assigned[i])
		}
		code, ok := want[s.Name]
		if !ok {
			code = exitOK
		}
		if s.Run.Summary.ExitCode != code {
			t.Errorf("%s: %s (exit %d), want exit %d: %q %s", s.Name, s.Run.Summary.Verdict, s.Run.Summary.ExitCode, code, s.Run.Summary.Why, s.Run.Preflight.Error)
		}
		if s.Dir != s.Name {
			t.Errorf("%s: dir %q", s.Name, s.Dir)
		}
		var own reports.Run
		readJSON(t, filepath.Join(dir, s.Name, "results.json"), &own)
		if own.Summary.Verdict != s.Run.Summary.Verdict {
			t.Errorf("%s: its own results.json says %q, the fleet's section %q", s.Name, own.Summary.Verdict, s.Run.Summary.Verdict)
		}
		if !strings.Contains(r.stdout, s.Name+" ") {
			t.Errorf("the console has no line for %s", s.Name)
		}
	}
	if s, _ := f.Section("room-09"); !strings.Contains(s.Run.Preflight.Error, "the variable named for CONFORM_ADMIN_PASSWORD (the entry at line") ||
		strings.Contains(s.Run.Preflight.Error, "ROOM_09_NOT_SET") || s.Run.Summary.Verdict != "configuration error" ||
		len(s.Run.Summary.Why) == 0 || !strings.Contains(s.Run.Summary.Why[0], "CONFORM_ADMIN_PASSWORD") {
		t.Errorf("room-09: %q %q %q, want a configuration error naming the secret and the entry's line, not the variable's name (it may be a secret mistaken for one)", s.Run.Summary.Verdict, s.Run.Preflight.Error, s.Run.Summary.Why)
	}
	if s, _ := f.Section("gone"); s.Run.Summary.Error == 0 {
		t.Errorf("gone: %+v, want ERROR cases", s.Run.Summary)
	}
	if s, _ := f.Section("room-10"); !strings.Contains(s.Run.Preflight.Error, "no-such-baseline.txt") || s.Run.Summary.Verdict != "configuration error" {
		t.Errorf("room-10: %q %q, want a configuration error naming its baseline", s.Run.Summary.Verdict, s.Run.Preflight.Error)
	}
	if f.Summary.ExitCode != exitFailed || !slices.Equal(f.Summary.Worst, []string{"room-08"}) || f.Summary.Targets != 12 {
		t.Errorf("fleet summary %+v", f.Summary)
	}
	if !strings.Contains(r.stdout, "12 targets") || !strings.Contains(r.stdout, "fleet: not conformant") {
		t.Errorf("console:\n%s", r.stdout)
	}
	// No secret of any target anywhere: the console, the fleet's files,
	// every target's files (a target's own secrets are redacted there too).
	noLeak(t, r, needles...)
	// On the wire: each server got its own secrets only; room-05 (no
	// secrets named) none, room-09 (its variable unset) no connection.
	for i, s := range servers {
		got := strings.ToLower(s.log.text())
		for j, o := range servers {
			for _, v := range []string{o.sec.AdminPassword, o.sec.AdminPIN, o.sec.UserPIN} {
				if strings.Contains(got, strings.ToLower(v)) && (i != j || s.name == "room-05") {
					t.Errorf("%s received %s's secret", s.name, o.name)
				}
			}
		}
		switch s.name {
		case "room-09", "room-10":
			if n := s.log.connections(); n != 0 {
				t.Errorf("%s (misconfigured) got %d connections", s.name, n)
			}
		case "room-05":
		default:
			// The control: the recording sees secrets at all.
			if !strings.Contains(got, strings.ToLower(s.sec.AdminPassword)) {
				t.Errorf("%s never received its admin password: the wire check proves nothing", s.name)
			}
		}
	}
	checkFleetReports(t, dir, f)

	// The same fleet in three shards, merged: the fleet run in one piece,
	// case for case (SameFleet), and the merge's exit code the fleet's.
	var merge []string
	for k := 1; k <= 3; k++ {
		sd := t.TempDir()
		rs := fleetIn(t, context.Background(), memDeps(mem, nil), env, append([]string{"run", "--targets", path, "--report-dir", sd,
			"--response-timeout", "2s", "--seed", "7", "--shard", fmt.Sprintf("%d/3", k)}, fleetCases...)...)
		if rs.code == exitUsage {
			t.Fatalf("shard %d/3: exit 2\n%s", k, rs.stderr)
		}
		merge = append(merge, sd)
	}
	out := t.TempDir()
	var mo, me bytes.Buffer
	if code := mergeCmd(append(merge, "--report-dir", out), &mo, &me, func(string) string { return "" }); code != exitFailed {
		t.Errorf("merge: exit %d, want 1\n%s%s", code, mo.String(), me.String())
	}
	merged := readFleet(t, out)
	if d := reports.SameFleet(f, merged); len(d) > 0 {
		t.Errorf("3 shards merged differ from the fleet in one run:\n%s", strings.Join(d, "\n"))
	}
	checkFleetReports(t, out, merged)
	// A section has no transcripts (they are in the target's own
	// results.json); the merge makes each target's reports from its own,
	// transcripts and all.
	for _, fl := range []reports.Fleet{f, merged} {
		for _, sec := range fl.Targets {
			for _, c := range sec.Run.Cases {
				if len(c.Transcript) > 0 {
					t.Errorf("%s: case %s has a transcript in its section", sec.Name, c.ID)
				}
			}
		}
	}
	var own reports.Run
	readJSON(t, filepath.Join(out, "room-08", "results.json"), &own)
	if len(own.Cases) == 0 || len(own.Cases[0].Transcript) == 0 {
		t.Errorf("the merged room-08/results.json has no transcript: %+v", own.Cases)
	}
}

// checkFleetReports checks a fleet's junit.xml (a testsuite per target,
// named by it, failing where its section fails), report.html and
// summary.md (a row per target) in dir.
func checkFleetReports(t *testing.T, dir string, f reports.Fleet) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var ju reporters.JUnitTestSuites
	if err := xml.Unmarshal(b, &ju); err != nil {
		t.Fatalf("%s/junit.xml: %v", dir, err)
	}
	if len(ju.TestSuites) != len(f.Targets) {
		t.Fatalf("%s/junit.xml: %d testsuites, want one per target (%d)", dir, len(ju.TestSuites), len(f.Targets))
	}
	for i, s := range ju.TestSuites {
		sec := f.Targets[i]
		if s.Name != sec.Name {
			t.Errorf("testsuite %d is %q, want %q", i, s.Name, sec.Name)
		}
		if bad := s.Failures + s.Errors; (bad > 0) != (sec.Run.Summary.ExitCode != exitOK) {
			t.Errorf("testsuite %s: %d failures, %d errors; its section exits %d", s.Name, s.Failures, s.Errors, sec.Run.Summary.ExitCode)
		}
	}
	for _, name := range []string{"report.html", "summary.md"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range f.Targets {
			if !bytes.Contains(b, []byte(sec.Name)) {
				t.Errorf("%s has no row for %s", name, sec.Name)
			}
		}
	}
}

// TestFleetUsageErrors: a targets file or flags that cannot make a fleet
// end before anything is sent, exit 2, one line.
func TestFleetUsageErrors(t *testing.T) {
	t.Parallel()
	mem := memnet.New()
	s := startFleetServer(t, mem, "a", canaries(0))
	port := strings.TrimPrefix(s.srv.URL[strings.LastIndex(s.srv.URL, ":"):], ":")
	entry := func(name, url string) string { return fmt.Sprintf("  - name: %s\n    url: %s\n", name, url) }
	good := "targets:\n" + entry("a", s.srv.URL)
	for _, tc := range []struct {
		name, doc string
		env       []string
		args      []string
		want      string
		hidden    string
	}{
		{name: "same host and port", doc: "targets:\n" + entry("a", s.srv.URL) + entry("b", s.srv.URL), want: "targets a and b are the same device"},
		{name: "same address by name", doc: "targets:\n" + entry("a", s.srv.URL) + entry("b", "ws://Room-Host.test:"+port), want: "targets a and b are the same device"},
		{name: "bad name", doc: "targets:\n" + entry("../etc", s.srv.URL), want: "line 2: name"},
		{name: "duplicate name", doc: "targets:\n" + entry("a", s.srv.URL) + entry("a", "ws://192.0.2.1:1/"), want: "line 4: name \"a\""},
		{name: "unknown key", doc: good + "    plann: free\n", want: "line 4: unknown key \"plann\""},
		{name: "secret in the file", doc: good + "    secrets:\n      CONFORM_ADMIN_PASSWORD: 'Canary00AdminPw-Qx'\n", want: "not the name of an environment variable", hidden: "Canary00"},
		{name: "missing file", doc: "", args: []string{"--targets", "/nonexistent/targets.yaml"}, want: "targets.yaml"},
		{name: "--target too", doc: good, args: []string{"--target", s.srv.URL}, want: "--target"},
		{name: "CONFORM_TARGET too", doc: good, env: []string{"CONFORM_TARGET=" + s.srv.URL}, want: "CONFORM_TARGET (in the environment) does not go with --targets"},
		{name: "bad shard", doc: good, args: []string{"--shard", "4/3"}, want: "--shard 4/3"},
		{name: "index without total", doc: good, env: []string{"JOB_COMPLETION_INDEX=1"}, want: "--shard-total"},
		{name: "parallel over the open-files limit", doc: good, args: []string{"--parallel", "100"}, want: "open-files limit (ulimit -n) is 70"},
		{name: "ginkgo flags", doc: good, args: []string{"--", "--ginkgo.v"}, want: "Ginkgo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"run", "--report-dir", t.TempDir()}
			if tc.doc != "" {
				args = append(args, "--targets", writeTargets(t, tc.doc))
			}
			args = append(args, tc.args...)
			deps := memDeps(mem, map[string]string{"room-host.test": "127.0.0.1"})
			// Room for no target's files (the reserve and 6), for every target's memory.
			deps.limits = func() (fleet.Limits, error) { return fleet.Limits{OpenFiles: 70, Memory: 1 << 40}, nil }
			r := fleetIn(t, context.Background(), deps, tc.env, args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("exit %d, want 2 and one line with %q:\n%s%s", r.code, tc.want, r.stdout, r.stderr)
			}
			if tc.hidden != "" && strings.Contains(r.stdout+r.stderr, tc.hidden) {
				t.Errorf("the output shows %q", tc.hidden)
			}
		})
	}
	if n := s.log.connections(); n != 0 {
		t.Errorf("the server got %d connections from runs that were refused", n)
	}
	// --parallel without --targets is a single run's mistake.
	r, _ := inProcessOver(t, mem, nil, "run", "--target", s.srv.URL, "--parallel", "2", "--report-dir", t.TempDir())
	if r.code != exitUsage || !strings.Contains(r.stderr, "--targets") {
		t.Errorf("--parallel alone: exit %d\n%s", r.code, r.stderr)
	}
}

// TestFleetShards: --shard K/N runs the targets hash(name) mod N puts in
// shard K, and records K/N; GitLab's and Kubernetes' variables choose the
// same shard; an empty shard writes an empty result and exits 0. The
// targets listen nowhere (each an ERROR at once): the point is which run.
func TestFleetShards(t *testing.T) {
	t.Parallel()
	mem := memnet.New()
	names := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"}
	var doc strings.Builder
	doc.WriteString("targets:\n")
	for i, n := range names {
		fmt.Fprintf(&doc, "  - name: %s\n    url: ws://127.0.0.1:%d/\n", n, 900+i)
	}
	path := writeTargets(t, doc.String())
	run := func(env []string, extra ...string) (result, reports.Fleet) {
		dir := t.TempDir()
		r := fleetIn(t, context.Background(), memDeps(mem, nil), env, append([]string{"run", "--targets", path, "--report-dir", dir, "--response-timeout", "1s"}, extra...)...)
		if r.code == exitUsage {
			t.Fatalf("%v: exit 2\n%s", extra, r.stderr)
		}
		return r, readFleet(t, dir)
	}
	sectionNames := func(f reports.Fleet) []string {
		var out []string
		for _, s := range f.Targets {
			out = append(out, s.Name)
		}
		return out
	}
	seen := map[string]int{}
	for k := 1; k <= 3; k++ {
		_, f := run(nil, "--shard", fmt.Sprintf("%d/3", k))
		var want []string
		for _, n := range names {
			if fleet.ShardOf(n, 3) == k {
				want = append(want, n)
			}
		}
		if got := sectionNames(f); !slices.Equal(got, want) {
			t.Errorf("shard %d/3 ran %v, want %v", k, got, want)
		}
		if f.Shard == nil || *f.Shard != (reports.Shard{K: k, N: 3}) || len(f.Assigned) != len(names) {
			t.Errorf("shard %d/3: recorded %v, %d assigned", k, f.Shard, len(f.Assigned))
		}
		for _, a := range f.Assigned {
			if a.Shard != fleet.ShardOf(a.Name, 3) {
				t.Errorf("%s assigned to %d", a.Name, a.Shard)
			}
		}
		for _, n := range sectionNames(f) {
			seen[n]++
		}
	}
	for _, n := range names {
		if seen[n] != 1 {
			t.Errorf("%s ran in %d shards", n, seen[n])
		}
	}
	_, byFlag := run(nil, "--shard", "2/3")
	for _, tc := range []struct {
		name  string
		env   []string
		extra []string
	}{
		{"gitlab", []string{"CI_NODE_INDEX=2", "CI_NODE_TOTAL=3"}, nil},
		{"kubernetes", []string{"JOB_COMPLETION_INDEX=1"}, []string{"--shard-total", "3"}},
	} {
		_, f := run(tc.env, tc.extra...)
		if !slices.Equal(sectionNames(f), sectionNames(byFlag)) || f.Shard == nil || *f.Shard != (reports.Shard{K: 2, N: 3}) {
			t.Errorf("%s: ran %v as %v, want %v as 2/3", tc.name, sectionNames(f), f.Shard, sectionNames(byFlag))
		}
	}
	// A shard no target hashes to.
	for n := 2; n < 50; n++ {
		for k := 1; k <= n; k++ {
			if slices.IndexFunc(names, func(s string) bool { return fleet.ShardOf(s, n) == k }) >= 0 {
				continue
			}
			r, f := run(nil, "--shard", fmt.Sprintf("%d/%d", k, n))
			if r.code != exitOK || len(f.Targets) != 0 || len(f.Assigned) != len(names) || f.Summary.ExitCode != 0 {
				t.Errorf("empty shard %d/%d: exit %d, %d sections, %d assigned\n%s%s", k, n, r.code, len(f.Targets), len(f.Assigned), r.stdout, r.stderr)
			}
			return
		}
	}
	t.Fatal("no empty shard found")
}

// TestWhyLines: a target's console line says what made its verdict: the
// failing cases (three at most), or the first reasons that are not about
// a partial run; nothing for a plain pass.
func TestWhyLines(t *testing.T) {
	fail := func(id string) reports.Case { return reports.Case{ID: id, Verdict: caselang.Fail} }
	for _, tc := range []struct {
		name string
		run  reports.Run
		want []string
	}{
		{"conformant", reports.Run{Summary: reports.Summary{ExitCode: exitOK, Why: []string{"partial: x"}}}, nil},
		{"failing", reports.Run{Summary: reports.Summary{ExitCode: exitFailed}, Cases: []reports.Case{fail("a"), {ID: "b", Verdict: caselang.Pass}, fail("c")}},
			[]string{"FAIL: a, c (S)"}},
		{"many failing", reports.Run{Summary: reports.Summary{ExitCode: exitFailed}, Cases: []reports.Case{fail("a"), fail("b"), fail("c"), fail("d"), fail("e")}},
			[]string{"FAIL: a, b, c and 2 more (S)"}},
		{"incomplete", reports.Run{Summary: reports.Summary{ExitCode: exitIncomplete, Why: []string{"partial: p", "DISC-1 unchecked", "RC-6 unchecked", "ROLE-4 unchecked"}}},
			[]string{"DISC-1 unchecked", "RC-6 unchecked", "… more in S"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := whyLines(tc.run, "S"); !slices.Equal(got, tc.want) {
				t.Errorf("whyLines = %q, want %q", got, tc.want)
			}
		})
	}
}
