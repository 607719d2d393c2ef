package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/fleet"
	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/internal/term"
	"github.com/roomconform/conform/reports"
)

// A target of the fleet: its configuration (the entry over the global
// flags), the environment it sees (its own secrets only), and its run or
// the section that says why it had none.

// fleetMember is a target of the fleet as its run's configuration sees
// it: the entry's fields override the global flags.
type fleetMember struct {
	t   fleet.Target
	dir string // its report directory, <report-dir>/<name>
	// base is the targets file's directory: a relative baseline path in
	// an entry is the file's neighbour.
	base string
}

// apply overrides the global flags with the entry's.
func (m *fleetMember) apply(o *runOptions) {
	o.target, o.web, o.httpURL = m.t.URL, m.t.Web, m.t.HTTP
	if m.t.Plan != "" {
		o.plan = m.t.Plan
	}
	if m.t.Legacy != nil {
		o.legacy = *m.t.Legacy
	}
	if m.t.AllowReconfigure != nil {
		o.reconfigure = *m.t.AllowReconfigure
	}
	if b := m.t.Baseline; b != "" {
		if !filepath.IsAbs(b) {
			b = filepath.Join(m.base, b)
		}
		o.baseline = b
	}
	o.reportDir = m.dir
	// The journal is the target's, in its report directory, where
	// `conform restore --targets` finds it.
	o.journal = filepath.Join(m.dir, journalName)
}

// secretVars are the CONFORM_* secret variables.
func secretVarNames() []string {
	var out []string
	for _, k := range caselang.SecretKinds {
		out = append(out, k.EnvVar())
	}
	return out
}

// targetEnv is the environment a target's run sees: the CONFORM_* secret
// variables only from its secrets map (the global ones never reach a
// target that does not name them), the fleet's own variables hidden, every
// other variable as it is. missing lists the mapped variables that are
// not set.
func targetEnv(e env, t fleet.Target) (te env, missing []string) {
	secretNames := secretVarNames()
	for _, k := range secretNames {
		if v, ok := t.Secrets[k]; ok {
			if val, _ := e(v); val == "" {
				// Not the variable's name: one mistaken for the secret
				// itself (an upper-case PIN passes for a name) would be
				// shown in every report.
				missing = append(missing, fmt.Sprintf("the variable named for %s (the entry at line %d)", k, t.Line))
			}
		}
	}
	sort.Strings(missing)
	hidden := []string{"CONFORM_TARGETS", "CONFORM_PARALLEL", "CONFORM_SHARD", "CONFORM_SHARD_TOTAL"}
	for _, f := range singleTargetFlags {
		hidden = append(hidden, envName(f))
	}
	return func(name string) (string, bool) {
		if slices.Contains(secretNames, name) {
			v, ok := t.Secrets[name]
			if !ok {
				return "", false
			}
			return e(v)
		}
		if slices.Contains(hidden, name) {
			return "", false
		}
		return e(name)
	}, missing
}

// fleetTarget is one target of this shard, ready to run.
type fleetTarget struct {
	t       fleet.Target
	cfg     preparedRun
	red     *redact.Redactor
	missing []string // mapped variables not set: its configuration error
	invalid string   // what its entry's own fields got wrong: its configuration error
	out     *capBuffer
}

// capBuffer keeps the first 64 KiB written to it: a target's own error
// lines, shown after its line on the fleet's console.
type capBuffer struct{ b []byte }

