package generate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/roomconform/conform/caselang"
)

// The covering array: every pair of classes of two request fields
// (caselang.Factors) sent in each state class of the connection that sends
// it, in as few requests as a greedy in-parameter-order construction
// (IPOG, Lei et al. 2007) finds.

// coveringArray returns rows (a level per factor, -1 where any level will
// do) in which every pair of levels of two factors appears. levels[i] are
// the levels factor i may take.
func coveringArray(levels [][]int) [][]int {
	if len(levels) < 2 {
		return nil
	}
	type pr struct{ f1, l1, f2, l2 int }
	var rows [][]int
	for _, a := range levels[0] {
		for _, b := range levels[1] {
			row := make([]int, len(levels))
			for i := range row {
				row[i] = -1
			}
			row[0], row[1] = a, b
			rows = append(rows, row)
		}
	}
	for k := 2; k < len(levels); k++ {
		uncovered := map[pr]bool{}
		for j := range k {
			for _, lj := range levels[j] {
				for _, lk := range levels[k] {
					uncovered[pr{j, lj, k, lk}] = true
				}
			}
		}
		gain := func(row []int, lk int) int {
			n := 0
			for j := range k {
				if row[j] >= 0 && uncovered[pr{j, row[j], k, lk}] {
					n++
				}
			}
			return n
		}
		// Horizontal growth: each row takes the level that covers most.
		for _, row := range rows {
			best, bestGain := levels[k][0], -1
			for _, lk := range levels[k] {
				if g := gain(row, lk); g > bestGain {
					best, bestGain = lk, g
				}
			}
			row[k] = best
			for j := range k {
				delete(uncovered, pr{j, row[j], k, best})
			}
		}
		// Vertical growth: what is left goes into rows with room for it.
		for j := range k {
			for _, lj := range levels[j] {
				for _, lk := range levels[k] {
					if !uncovered[pr{j, lj, k, lk}] {
						continue
					}
					placed := false
					for _, row := range rows {
						if row[k] == lk && row[j] == -1 {
							row[j] = lj
							placed = true
							break
						}
					}
					if !placed {
						row := make([]int, len(levels))
						for i := range row {
							row[i] = -1
						}
						row[j], row[k] = lj, lk
						rows = append(rows, row)
					}
					delete(uncovered, pr{j, lj, k, lk})
				}
			}
		}
	}
	for _, row := range rows {
		for i := range row {
			if row[i] == -1 {
				row[i] = levels[i][0]
			}
		}
	}
	return rows
}

// pairStates are the state classes of the sending connection in which the
// covering array is sent, with the login that puts it there ("" for a
// fresh connection).
var pairStates = []struct{ class, login string }{
	{"none", ""}, {"admin/login", "login-admin"}, {"user/login", "login-user"},
}

// rowsPerCase bounds a pairs case: short enough to read.
const rowsPerCase = 80

// levelsOf are the classes of each factor a row can take in a state class
// (the profile has the secret, a token is held...), by class name.
type levelsOf map[string][][]int

