package reports

import (
	"cmp"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/term"
)

// ShardFile is a results document given to a merge and where it was read
// (for the errors, which name the files).
type ShardFile struct {
	Path string
	Doc  Document
}

// MergeShards combines the results of a fleet's shards (`conform merge`)
// into the fleet's document: the shards listed (Shards), Shard nil, the
// targets in the order of Assigned, tallied. It refuses, with one line
// naming the two files (or the one), a document that is not a fleet's
// shard, shards of different schemas, catalogues, targets files or shard
// counts, a shard given twice, a target in two shards or in the wrong one,
// and a target name that is not safe as a file name (the merge makes a
// directory of each). A shard that is missing is not refused: it is listed
// in Missing, and each target assigned to it, like a target a shard has no
// section for, gets the section unrun(reason) makes ("shard K/N missing:
// no results").
func MergeShards(files []ShardFile, unrun func(reason string) Run) (Fleet, error) {
	if len(files) == 0 {
		return Fleet{}, fmt.Errorf("no shard to merge")
	}
	for _, sf := range files {
		if err := checkShard(sf); err != nil {
			return Fleet{}, err
		}
	}
	first := files[0]
	a := first.Doc.Fleet
	for _, sf := range files[1:] {
		b := sf.Doc.Fleet
		for _, d := range []struct{ what, x, y string }{
			{"schema", a.Schema, b.Schema},
			{"catalogue", a.Catalogue, b.Catalogue},
			{"targets file (digest)", a.TargetsDigest, b.TargetsDigest},
		} {
			if d.x != d.y {
				return Fleet{}, fmt.Errorf("%s and %s are shards of different runs: %s %s against %s", shown(first.Path), shown(sf.Path), d.what, shown(d.x), shown(d.y))
			}
		}
		if a.Shard.N != b.Shard.N {
			return Fleet{}, fmt.Errorf("%s is shard %s and %s shard %s: shards of different counts", shown(first.Path), a.Shard, shown(sf.Path), b.Shard)
		}
		if !slices.Equal(a.Assigned, b.Assigned) {
			return Fleet{}, fmt.Errorf("%s and %s assign the targets to shards differently", shown(first.Path), shown(sf.Path))
		}
	}
	byShard := map[int]string{}
	byTarget := map[string]string{}
	sections := map[string]FleetTarget{}
	for _, sf := range files {
		f := sf.Doc.Fleet
		if other, ok := byShard[f.Shard.K]; ok {
			return Fleet{}, fmt.Errorf("shard %s twice: %s and %s", f.Shard, shown(other), shown(sf.Path))
		}
		byShard[f.Shard.K] = sf.Path
		for _, t := range f.Targets {
			if other, ok := byTarget[t.Name]; ok {
				return Fleet{}, fmt.Errorf("target %q twice: in %s and in %s", term.Line(t.Name), shown(other), shown(sf.Path))
			}
			byTarget[t.Name] = sf.Path
			sections[t.Name] = t
		}
	}
	for _, sf := range files {
		if err := checkAssigned(sf); err != nil {
			return Fleet{}, err
		}
	}
	n := a.Shard.N
	out := Fleet{Schema: a.Schema, Kind: KindFleet, Tool: a.Tool, Version: a.Version, Catalogue: a.Catalogue,
		TargetsDigest: a.TargetsDigest, Assigned: slices.Clone(a.Assigned)}
	var end time.Time
	for i, sf := range files {
		f := sf.Doc.Fleet
		if i == 0 || f.StartedAt.Before(out.StartedAt) {
			out.StartedAt = f.StartedAt
		}
		if e := f.StartedAt.Add(time.Duration(f.Duration * float64(time.Second))); e.After(end) {
			end = e
		}
		out.Shards = append(out.Shards, *f.Shard)
	}
	out.Duration = end.Sub(out.StartedAt).Seconds()
	slices.SortFunc(out.Shards, func(x, y Shard) int { return cmp.Compare(x.K, y.K) })
	for k := 1; k <= n; k++ {
		if _, ok := byShard[k]; !ok {
			out.Missing = append(out.Missing, Shard{K: k, N: n})
		}
	}
	for _, as := range a.Assigned {
		t, ok := sections[as.Name]
		if !ok {
			s := Shard{K: as.Shard, N: n}
			reason := fmt.Sprintf("shard %s missing: no results", s)
			if _, came := byShard[as.Shard]; came {
				reason = fmt.Sprintf("shard %s has no results for this target", s)
			}
			t = FleetTarget{Name: as.Name, Run: unrun(reason)}
		}
		t.Dir = as.Name
		out.Targets = append(out.Targets, t)
	}
	out.Tally()
	return out, nil
}

