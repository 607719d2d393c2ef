package main

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// terminalColumns is the width `conform list` keeps within (the issue: 100).
const terminalColumns = 100

// TestListFitsTheTerminal: every line of `conform list` is at most 100
// columns, the rows still name every case, and the details are a command
// away (conform explain).
func TestListFitsTheTerminal(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"list"}, {"list", "--label-filter", "mutating || explore"}} {
		r := conform(t, nil, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
		for i, l := range lines {
			if n := utf8.RuneCountInString(l); n > terminalColumns {
				t.Errorf("%v: line %d is %d columns: %s", args, i+1, n, l)
			}
		}
		if !strings.Contains(r.stdout, "conform explain ID") {
			t.Errorf("%v: the list does not say where the details are", args)
		}
		if len(lines) < 3 {
			t.Errorf("%v: %d lines", args, len(lines))
		}
	}
	r := conform(t, nil, "list")
	for _, id := range []string{"explore-random-walks", "cfg-2-user-pin-generated-from-admin-password-user-password"} {
		if !strings.Contains(r.stdout, "\n"+id+" ") {
			t.Errorf("conform list has no row for %s", id)
		}
	}
}