// rowSegments returns, for a profile, segments of steps that send the
// covering array in each state class the profile can reach, the field
// pairs they cover by state class (pair keys "class :: f1=l1 f2=l2"), and
// the classes each factor can take in each state class.
func rowSegments(newState func() state) (segs []segment, pairs map[string]bool, levels levelsOf, err error) {
	pairs, levels = map[string]bool{}, levelsOf{}
	for _, ps := range pairStates {
		start := func() (state, bool) {
			st := newState()
			if !st.tokens() {
				return st, false // nothing to log in with (a Free plan's protected modes)
			}
			return st, st.establish(ps.class, ps.login)
		}
		st, ok := start()
		if !ok {
			continue
		}
		lv := make([][]int, len(caselang.Factors))
		for i, f := range caselang.Factors {
			for l := range f.Classes {
				row := make([]int, len(caselang.Factors))
				row[i] = l
				if _, ok := st.row(row); ok {
					lv[i] = append(lv[i], l)
				}
			}
		}
		levels[ps.class] = lv
		rows := coveringArray(lv)
		if ps.class == "none" {
			// On a fresh connection only: what a class does beside valid
			// values does not depend on the connection's mode (the
			// covering array, in every state class, says so where it does).
			rows = append(rows, validContext(lv)...)
		}
		inCase := 0
		for _, row := range rows {
			// A case ends after rowsPerCase rows, or before a row whose
			// wrong credential would go beyond maxWrongPerCase (with the
			// ones establishing its state).
			if inCase > 0 && (inCase == rowsPerCase || st.wrong+rowWrong(st, row) > maxWrongPerCase) {
				st.finish()
				segs = append(segs, segment{steps: st.s.steps, inputs: st.inputs, covers: inCase, disruptive: st.disrupted, kind: "pairs " + ps.class})
				st, _ = start()
				inCase = 0
			}
			inCase++
			if !st.establish(ps.class, ps.login) {
				return nil, nil, nil, fmt.Errorf("generate: cannot return to state %s", ps.class)
			}
			step, ok := st.row(row)
			if !ok && needsToken(row) {
				// The token the row takes is no longer one the model is
				// sure of: get a fresh one.
				if st.tokens() {
					if !st.establish(ps.class, ps.login) {
						return nil, nil, nil, fmt.Errorf("generate: cannot return to state %s", ps.class)
					}
					step, ok = st.row(row)
				}
			}
			if !ok {
				return nil, nil, nil, fmt.Errorf("generate: row %v cannot be sent in state %s", row, ps.class)
			}
			_, names := caselang.Row(row)
			for _, p := range fieldPairs(names) {
				pairs[ps.class+" :: "+p] = true
			}
			nexts, reqs, open := st.s.branches(step)
			if open {
				reqs = nil
			}
			step.Expect = []caselang.Check{caselang.AsTheReadingSays(citationOf(step, reqs))}
			wrong := false
			for _, n := range nexts {
				wrong = wrong || n.m.Streak() > 0
			}
			st.take(step, "row "+strings.Join(names, " "))
			if wrong || open || distinct(nexts) {
				st.recover = true
			}
		}
		st.finish()
		segs = append(segs, segment{steps: st.s.steps, inputs: st.inputs, covers: inCase, disruptive: st.disrupted, kind: "pairs " + ps.class})
	}
	for class, lv := range levels {
		for i := range lv {
			for j := i + 1; j < len(lv); j++ {
				for _, a := range lv[i] {
					for _, b := range lv[j] {
						p := class + " :: " + caselang.Factors[i].Name + "=" + caselang.Factors[i].Classes[a].Name + " " + caselang.Factors[j].Name + "=" + caselang.Factors[j].Classes[b].Name
						if !pairs[p] {
							return nil, nil, nil, fmt.Errorf("generate: the covering array misses %s", p)
						}
					}
				}
			}
		}
	}
	return segs, pairs, levels, nil
}

// rowWrong is how many wrong credentials row sends in st's state (0 or 1).
func rowWrong(st state, row []int) int {
	if step, ok := st.row(row); ok && step.SendsWrongCredential() {
		return 1
	}
	return 0
}

// validContext are the rows that put each class of one field beside valid
// values of the others: every credentials class with type "secured"
// and each role (absent, admin, user), every type class with each role and
// the admin secret, every role class with type "secured" and the admin
// secret. A pair of classes says little when a third field makes the
// request something else (credentials beside an invalid type are never
// checked): these rows are the requests whose class decides.
func validContext(lv [][]int) [][]int {
	idx := func(factor, name string) int {
		for _, f := range caselang.Factors {
			if f.Name == factor {
				for j, c := range f.Classes {
					if c.Name == name {
						return j
					}
				}
			}
		}
		return -1
	}
	secured, admin := idx("type", "secured"), idx("credentials", "admin-secret")
	roles := []int{idx("role", "absent"), idx("role", "admin"), idx("role", "user")}
	var rows [][]int
	seen := map[[4]int]bool{}
	add := func(t, r, c int) {
		k := [4]int{t, r, c, 0}
		has := func(f, l int) bool { return slices.Contains(lv[f], l) }
		if seen[k] || !has(0, t) || !has(1, r) || !has(2, c) {
			return
		}
		seen[k] = true
		rows = append(rows, []int{t, r, c, 0})
	}
	for _, r := range roles {
		for _, c := range lv[2] {
			add(secured, r, c)
		}
		for _, t := range lv[0] {
			add(t, r, admin)
		}
	}
	for _, r := range lv[1] {
		add(secured, r, admin)
	}
	return rows
}

// needsToken reports whether a row's credentials are a token.
func needsToken(row []int) bool {
	r, _ := caselang.Row(row)
	_, ok := caselang.IsPlaceholder(r.Credentials)
	return ok
}

// fieldPairs are the pairs of field classes of a row's class names.
func fieldPairs(names []string) []string {
	var out []string
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			out = append(out, names[i]+" "+names[j])
		}
	}
	return out
}

// citationOf is the requirement a generated step's check cites: the first
// the model judges an auth answer under; SEC-1 for a command (refused
// without a mode), LIFE-1 for the HTTP server; ENV-1 where the reading
// accepts any answer (the invariants of every answer still judge it).
func citationOf(step caselang.Step, reqs []string) string {
	switch a := step.Do.(type) {
	case caselang.HTTPGet:
		return "LIFE-1"
	case caselang.Send:
		if a.Request.MethodName() != "auth" {
			return "SEC-1"
		}
	}
	if len(reqs) == 0 {
		return "ENV-1"
	}
	return reqs[0]
}
