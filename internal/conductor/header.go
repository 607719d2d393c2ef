package conductor

import (
	"fmt"
	"io"
	"strings"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/console"
	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/internal/term"
)

// printHeader says, before anything runs, what is tested and how: the
// profile the suite will judge the target by comes first.
func printHeader(w io.Writer, version string, s *session.Session, sel Selection, selected []caselang.Case, sections []Section) {
	n := len(selected)
	where := "live target"
	if s.Embedded {
		where = "embedded reference server, profile " + s.EmbeddedProfile
	}
	cfg := s.Runner.Config()
	fmt.Fprintf(w, "conform %s: auth conformance of %s (%s)\n", version, cfg.Target.URL, where)
	fmt.Fprintf(w, "profile: %s\n", term.Line(cfg.Profile.String()))
	for _, note := range cfg.Profile.Notes {
		fmt.Fprintf(w, "  note: %s\n", term.Line(note))
	}
	if line := console.Displaced(cfg.Profile); line != "" && !s.Embedded {
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "selection: %d %s", n, plural(n, "case", "cases"))
	if len(sel.Cases) > 0 {
		var named []string
		for _, c := range selected {
			named = append(named, c.ID)
		}
		fmt.Fprintf(w, ": %s", strings.Join(named, " "))
	}
	if len(sel.Requirements) > 0 {
		fmt.Fprintf(w, ", citing %s", strings.Join(sel.Requirements, " "))
	}
	if sel.LabelFilter != "" {
		fmt.Fprintf(w, ", label filter %s", sel.LabelFilter)
	} else if len(sel.Cases) == 0 && len(sel.Requirements) == 0 {
		fmt.Fprint(w, " (no label filter: every case)")
	}
	fmt.Fprintln(w)
	if dropped := leftOutByFilter(sel, selected); len(dropped) > 0 {
		fmt.Fprintf(w, "note: the label filter leaves out %s, named with --case\n", strings.Join(dropped, ", "))
	}
	if !s.Embedded {
		fmt.Fprintf(w, "seed: %d (seeds the exploration's random walks; --seed repeats it. The wrong-credential budget's order is fixed)\n", cfg.Seed)
	}
	if cfg.Strict {
		fmt.Fprintln(w, "strict: a broken SHOULD fails the run")
	}
	if len(sections) > 0 {
		var parts []string
		n := 0
		for _, sec := range sections {
			parts = append(parts, fmt.Sprintf("%s (%d)", sec.Profile, len(sec.Cases)))
			n += len(sec.Cases)
		}
		how := "the walk puts the target in other profiles with setAuthParams, and back at the end"
		if s.Embedded {
			how = "the embedded server is walked through the Pro profiles with setAuthParams; the Free plan has a server of its own"
		}
		fmt.Fprintf(w, "walk: %d cases that do not apply to this profile run in %s (%s)\n", n, strings.Join(parts, ", "), how)
	}
	if dis := disruptive(selected); len(dis) > 0 {
		if s.Embedded {
			fmt.Fprintf(w, "disruptive cases run against the embedded server (harmless there): %s\n", strings.Join(dis, ", "))
		} else {
			fmt.Fprintf(w, "\n!!! DISRUPTIVE CASES SELECTED: %s\n", strings.Join(dis, ", "))
			fmt.Fprintln(w, "!!! they lock the administrator out for a while (RC-6) and kick the operator's session (SEC-3)")
		}
	}
	fmt.Fprintln(w)
}

// disruptive lists the selected cases that can lock out or kick sessions.
func disruptive(selected []caselang.Case) []string {
	var ids []string
	for _, c := range selected {
		if c.HasLabel("disruptive") {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// leftOutByFilter lists the cases named with --case that the label filter
// does not select.
func leftOutByFilter(sel Selection, selected []caselang.Case) []string {
	var out []string
	for _, id := range sel.Cases {
		found := false
		for _, c := range selected {
			found = found || c.ID == id
		}
		if !found {
			out = append(out, id)
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
