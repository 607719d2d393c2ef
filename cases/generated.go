package cases

import (
	_ "embed" // the generated catalogue
	"fmt"
	"slices"
	"strconv"
	"strings"

	. "github.com/roomconform/conform/caselang"
)

// The generated cases: transition tours and covering arrays that
// internal/generate derives from the model of the reading, kept in
// generated.txt (one line per step, in the alphabet's own words) and
// turned into cases here. A test regenerates the file and fails when it
// is stale.

//go:embed generated.txt
var generatedText string

// Reaches returns the reach of the generated cases, one per group of
// profiles that share it.
func Reaches() []Reach { return slices.Clone(generatedReach) }

// ReachOf returns the reach of the generated cases for profile p.
func ReachOf(p Profile) (Reach, bool) {
	key := ProfileKey(p)
	for _, r := range generatedReach {
		if slices.Contains(r.Profiles, key) {
			return r, true
		}
	}
	return Reach{}, false
}

var generatedCases, generatedReach = func() ([]Case, []Reach) {
	cs, rs, err := ParseGenerated(generatedText)
	if err != nil {
		// A generated file that does not parse is a bug the tests catch
		// before it ships (TestGeneratedIsFresh): no run can start.
		panic("cases/generated.txt: " + err.Error())
	}
	return cs, rs
}()

