package main

import (
	"bytes"
	"flag"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestRunHelpIsGrouped: `conform run -h` shows every flag exactly once,
// under one of the six groups (a flag added without a group fails here),
// and three examples: the embedded run, a live run with its secret from
// the environment, a CI gate with --require and a baseline.
func TestRunHelpIsGrouped(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"run", "-h"}, &out, &errOut, nil); code != exitOK {
		t.Fatalf("conform run -h: exit %d\n%s", code, errOut.String())
	}
	help := errOut.String()
	groups := []string{"Target", "Secrets and configuration", "Selection", "Live safety", "Reports", "Fleet", "Timing"}
	heading := regexp.MustCompile(`(?m)^([A-Z][a-z]+(?: [a-z]+)*)(?: \(.*\))?:$`)
	// The help prints a flag once even if two groups list it: the groups
	// themselves must not.
	inGroup := map[string]string{}
	for _, g := range runFlagGroups {
		for _, f := range g.flags {
			if other, dup := inGroup[f]; dup {
				t.Errorf("--%s is in two groups of runFlagGroups: %s and %s", f, other, g.title)
			}
			inGroup[f] = g.title
		}
	}
	var seen []string
	group := map[string]string{} // flag -> the group it is shown in
	var current string
	for _, line := range strings.Split(help, "\n") {
		if m := heading.FindStringSubmatch(line); m != nil {
			current = m[1]
			seen = append(seen, current)
			continue
		}
		if m := flagLine.FindStringSubmatch(line); m != nil {
			if g, dup := group[m[1]]; dup {
				t.Errorf("--%s is shown twice: under %s and %s", m[1], g, current)
			}
			group[m[1]] = current
		}
	}
	for _, g := range groups {
		if !strings.Contains(strings.Join(seen, "|")+"|", g+"|") {
			t.Errorf("run -h has no group %q (groups: %v)", g, seen)
		}
	}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o runOptions
	o.register(fs)
	fs.VisitAll(func(f *flag.Flag) {
		g, ok := group[f.Name]
		switch {
		case !ok:
			t.Errorf("--%s is not in run -h", f.Name)
		case !slices.Contains(groups, g):
			t.Errorf("--%s is shown under %q, not one of the groups %v: give it a group in runFlagGroups", f.Name, g, groups)
		}
	})
	_, examples, ok := strings.Cut(help, "\nExamples:\n")
	if !ok {
		t.Fatalf("run -h has no examples:\n%s", help)
	}
	var cmds []string
	for _, l := range strings.Split(examples, "\n") {
		if strings.Contains(l, "conform run") {
			cmds = append(cmds, l)
		}
	}
	if len(cmds) != 3 {
		t.Fatalf("run -h: %d example commands, want 3:\n%s", len(cmds), examples)
	}
	if strings.Contains(cmds[0], "--target") {
		t.Errorf("the first example is not the embedded run: %s", cmds[0])
	}
	if !strings.Contains(cmds[1], "--target") || !strings.Contains(examples, "export CONFORM_ADMIN_PASSWORD") {
		t.Errorf("the second example is not a live run with its secret from the environment:\n%s", examples)
	}
	if !strings.Contains(examples, "--require") || !strings.Contains(examples, "--baseline") {
		t.Errorf("no CI gate example with --require and --baseline:\n%s", examples)
	}
}