// checkShard refuses a document a merge cannot take: not a fleet's, not a
// shard, a shard number out of range, an Assigned list with a name twice
// or out of range, a name not safe as a file name, a section of a target
// the list does not give this shard.
func checkShard(sf ShardFile) error {
	path := shown(sf.Path)
	f := sf.Doc.Fleet
	switch {
	case f == nil:
		return fmt.Errorf("%s is not a fleet's results (a single target's run): conform merge takes the results of `conform run --targets FILE --shard K/N`", path)
	case f.Kind != KindFleet:
		return fmt.Errorf("%s is not a fleet's results (kind %q)", path, term.Line(f.Kind))
	case f.Shard == nil:
		return fmt.Errorf("%s is not a shard (no shard K/N: a fleet run in one piece, or a merge)", path)
	case f.Shard.N < 1 || f.Shard.K < 1 || f.Shard.K > f.Shard.N:
		return fmt.Errorf("%s: shard %s is not one of 1..N", path, f.Shard)
	}
	assigned := map[string]int{}
	for _, as := range f.Assigned {
		if err := SafeName(as.Name); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if _, ok := assigned[as.Name]; ok {
			return fmt.Errorf("%s: target %q assigned twice", path, as.Name)
		}
		if as.Shard < 1 || as.Shard > f.Shard.N {
			return fmt.Errorf("%s: target %q assigned to shard %d, not one of 1..%d", path, as.Name, as.Shard, f.Shard.N)
		}
		assigned[as.Name] = as.Shard
	}
	for _, t := range f.Targets {
		if err := SafeName(t.Name); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// checkAssigned refuses a section of a target the document's Assigned
// list does not give to this shard.
func checkAssigned(sf ShardFile) error {
	f := sf.Doc.Fleet
	assigned := map[string]int{}
	for _, as := range f.Assigned {
		assigned[as.Name] = as.Shard
	}
	for _, t := range f.Targets {
		switch k, ok := assigned[t.Name]; {
		case !ok:
			return fmt.Errorf("%s: target %q is not in its list of the targets file's targets (assigned)", shown(sf.Path), t.Name)
		case k != f.Shard.K:
			return fmt.Errorf("%s: target %q belongs to shard %s, not %s", shown(sf.Path), t.Name, Shard{K: k, N: f.Shard.N}, f.Shard)
		}
	}
	return nil
}

// shown is a path or a document's text on one line, controls escaped.
func shown(s string) string { return term.Line(s) }

// SafeName reports whether a target's name can name its report directory:
// one path element, not "." or "..", no separator, no control or space
// character, at most 128 bytes. A merge takes names from documents anyone
// could have written.
func SafeName(name string) error {
	bad := name == "" || name == "." || name == ".." || len(name) > 128 || !filepath.IsLocal(name) ||
		strings.ContainsAny(name, `/\:`) || strings.ContainsFunc(name, func(r rune) bool {
		return unicode.IsControl(r) || unicode.IsSpace(r) || r == unicode.ReplacementChar
	})
	if bad {
		return fmt.Errorf("target name %q is not safe as a file name", term.Line(name))
	}
	return nil
}

// ErrorRun is the section of a target the fleet has no results for (its
// shard missing): every case of the catalogue cat an ERROR "not run:
// reason", as a run that could not start reports its cases, the reason
// also the preflight's error and the verdict's first line. Its verdict is
// an error (exit 3).
func ErrorRun(reason, version string, cat caselang.CaseSet) Run {
	r := Run{Schema: Schema, Tool: "conform", Version: version, Preflight: Preflight{Error: reason}}
	for _, c := range cat.Cases {
		rc := Case{ID: c.ID, Title: c.Title, Group: c.Group(), Labels: c.Labels, Verdict: caselang.Error, Message: "not run: " + reason}
		for _, id := range c.Requirements {
			rc.Requirements = append(rc.Requirements, Requirement{ID: id, Level: string(caselang.LevelOf(id))})
		}
		r.Cases = append(r.Cases, rc)
	}
	r.Tally(cat)
	r.Summary.Why = append([]string{reason}, r.Summary.Why...)
	return r
}

// mostDifferences bounds what SameFleet lists.
const mostDifferences = 100

// SameFleet lists the differences between two fleet documents, normalised
// for comparing a merge of shards with the same fleet run in one piece:
// without what the clock decides (startedAt, durationSeconds, atSeconds),
// the paths (a section's dir) and the shard fields (shard, shards,
// missingShards, each assigned target's shard), and with each transcript's
// frames grouped by connection in their order (the interleaving of
// connections is the scheduler's). Sections are compared by target name
// and cases by key; a difference names the target and the case. Empty:
// the same.
func SameFleet(a, b Fleet) []string {
	na, err := normalFleet(a)
	if err != nil {
		return []string{err.Error()}
	}
	nb, err := normalFleet(b)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	add := func(s string) {
		if len(out) < mostDifferences {
			out = append(out, s)
		}
	}
	ta, tb := na["targets"].(map[string]any), nb["targets"].(map[string]any)
	oa, ob := na["order"].([]string), nb["order"].([]string)
	delete(na, "targets")
	delete(nb, "targets")
	delete(na, "order")
	delete(nb, "order")
	differ("fleet", na, nb, add)
	if !slices.Equal(oa, ob) {
		add(fmt.Sprintf("targets in another order: %s against %s", strings.Join(oa, ","), strings.Join(ob, ",")))
	}
	for _, name := range oa {
		if _, ok := tb[name]; !ok {
			add(fmt.Sprintf("target %s: only in the first", name))
			continue
		}
		differ("target "+name, ta[name], tb[name], add)
	}
	for _, name := range ob {
		if _, ok := ta[name]; !ok {
			add(fmt.Sprintf("target %s: only in the second", name))
		}
	}
	if len(out) == mostDifferences {
		out = append(out, "… and maybe more")
	}
	return out
}

// normalFleet is the fleet's results.json as generic JSON, normalised for
// SameFleet: "targets" a map by name (their order in "order"), each
// section's cases a map by key.
func normalFleet(f Fleet) (map[string]any, error) {
	b, err := FleetJSON(f)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("read back the fleet's results: %w", err)
	}
	for _, k := range []string{"startedAt", "durationSeconds", "shard", "shards", "missingShards"} {
		delete(m, k)
	}
	if as, ok := m["assigned"].([]any); ok {
		for _, x := range as {
			if o, ok := x.(map[string]any); ok {
				delete(o, "shard")
			}
		}
	}
	targets := map[string]any{}
	var order []string
	ts, _ := m["targets"].([]any)
	for _, x := range ts {
		t, _ := x.(map[string]any)
		name, _ := t["name"].(string)
		delete(t, "dir")
		run, _ := t["run"].(map[string]any)
		normalRun(run)
		order = append(order, name)
		targets[name] = t
	}
	m["targets"], m["order"] = targets, order
	return m, nil
}

// normalRun drops the clock's fields everywhere in a section, groups each
// transcript's frames by connection and makes its cases a map by key.
func normalRun(run map[string]any) {
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range []string{"startedAt", "durationSeconds", "atSeconds"} {
				delete(x, k)
			}
			if tr, ok := x["transcript"].([]any); ok {
				slices.SortStableFunc(tr, func(p, q any) int {
					cp, _ := p.(map[string]any)["conn"].(string)
					cq, _ := q.(map[string]any)["conn"].(string)
					return strings.Compare(cp, cq)
				})
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(run)
	cs, ok := run["cases"].([]any)
	if !ok {
		return
	}
	byKey := map[string]any{}
	for _, x := range cs {
		c, _ := x.(map[string]any)
		key, _ := c["id"].(string)
		if p, _ := c["profile"].(string); p != "" {
			key += "@" + p
		}
		byKey["case "+key] = c
	}
	delete(run, "cases")
	for k, c := range byKey {
		run[k] = c
	}
}

// differ reports, through add, every path at which x and y differ.
func differ(at string, x, y any, add func(string)) {
	switch a := x.(type) {
	case map[string]any:
		b, ok := y.(map[string]any)
		if !ok {
			add(fmt.Sprintf("%s: %s against %s", at, brief(x), brief(y)))
			return
		}
		keys := make([]string, 0, len(a)+len(b))
		for k := range a {
			keys = append(keys, k)
		}
		for k := range b {
			if _, ok := a[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			sep := "."
			if strings.HasPrefix(k, "case ") || strings.HasPrefix(at, "target ") && !strings.Contains(at, ":") {
				sep = ": "
			}
			differ(at+sep+k, a[k], b[k], add)
		}
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			add(fmt.Sprintf("%s: %s against %s", at, brief(x), brief(y)))
			return
		}
		for i := range a {
			differ(fmt.Sprintf("%s[%d]", at, i), a[i], b[i], add)
		}
	default:
		if !reflect.DeepEqual(x, y) {
			add(fmt.Sprintf("%s: %s against %s", at, brief(x), brief(y)))
		}
	}
}

// brief is a value in a difference, JSON, cut to 200 bytes.
func brief(v any) string {
	if v == nil {
		return "absent"
	}
	b, _ := json.Marshal(v)
	return Clip(term.Line(string(b)), 200)
}
