// Package mutation holds the mutation matrix: for every fault of the
// reference server, the cases that must FAIL, WARN or ERROR when the suite
// runs against the embedded server with that fault on. It is data
// (matrix.txt, embedded), held true by TestMutationMatrix in cmd/conform,
// and read by `conform explain` and docs/requirements.md, which say which
// case catches each fault.
package mutation

import (
	_ "embed"
	"fmt"
	"os"
	"slices"
	"strings"
)

//go:embed matrix.txt
var matrix string

// File is the matrix's path in the source tree, from the module root.
const File = "internal/mutation/matrix.txt"

// Row is one fault: the profile it runs in and the cases it must FAIL and
// WARN, and those the suite cannot judge after the fault struck (ERROR, on
// purpose: the target stopped accepting connections, say).
type Row struct {
	Fault   string
	Profile string // "" = the default profile
	Fail    []string
	Warn    []string
	Errs    []string
	// Unrestorable says the fault breaks the suite's own restore of a
	// reconfiguring case (a change the target does not apply, a PIN it
	// ignores): the run must end as a failed restore, exit 3.
	Unrestorable bool
	// Generated says the row runs the generated cases too: only they catch
	// the fault under its requirement. Other rows leave them out, since
	// they are half the catalogue's run time and the consistency test
	// holds them to the reading.
	Generated bool
}

// Catchers are the cases that catch the fault: those that fail, else
// those that warn.
func (r Row) Catchers() []string {
	if len(r.Fail) > 0 {
		return r.Fail
	}
	return r.Warn
}

// Rows returns the embedded matrix by fault name.
func Rows() (map[string]Row, error) { return Parse(matrix, File) }

// Parse reads the matrix format: "fault NAME [profile P]" lines, each
// followed by "  fail CASE", "  warn CASE" and "  error CASE" lines; #
// starts a comment; "  unrestorable" marks a fault the restore cannot
// undo (Row.Unrestorable), "  with-generated" a row that runs the
// generated cases too (Row.Generated).
func Parse(text, name string) (map[string]Row, error) {
	rows := map[string]Row{}
	var cur *Row
	for n, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0 || strings.HasPrefix(f[0], "#"):
		case f[0] == "fault" && (len(f) == 2 || len(f) == 4 && f[2] == "profile"):
			m := Row{Fault: f[1]}
			if len(f) == 4 {
				m.Profile = f[3]
			}
			rows[m.Fault] = m
			cur = &m
		case f[0] == "unrestorable" && len(f) == 1 && cur != nil:
			cur.Unrestorable = true
			rows[cur.Fault] = *cur
		case f[0] == "with-generated" && len(f) == 1 && cur != nil:
			cur.Generated = true
			rows[cur.Fault] = *cur
		case (f[0] == "fail" || f[0] == "warn" || f[0] == "error") && len(f) == 2 && cur != nil:
			switch f[0] {
			case "fail":
				cur.Fail = append(cur.Fail, f[1])
			case "warn":
				cur.Warn = append(cur.Warn, f[1])
			default:
				cur.Errs = append(cur.Errs, f[1])
			}
			rows[cur.Fault] = *cur
		default:
			return nil, fmt.Errorf("%s:%d: cannot read %q", name, n+1, line)
		}
	}
	return rows, nil
}

// Write writes rows to path in the file's format, keeping the header
// comment of the file there.
func Write(path string, rows []Row) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, line := range strings.Split(string(old), "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		b.WriteString(line + "\n")
	}
	slices.SortFunc(rows, func(a, b Row) int { return strings.Compare(a.Fault, b.Fault) })
	for _, m := range rows {
		b.WriteString("\nfault " + m.Fault)
		if m.Profile != "" {
			b.WriteString(" profile " + m.Profile)
		}
		b.WriteString("\n")
		if m.Unrestorable {
			b.WriteString("  unrestorable\n")
		}
		if m.Generated {
			b.WriteString("  with-generated\n")
		}
		for _, list := range []struct {
			verb string
			ids  []string
		}{{"fail", m.Fail}, {"warn", m.Warn}, {"error", m.Errs}} {
			for _, c := range slices.Sorted(slices.Values(list.ids)) {
				b.WriteString("  " + list.verb + " " + c + "\n")
			}
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// RegenerateCommand rewrites the matrix from what the suite does; its
// diff is then to be reviewed.
const RegenerateCommand = "CONFORM_MATRIX_WRITE=1 go test ./cmd/conform -run 'TestMutationMatrix$'"

// Verdicts a row names, as results.json spells them.
const (
	Fail  = "FAIL"
	Warn  = "WARN"
	Error = "ERROR"
)

// Change is one case whose verdict under a fault is not the row's.
type Change struct {
	Case string
	// Want is the row's verdict for the case and Got the run's: Fail, Warn
	// or Error, or "" where the row (the run) names the case under none:
	// it passed, was skipped or did not run.
	Want, Got string
}

// Kind says how the case differs: "missing" (the row names it, the run
// does not), "extra" (the run names it, the row does not) or "changed".
func (c Change) Kind() string {
	switch {
	case c.Got == "":
		return "missing"
	case c.Want == "":
		return "extra"
	}
	return "changed"
}

// verdicts maps each case a row names to its verdict.
func (r Row) verdicts() map[string]string {
	out := map[string]string{}
	for _, l := range []struct {
		v   string
		ids []string
	}{{Fail, r.Fail}, {Warn, r.Warn}, {Error, r.Errs}} {
		for _, id := range l.ids {
			if _, dup := out[id]; !dup {
				out[id] = l.v
			}
		}
	}
	return out
}

// Diff compares the verdicts a run gave under a fault (got: its FAIL, WARN
// and ERROR cases) with the fault's row (want), case by case, sorted by
// case ID: only what differs, so that a failure of the matrix test names
// the few cases that moved rather than every case of the row.
func Diff(want, got Row) []Change {
	w, g := want.verdicts(), got.verdicts()
	var out []Change
	for id, v := range w {
		if g[id] != v {
			out = append(out, Change{Case: id, Want: v, Got: g[id]})
		}
	}
	for id, v := range g {
		if _, ok := w[id]; !ok {
			out = append(out, Change{Case: id, Got: v})
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return strings.Compare(a.Case, b.Case) })
	return out
}

// Report renders the changes of one fault for a test failure: the cases
// missing from the run, the extra ones, those whose verdict changed, and
// the command that regenerates the matrix if the change is meant.
func Report(fault string, changes []Change) string {
	if len(changes) == 0 {
		return ""
	}
	var missing, extra, changed []string
	for _, c := range changes {
		switch c.Kind() {
		case "missing":
			missing = append(missing, c.Case+" ("+c.Want+")")
		case "extra":
			extra = append(extra, c.Case+" ("+c.Got+")")
		default:
			changed = append(changed, c.Case+" ("+c.Want+" -> "+c.Got+")")
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "fault %s: %d case(s) differ from %s\n", fault, len(changes), File)
	for _, l := range []struct {
		what string
		ids  []string
	}{
		{"missing (the row names it, the run did not)", missing},
		{"extra (the run names it, the row does not)", extra},
		{"verdict changed (row -> run)", changed},
	} {
		if len(l.ids) > 0 {
			fmt.Fprintf(&b, "  %s: %s\n", l.what, strings.Join(l.ids, ", "))
		}
	}
	b.WriteString("if the change is meant, regenerate the matrix and review its diff:\n  " + RegenerateCommand)
	return b.String()
}
