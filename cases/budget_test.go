package cases_test

import (
	"slices"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
)

// TestBudgetOrderIsPinned: the classes and the near-miss kinds keep the
// order docs/catalogue.md documents; changing it changes which stimuli a
// live run with the default budget sends, so it is a decision, made here.
func TestBudgetOrderIsPinned(t *testing.T) {
	var names []string
	for _, k := range caselang.BudgetOrder {
		names = append(names, k.Name)
	}
	want := []string{"smoke", "administrator secret, near miss", "the reading's own examples", "user secret, near miss",
		"token, near miss", "generated", "SHOULD", "INFO"}
	if !slices.Equal(names, want) {
		t.Errorf("BudgetOrder = %q, pinned %q", names, want)
	}
	wantMiss := []string{"prefix", "extension", "nul-extra", "nul", "other-case", "title-case", "look-alike",
		"control-tail", "non-ascii-tail", "newline", "long", "leading-space", "trailing-space", "tab", "number", "boolean", "array"}
	if !slices.Equal(caselang.MissOrder, wantMiss) {
		t.Errorf("MissOrder = %q, pinned %q", caselang.MissOrder, wantMiss)
	}
	// The head of the order over the whole catalogue.
	var wrong []caselang.Case
	for _, c := range cases.All() {
		if c.WrongCredentials() > 0 && !c.HasLabel("disruptive") {
			wrong = append(wrong, c)
		}
	}
	var head []string
	for _, c := range caselang.OrderForBudget(wrong) {
		if k, _ := caselang.StimulusClassOf(c); k > 0 && len(head) < 3 {
			head = append(head, c.ID)
		}
	}
	wantHead := []string{"rc-8-near-admin-password-prefix", "rc-8-near-admin-pin-prefix", "rc-8-near-admin-password-extension"}
	if !slices.Equal(head, wantHead) {
		t.Errorf("after the smoke cases the budget takes %q, pinned %q", head, wantHead)
	}
}

// TestEveryStimulusHasOneClass: each case that sends wrong credentials is
// of exactly one class, and the order never goes back to an earlier class
// or, within a class, to an earlier near-miss kind.
func TestEveryStimulusHasOneClass(t *testing.T) {
	var wrong []caselang.Case
	for _, c := range cases.All() {
		if c.WrongCredentials() > 0 {
			wrong = append(wrong, c)
			if n := caselang.ClassesOf(c); n != 1 {
				t.Errorf("%s is of %d classes of caselang.BudgetOrder, want exactly one", c.ID, n)
			}
		}
	}
	if len(wrong) < 50 {
		t.Fatalf("only %d cases send wrong credentials: the test no longer exercises the order", len(wrong))
	}
	prevClass, prevMiss := 0, 0
	for _, c := range caselang.OrderForBudget(wrong) {
		k, miss := caselang.StimulusClassOf(c)
		m := slices.Index(caselang.MissOrder, miss)
		if m < 0 {
			m = len(caselang.MissOrder)
		}
		switch {
		case k < prevClass:
			t.Fatalf("%s (class %d) comes after class %d", c.ID, k, prevClass)
		case k == prevClass && m < prevMiss:
			t.Fatalf("%s (miss %q) comes after a later kind of miss in class %d", c.ID, miss, k)
		case k > prevClass:
			prevMiss = 0
		}
		prevClass, prevMiss = k, max(prevMiss, m)
	}
}
