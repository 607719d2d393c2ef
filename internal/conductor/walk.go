package conductor

import (
	"context"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/walk"
)

// Section is a group of cases the run makes in another protection profile
// than the target's own, after the cases of the target's own: the walk
// (walk.Stage) puts the target there first.
type Section struct {
	Profile string
	Enter   func(ctx context.Context) (*engine.Runner, error)
	Cases   []caselang.Case
}

// PlanSections gives each selected case that does not apply to the
// target's own profile (skipped for its configuration: caselang.Case.Gap)
// to the first stage whose profile it applies to, so that it runs once,
// there. Mutating cases (they reconfigure and restore by themselves) go
// only to a Reconfiguring stage, a target of that profile of its own,
// never to the walk's; stages that get no case are left out.
func PlanSections(own caselang.Profile, selected []caselang.Case, stages []walk.Stage) []Section {
	var out []Section
	placed := map[string]bool{}
	for _, st := range stages {
		sec := Section{Profile: st.Name, Enter: st.Enter}
		for _, c := range selected {
			if placed[c.ID] || c.HasLabel("mutating") != st.Reconfiguring || c.HasLabel("generated") {
				// A generated case of another profile tours that
				// profile's transitions; the target's own generated
				// cases tour its own.
				continue
			}
			if why, kind := c.Gap(own); why == "" || kind != caselang.Inapplicable {
				continue // runs in the target's own profile, or cannot run for the operator's reasons
			}
			if c.Unmet(st.Profile) == "" {
				sec.Cases = append(sec.Cases, c)
				placed[c.ID] = true
			}
		}
		if len(sec.Cases) > 0 {
			out = append(out, sec)
		}
	}
	return out
}
