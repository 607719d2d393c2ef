package caselang

import (
	"cmp"
	"slices"
)

// The order in which the cases that send wrong credentials take a limited
// wrong-credential budget on a live target. It is fixed data, never drawn
// from a seed: the same catalogue, profile and flags choose the same
// stimuli in every run, so one firmware gets one verdict. What the budget
// leaves out is named in the reports; --pace runs all of it.

// StimulusClass is one class of wrong-credential stimulus, with why it
// comes where it does in BudgetOrder.
type StimulusClass struct {
	// Name is the class as the reports and docs name it.
	Name string
	// Why says why the class comes before the ones after it.
	Why string
	// has says whether the case, whose first near-miss credential is near
	// (nil for none), is of the class. Exactly one class has each case
	// (TestEveryStimulusHasOneClass).
	has func(c Case, near *NearValue) bool
}

// BudgetOrder is the classes in the order they take the budget. Within a
// class, the near misses go in MissOrder, then the cases that cost fewer
// wrong credentials, then by ID.
var BudgetOrder = []StimulusClass{
	{"smoke", "the basic refusals of a wrong password, PIN and token (RC-8): every run needs them, and a target that fails them fails the rest",
		func(c Case, _ *NearValue) bool { return c.HasLabel("smoke") }},
	{"administrator secret, near miss", "an administrator password or PIN accepted when almost right hands a stranger the whole device: the costliest defect a wrong credential can find",
		func(c Case, near *NearValue) bool {
			return plainMust(c) && near != nil && nearSubject(near.Base) == Admin
		}},
	{"the reading's own examples", "the wrong credentials the reading itself names (RC-8: wrong password, wrong PIN, altered or malformed token, a prefix, an extension, other letter case), hand-written",
		func(c Case, near *NearValue) bool { return plainMust(c) && near == nil }},
	{"user secret, near miss", "a user password or PIN accepted when almost right gives user mode to whoever is near the room",
		func(c Case, near *NearValue) bool {
			return plainMust(c) && near != nil && nearSubject(near.Base) == User
		}},
	{"token, near miss", "a token compared on a prefix, folded or truncated: a hole, but one that needs a token to begin with",
		func(c Case, near *NearValue) bool { return plainMust(c) && near != nil && nearSubject(near.Base) == "" }},
	{"generated", "the generated tours and pairs (cases/generated.txt) that send wrong credentials: several each, for transitions the cases above reach in part",
		func(c Case, _ *NearValue) bool {
			return !c.HasLabel("smoke") && c.Level() == Must && c.HasLabel("generated")
		}},
	{"SHOULD", "the whitespace and type classes of the SHOULD requirements (RC-8b, RC-14): a broken one warns, it does not fail a gate",
		func(c Case, _ *NearValue) bool { return !c.HasLabel("smoke") && c.Level() == Should }},
	{"INFO", "what the reading only records (TOK-4): no verdict rests on it",
		func(c Case, _ *NearValue) bool { return !c.HasLabel("smoke") && c.Level() == Info }},
}

// plainMust is a MUST case neither smoke nor generated.
func plainMust(c Case) bool {
	return !c.HasLabel("smoke") && c.Level() == Must && !c.HasLabel("generated")
}

// MissOrder is the order of the near-miss kinds within a class: first the
// comparisons firmware gets wrong most often (a compare bounded by the
// shorter length, a C string ending at NUL, case folding, normalisation of
// look-alikes and control characters), then the length and type classes.
var MissOrder = []string{
	"prefix", "extension", "nul-extra", "nul", "other-case", "title-case", "look-alike",
	"control-tail", "non-ascii-tail", "newline", "long", "leading-space", "trailing-space",
	"tab", "number", "boolean", "array",
}

// StimulusClassOf returns the index in BudgetOrder of the class of a
// case, and the kind of its near miss ("" for none).
func StimulusClassOf(c Case) (class int, Miss string) {
	near, Miss := c.nearMissOf()
	for i, k := range BudgetOrder {
		if k.has(c, near) {
			return i, Miss
		}
	}
	return len(BudgetOrder), Miss
}

// OrderForBudget returns cs in the order they take the budget
// (BudgetOrder, MissOrder, fewer wrong credentials first, ID).
func OrderForBudget(cs []Case) []Case {
	type ranked struct {
		c           Case
		class, Miss int
		wrong       int
	}
	rs := make([]ranked, len(cs))
	for i, c := range cs {
		class, Miss := StimulusClassOf(c)
		m := slices.Index(MissOrder, Miss)
		if m < 0 {
			m = len(MissOrder)
		}
		rs[i] = ranked{c, class, m, c.WrongCredentials()}
	}
	slices.SortStableFunc(rs, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(a.class, b.class), cmp.Compare(a.Miss, b.Miss),
			cmp.Compare(a.wrong, b.wrong), cmp.Compare(a.c.ID, b.c.ID))
	})
	out := make([]Case, len(rs))
	for i, r := range rs {
		out[i] = r.c
	}
	return out
}

// nearMissOf returns the first near-miss value the case sends as
// credentials, and its kind.
func (c Case) nearMissOf() (*NearValue, string) {
	for _, s := range c.Steps {
		r, ok := s.Request()
		if !ok || r.Credentials == nil {
			continue
		}
		if n, ok := r.Credentials.(NearValue); ok {
			return &n, n.Miss.Name
		}
	}
	return nil, ""
}

// nearSubject is the mode whose secret a near miss stands near: Admin or
// User for a secret, "" for a token (whose mode does not change what
// guessing near it takes).
func nearSubject(v Value) Mode {
	s, ok := v.(secret)
	if !ok {
		return ""
	}
	switch s.kind {
	case AdminPassword, AdminPIN:
		return Admin
	case UserPassword, UserPIN:
		return User
	}
	return ""
}

// ClassesOf counts the classes of BudgetOrder that have c (one, for every
// case: TestEveryStimulusHasOneClass).
func ClassesOf(c Case) int {
	near, _ := c.nearMissOf()
	n := 0
	for _, k := range BudgetOrder {
		if k.has(c, near) {
			n++
		}
	}
	return n
}
