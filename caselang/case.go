package caselang

// Case is one conformance case: the stimulus (its steps) and the answer the
// cited requirements expect. A case is data; internal/engine runs it.
type Case struct {
	// ID is a stable slug ("rc-8-wrong-password"): never renumbered, never reused.
	ID string
	// Title says the stimulus in words.
	Title string
	// Requirements are the requirement IDs the case checks. Their levels decide
	// whether a broken check fails (MUST), warns (SHOULD) or is recorded (INFO).
	Requirements []string
	// Labels select cases (--label-filter); each is one of KnownLabels.
	Labels []string
	// Needs are the profile preconditions; an unmet one skips the case with its reason.
	Needs []Need
	// Steps run in order. A step's checks cite requirements of the case or
	// the requirement that makes a setup step valid.
	Steps []Step
	// After are checks over the whole run of the steps (token uniqueness).
	After []Check
}

// Level is the level of the case's primary (first) requirement: what the
// case is about. Later requirements are often those of setup steps (a login
// that must work, ROLE-1), which fail the case at their own level.
func (c Case) Level() Level {
	if len(c.Requirements) == 0 {
		return Info
	}
	return LevelOf(c.Requirements[0])
}

// Group is the requirement family of the case's first requirement ("RC").
func (c Case) Group() string {
	if len(c.Requirements) == 0 {
		return ""
	}
	return GroupOf(c.Requirements[0])
}

// Unmet returns the reason the profile does not meet the case's
// preconditions, or "" when the case can run.
func (c Case) Unmet(p Profile) string {
	reason, _ := c.Gap(p)
	return reason
}

// GapKind is what an unmet precondition means for the case's requirements.
type GapKind int

const (
	// NoGap: the case can run.
	NoGap GapKind = iota
	// Fixable: the operator could meet it (a secret, a URL): the
	// requirements went unchecked for a reason they can fix.
	Fixable
	// Uncheckable: no run can meet it on this target (waiting out a
	// 30-day lifetime): the requirements are not checkable within a run.
	Uncheckable
	// Inapplicable: the target's own configuration (its protection, its
	// plan): the requirements do not apply to it.
	Inapplicable
)

// Gap is Unmet with its kind: inapplicable when some unmet need is the
// target's own configuration (the case does not apply to this target, and
// that need's reason is given); else uncheckable when some unmet need no
// run can meet (its reason); else the first unmet need, which the
// operator could meet.
func (c Case) Gap(p Profile) (reason string, kind GapKind) {
	uncheckable := ""
	for _, n := range c.Needs {
		if n.Met(p) {
			continue
		}
		switch {
		case n.Inapplicable != nil && n.Inapplicable(p):
			return n.Reason(p), Inapplicable
		case n.Uncheckable && uncheckable == "":
			uncheckable = n.Reason(p)
		case reason == "":
			reason = n.Reason(p)
		}
	}
	switch {
	case uncheckable != "":
		return uncheckable, Uncheckable
	case reason != "":
		return reason, Fixable
	}
	return "", NoGap
}

// HasLabel reports whether the case carries label l.
func (c Case) HasLabel(l string) bool {
	for _, x := range c.Labels {
		if x == l {
			return true
		}
	}
	return false
}

// WrongCredentials counts the wrong credentials the case may send: the
// engine keeps a per-run budget so a live device never locks its
// administrator out.
func (c Case) WrongCredentials() int { return c.WrongCredentialsWith(DefaultSettings()) }

// WrongCredentialsWith is WrongCredentials with the repeats a step takes
// from the run's settings (RC-6 sends --lockout-attempts of them).
func (c Case) WrongCredentialsWith(set Settings) int {
	n := 0
	for _, s := range c.Steps {
		// Steps conditional on a token in an earlier answer (OnlyIf
		// LeakedTokenOf) send only to a defective server; the engine counts
		// what is really sent.
		if _, _, onLeak := TokenSource(s.OnlyIf); s.SendsWrongCredential() && !onLeak {
			reps := 1
			if send, ok := s.Do.(Send); ok {
				reps = max(1, send.Repeat)
				if k, ok := send.RepeatFor.Of(set); ok && send.RepeatFor != "" {
					reps = max(1, k)
				}
			}
			n += reps
		}
	}
	return n
}