// ParseGenerated reads the text of generated.txt.
func ParseGenerated(text string) ([]Case, []Reach, error) {
	var (
		cs   []Case
		rs   []Reach
		cur  *Case
		prof []string
		r    *Reach
		n    int
	)
	for ln, line := range strings.Split(text, "\n") {
		fail := func(format string, args ...any) error {
			return fmt.Errorf("line %d: %s", ln+1, fmt.Sprintf(format, args...))
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		switch {
		case word == "reach":
			r = &Reach{Profiles: strings.Fields(rest), Levels: map[string][][]string{}}
		case word == "case":
			cur, n = &Case{ID: rest}, 0
		case word == "end" && r != nil:
			rs = append(rs, *r)
			r = nil
		case word == "end" && cur != nil:
			cur.Needs = generatedNeeds(prof, cur.Steps)
			cs = append(cs, *cur)
			cur = nil
		case r != nil && word == "transition":
			r.Transitions = append(r.Transitions, rest)
		case r != nil && word == "levels":
			class, fields, _ := strings.Cut(rest, " :: ")
			var lv [][]string
			for _, f := range strings.Fields(fields) {
				_, names, _ := strings.Cut(f, "=")
				lv = append(lv, strings.Split(names, ","))
			}
			r.Levels[class] = lv
		case r != nil && word == "counts":
			for _, f := range strings.Fields(rest) {
				k, v, _ := strings.Cut(f, "=")
				n, err := strconv.Atoi(v)
				if err != nil {
					return nil, nil, fail("count %q", f)
				}
				switch k {
				case "pairs":
					r.Pairs = n
				case "open":
					r.Open = n
				}
			}
		case cur == nil:
			return nil, nil, fail("%q outside a case", line)
		case word == "title":
			cur.Title = rest
		case word == "profiles":
			prof = strings.Fields(rest)
		case word == "requirements":
			cur.Requirements = strings.Fields(rest)
		case word == "labels":
			cur.Labels = strings.Fields(rest)
		default:
			n++
			st, err := generatedStep(strings.Fields(line), n)
			if err != nil {
				return nil, nil, fail("%v", err)
			}
			cur.Steps = append(cur.Steps, st)
		}
	}
	if cur != nil || r != nil {
		return nil, nil, fmt.Errorf("the last block has no end")
	}
	return cs, rs, nil
}

// generatedStep makes the n-th step of a generated case from its line:
// connection, input (a row's classes after "row"), then optionally the
// token it takes (step.field), "recover", and "=REQ" for its check.
func generatedStep(f []string, n int) (Step, error) {
	if len(f) < 2 {
		return Step{}, fmt.Errorf("a step needs a connection and an input")
	}
	st := Step{Name: "s" + strconv.Itoa(n), Conn: f[0]}
	if st.Conn == "-" {
		st.Conn = ""
	}
	var (
		tok     Value
		recover bool
		req     string
		r       Request
		in      Input
	)
	rest := f[2:]
	if f[1] == "row" {
		if len(rest) < len(Factors) {
			return Step{}, fmt.Errorf("a row needs a class for each of %d fields", len(Factors))
		}
		levels := make([]int, len(Factors))
		for i, fa := range Factors {
			name, ok := strings.CutPrefix(rest[i], fa.Name+"=")
			j := slices.IndexFunc(fa.Classes, func(c FieldClass) bool { return c.Name == name })
			if !ok || j < 0 {
				return Step{}, fmt.Errorf("no class %q of field %s", rest[i], fa.Name)
			}
			levels[i] = j
		}
		r, _ = Row(levels)
		rest = rest[len(Factors):]
	} else {
		i := slices.IndexFunc(Tour, func(in Input) bool { return in.Name == f[1] })
		if i < 0 {
			return Step{}, fmt.Errorf("no input %q in the alphabet", f[1])
		}
		in, r = Tour[i], Tour[i].Request
	}
	for _, w := range rest {
		switch {
		case w == "recover":
			recover = true
		case strings.HasPrefix(w, "="):
			req = w[1:]
		case strings.Contains(w, "."):
			step, field, _ := strings.Cut(w, ".")
			switch field {
			case "token":
				tok = TokenOf(step)
			case "tokenForHttpServer":
				tok = HTTPTokenOf(step)
			default:
				return Step{}, fmt.Errorf("no token field %q", field)
			}
		default:
			return Step{}, fmt.Errorf("unknown word %q", w)
		}
	}
	if _, ok := IsPlaceholder(r.Credentials); ok {
		if tok == nil {
			return Step{}, fmt.Errorf("input %s needs a token", f[1])
		}
		r.Credentials = tok
	}
	switch {
	case in.Close:
		st.Do = Close{Abrupt: in.Abrupt}
	case in.HTTP:
		if (tok == nil) != (in.Tokens == "") {
			return Step{}, fmt.Errorf("input %s takes a token if and only if it names a kind", in.Name)
		}
		st.Do = HTTPGet{Token: tok, Shape: in.Shape}
	default:
		st.Do = Send{Request: r, Recovery: recover}
	}
	if req != "" {
		st.Expect = []Check{AsTheReadingSays(req)}
	}
	return st, nil
}

// generatedNeeds are a generated case's needs: one of the profiles it was
// generated for (other profiles have their own), and a login in each mode
// its steps enter.
func generatedNeeds(profiles []string, steps []Step) []Need {
	needs := []Need{{
		Met: func(p Profile) bool { return slices.Contains(profiles, ProfileKey(p)) },
		Reason: func(p Profile) string {
			if !keyed(p) {
				return "needs the target's protection kinds, which only admin access reads: " + AdminAccessHint
			}
			return fmt.Sprintf("generated for the profiles %s; this target is %s (its own generated cases cover it)", strings.Join(profiles, ", "), ProfileKey(p))
		},
		Inapplicable: keyed,
	}}
	for _, m := range []Mode{Admin, User} {
		for _, s := range steps {
			if r, ok := s.Request(); ok && (r.Credentials == Credential(m) || usesNear(r.Credentials, m)) {
				needs = append(needs, CanLogin(m))
				break
			}
		}
	}
	return needs
}

// usesNear reports whether v is a near miss of mode m's credential.
func usesNear(v Value, m Mode) bool {
	n, ok := v.(NearValue)
	return ok && n.Base == Credential(m)
}

// keyed reports whether the suite knows enough of p's protection to pick
// its generated cases: both kinds, or (Free plan) whether each mode is
// protected.
func keyed(p Profile) bool {
	if p.Plan == Free {
		return p.Admin != Unknown && p.User != Unknown
	}
	return KnownSecurity(p.Admin) && KnownSecurity(p.User)
}
