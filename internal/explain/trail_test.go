package explain

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/model"
)

// TestJudgedEverywhereIsDerived holds cases.JudgedEverywhere, the
// requirements of the exploration case (which cannot compute them: the
// model imports cases), to what the code judges on every answer wherever
// it applies: the checks of caselang.EveryAuthAnswer, the engine's barrier
// and close-after-failure findings, and everything the model cites
// (model.Cited, itself held to the model's code by its tests), less the
// INFO requirements, which are only recorded.
func TestJudgedEverywhereIsDerived(t *testing.T) {
	want := judgedEverywhere()
	got := slices.Sorted(slices.Values(cases.JudgedEverywhere))
	if missing, extra := setDiff(want, got); len(missing)+len(extra) > 0 {
		t.Errorf("cases.JudgedEverywhere disagrees with what the code judges on every answer:\n  missing %v\n  listed but judged only by its own cases %v", missing, extra)
	}
	if d := slices.Compact(slices.Clone(got)); len(d) != len(cases.JudgedEverywhere) {
		t.Errorf("cases.JudgedEverywhere lists a requirement twice: %v", cases.JudgedEverywhere)
	}
}

// TestEngineCitesWhatCheckedWhereSays: the requirements checkedWhere puts
// down to the engine itself (engineEverywhere) are cited by the engine's
// code, so that the claim goes when the code does.
func TestEngineCitesWhatCheckedWhereSays(t *testing.T) {
	cites, err := Citations(filepath.Join("..", "engine"))
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range engineEverywhere {
		if len(cites[req]) == 0 {
			t.Errorf("checkedWhere says the engine judges %s on every answer, but no engine code cites it", req)
		}
	}
}

// judgedEverywhere derives JudgedEverywhere from the code (sorted).
func judgedEverywhere() []string {
	set := map[string]bool{}
	for _, o := range invariantObservations() {
		for _, ch := range caselang.EveryAuthAnswer(o) {
			set[ch.Req] = true
		}
	}
	for _, l := range [][]string{engineEverywhere, model.Cited.Auth, model.Cited.Commands, model.Cited.HTTP} {
		for _, r := range l {
			set[r] = true
		}
	}
	var out []string
	for r := range set {
		if caselang.LevelOf(r) != caselang.Info {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}

// setDiff returns what of sorted want is not in sorted got, and the reverse.
func setDiff(want, got []string) (missing, extra []string) {
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, g)
		}
	}
	return missing, extra
}

// TestCitations: a requirement's ID as a string literal cites it where it
// stands (a function, a method, a constant); a comparison or a switch's
// case reads it and cites nothing; variables, test files and strings that
// are no requirement's ID are left out.
func TestCitations(t *testing.T) {
	dir := t.TempDir()
	src := `package p

const legacy = "ENV-6"

var Listed = []string{"RC-7"}

type M struct{ why string }

func plain() string { return "RC-8" }

func (m *M) method(x string) {
	if m.why == "SEC-4" || x != "SEC-3" {
		m.why = "ROLE-1"
	}
	switch x {
	case "TOK-1":
	}
	f := func() string { return "ROLE-2" }
	_ = f
	_ = "NOT-1"
}

func (m M) value() string { return "ROLE-2" }
`
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("p.go", src)
	write("p_test.go", "package p\n\nfunc cited() string { return \"RC-9\" }\n")
	got, err := Citations(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"ENV-6": {"p.legacy"}, "RC-8": {"p.plain"}, "ROLE-1": {"p.(*M).method"},
		"ROLE-2": {"p.(*M).method", "p.M.value"},
	}
	if !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("Citations = %v, want %v", got, want)
	}
	if _, err := Citations(filepath.Join(dir, "none")); err == nil {
		t.Error("a missing directory: no error")
	}
	if _, err := Citations(t.TempDir()); err == nil {
		t.Error("a directory without Go source: no error")
	}
}

// TestTrail: what checks a requirement, by symbol, from the catalogue, the
// invariants, the exercises, the model and the engine; and never a line.
func TestTrail(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.LoadSource(filepath.Join("..", "..")); err != nil {
		t.Fatal(err)
	}
	has := func(req, what string, syms []string, want string) {
		t.Helper()
		if !slices.Contains(syms, want) {
			t.Errorf("%s: %s %v lacks %s", req, what, syms, want)
		}
	}
	has("RC-8", "checks", r.Trail("RC-8").Checks, "caselang.Code")
	has("RC-8", "model", r.Trail("RC-8").Model, "model.(*Model).secured")
	has("ENV-1", "checks", r.Trail("ENV-1").Checks, "caselang.Send.ExactlyOne")
	has("ENV-2", "every answer", r.Trail("ENV-2").EveryAnswer, "caselang.Method")
	has("ENV-9", "engine", r.Trail("ENV-9").Engine, "engine.(*execution).closedAfterFailure")
	has("SEC-2", "model", r.Trail("SEC-2").Model, "model.(*Exchange).judgeAuthInfo")
	has("LIFE-2", "model", r.Trail("LIFE-2").Model, "model.(*HTTPExchange).Expected")
	has("AUTH-5", "checks", r.Trail("AUTH-5").Checks, "caselang.DistinctTokens")
	var withExercises bool
	for _, q := range caselang.Requirements() {
		withExercises = withExercises || len(r.Trail(q.ID).Exercises) > 0
	}
	if !withExercises {
		t.Error("no requirement is checked by the token exercises")
	}
	// A check built here, in another package, where the compiler may
	// inline its constructor, still names it.
	if got := caselang.Answered("ENV-9").Constructor(); got != "caselang.Answered" {
		t.Errorf("Constructor from another package: %q", got)
	}
	doc := r.Requirements()
	if m := regexp.MustCompile(`\.go:\d+|line \d+`).FindString(doc); m != "" {
		t.Errorf("docs/requirements.md gives a line (%q): the trail is by symbol", m)
	}
	if !strings.Contains(doc, "- What checks it, by symbol:\n  - its cases' checks: `caselang.Code`") {
		t.Error("docs/requirements.md lacks the trail")
	}
}
