package caselang

// CaseSet is a set of cases written in the language, and the requirements
// none of them checks yet: what a run's coverage is measured against and a
// baseline's case IDs are checked against. The suite's own is
// cases.Catalogue().
type CaseSet struct {
	// Cases are every case of the set, selected by a run or not.
	Cases []Case
	// NotYetCovered maps each requirement no case checks to the reason.
	NotYetCovered map[string]string
}

// Lookup returns the case with the given ID.
func (s CaseSet) Lookup(id string) (Case, bool) {
	for _, c := range s.Cases {
		if c.ID == id {
			return c, true
		}
	}
	return Case{}, false
}