func (c *capBuffer) Write(p []byte) (int, error) {
	if room := 64<<10 - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

// run runs the target: its configuration error, or conductor.Run.
func (ft *fleetTarget) run(ctx context.Context, exec conductor.InProcess) reports.FleetTarget {
	sec := reports.FleetTarget{Name: ft.t.Name, Dir: ft.t.Name}
	if len(ft.missing) > 0 {
		sec.Run = ft.configError(fmt.Sprintf("secrets: %s not set in the environment", strings.Join(ft.missing, ", ")))
		return sec
	}
	if ft.invalid != "" {
		sec.Run = ft.configError(ft.invalid)
		return sec
	}
	defer ft.cfg.flush()
	run, code := conductor.Run(ctx, ft.cfg.Config, exec)
	if code == reports.ExitUsage && run.Schema == "" {
		// Refused before anything was sent (its report directory, its
		// journal's): that target's configuration error.
		ft.cfg.flush()
		sec.Run = ft.configError(configLine(*ft.out, code, ft.cfg.Name+": "))
		return sec
	}
	sec.Run = run
	return sec
}

// configError is the section of a target that could not start for its
// configuration (exit 2 in its own reports; the fleet counts it as an
// error): every selected case an ERROR that says why, as a run whose
// preflight failed.
func (ft *fleetTarget) configError(why string) reports.Run {
	c := ft.cfg.Config
	run := ft.emptyRun()
	run.Preflight = reports.Preflight{Error: why}
	selected, _ := conductor.Select(c.Selection)
	for _, cs := range selected {
		rc := reports.Case{ID: cs.ID, Title: cs.Title, Group: cs.Group(), Labels: cs.Labels, Verdict: caselang.Error,
			Message: "not run: configuration error: " + why}
		for _, id := range cs.Requirements {
			rc.Requirements = append(rc.Requirements, reports.Requirement{ID: id, Level: string(caselang.LevelOf(id))})
		}
		run.Cases = append(run.Cases, rc)
	}
	c.Gate.Apply(&run, cases.Catalogue())
	run.Summary.ExitCode, run.Summary.Verdict = reports.ExitUsage, "configuration error"
	// The reason heads the verdict's, as for a run that could not start:
	// the console's line and every report say it.
	run.Summary.Why = append([]string{"configuration error: " + why}, run.Summary.Why...)
	return ft.written(run)
}

// notStarted is the section of a target the fleet's interruption kept
// from starting: interrupted (exit 1), no case run.
func (ft *fleetTarget) notStarted(_ context.Context, why string) reports.FleetTarget {
	run := ft.emptyRun()
	run.Interrupted = why
	ft.cfg.Gate.Apply(&run, cases.Catalogue())
	return reports.FleetTarget{Name: ft.t.Name, Dir: ft.t.Name, Run: ft.written(run)}
}

func (ft *fleetTarget) emptyRun() reports.Run {
	return reports.Run{Schema: reports.Schema, Tool: "conform", Version: version(), StartedAt: time.Now(),
		Target: reports.Target{URL: ft.t.URL}, Cases: []reports.Case{}}
}

// written redacts run with the target's redactor and writes its reports
// to its directory (an error there goes to its lines on the console).
func (ft *fleetTarget) written(run reports.Run) reports.Run {
	run = run.Redacted(ft.red.Redact)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := reports.WriteAll(ctx, run, ft.cfg.Files); err != nil {
		fmt.Fprintf(ft.out, "%s\n", term.Line(ft.red.Redact(err.Error())))
	}
	return run
}

// secretsOf are the CONFORM_* secrets of an environment, kind and value:
// a target's, or the global ones.
func secretsOf(te env) [][2]string {
	var out [][2]string
	for _, k := range caselang.SecretKinds {
		if v := te.get(k.EnvVar()); v != "" {
			out = append(out, [2]string{string(k), v})
		}
	}
	return out
}

// targetsSecrets are the operator secrets of every target of a fleet,
// each through its own map: every redactor of the fleet is given them
// all, so that no output can carry one, whichever target's it is.
func targetsSecrets(e env, targets []fleet.Target) [][2]string {
	var out [][2]string
	for _, t := range targets {
		te, _ := targetEnv(e, t)
		out = append(out, secretsOf(te)...)
	}
	return out
}

// addSecrets registers secrets (kind and value) with red.
func addSecrets(red *redact.Redactor, secrets [][2]string) {
	for _, s := range secrets {
		red.Add(s[0], s[1])
	}
}

// configLine is the one line a refused configuration printed, without
// the name it starts with (code 0: it ended without an error, which a
// fleet cannot use either).
func configLine(out capBuffer, code int, name string) string {
	line := strings.TrimSpace(string(out.b))
	if i := strings.LastIndex(line, "\n"); i >= 0 {
		line = line[i+1:]
	}
	line = strings.TrimPrefix(line, name)
	if code == exitOK || line == "" {
		return "the configuration ended early"
	}
	return line
}
