package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/jsonnum"
)

// Outcome is one answer to an auth request the reading accepts: a success
// in a mode, or a failure with one of some codes.
type Outcome struct {
	Success bool
	// Mode is the mode a success grants ("" any).
	Mode caselang.Mode
	// Codes are the failure's accepted resultCodes (nil: any failure).
	Codes []int
}

// success is the outcome "success in mode m".
func success(m caselang.Mode) Outcome { return Outcome{Success: true, Mode: m} }

// failure is the outcome "a failure with one of these codes" (none: any).
func failure(codes ...int) Outcome { return Outcome{Codes: codes} }

// failureExcept is a failure with any code but these.
func failureExcept(not ...int) Outcome {
	var codes []int
	for c := 1; c <= 12; c++ {
		if !slices.Contains(not, c) {
			codes = append(codes, c)
		}
	}
	return failure(codes...)
}

func (o Outcome) String() string {
	switch {
	case o.Success && o.Mode == "":
		return "success"
	case o.Success:
		return fmt.Sprintf("success with previleges %d", o.Mode.Previleges())
	case len(o.Codes) == 0:
		return "a failure"
	case len(o.Codes) == 11:
		for c := 1; c <= 12; c++ {
			if !slices.Contains(o.Codes, c) {
				return fmt.Sprintf("a failure other than resultCode %d", c)
			}
		}
	}
	s := make([]string, len(o.Codes))
	for i, c := range o.Codes {
		s[i] = strconv.Itoa(c)
	}
	return "resultCode " + strings.Join(s, " or ")
}

// Rule is one requirement's accepted answers to an auth request. An answer
// must satisfy every rule of its exchange; a rule with no outcomes accepts
// anything (INFO: the answer is only recorded).
type Rule struct {
	Req      string
	Outcomes []Outcome
	// What is the stimulus in words, for the finding ("a wrong password").
	What string
}

// Accepts reports whether the answer a satisfies the rule.
func (r Rule) Accepts(a Answered) bool {
	if len(r.Outcomes) == 0 {
		return true
	}
	for _, o := range r.Outcomes {
		if a.matches(o) {
			return true
		}
	}
	return false
}

// wantsSuccess says the rule accepts only successes.
func (r Rule) wantsSuccess() bool {
	if len(r.Outcomes) == 0 {
		return false
	}
	for _, o := range r.Outcomes {
		if !o.Success {
			return false
		}
	}
	return true
}

// Expected says what the rule accepts.
func (r Rule) Expected() string {
	if len(r.Outcomes) == 0 {
		return "any answer"
	}
	s := make([]string, len(r.Outcomes))
	for i, o := range r.Outcomes {
		s[i] = o.String()
	}
	return strings.Join(s, ", or ")
}

// with6 adds the lockout's code to a rule: after repeated wrong credentials
// a server may refuse anything with 6 (RC-6; the threshold is unknown).
func (r Rule) with6() Rule {
	if len(r.Outcomes) == 0 {
		return r
	}
	out := slices.Clone(r.Outcomes)
	for i, o := range out {
		if !o.Success && len(o.Codes) > 0 && !slices.Contains(o.Codes, 6) {
			out[i].Codes = append(slices.Clone(o.Codes), 6)
			r.Outcomes = out
			return r
		}
		if !o.Success && len(o.Codes) == 0 {
			return r // any failure includes 6
		}
	}
	r.Outcomes = append(out, failure(6))
	return r
}

// Answered is an auth answer as the rules see it.
type Answered struct {
	// Success is result true (TrueConf's own client decides by result alone).
	Success bool
	// Previleges is the mode the answer claims (0 when absent or not 1/2).
	Previleges int
	// Code is the resultCode; HasCode is false when absent or not an integer.
	Code    int
	HasCode bool
}

// ReadAnswer reads an auth answer's result, resultCode and previleges.
func ReadAnswer(fields map[string]any) Answered {
	var a Answered
	a.Success, _ = fields["result"].(bool)
	a.Code, a.HasCode = jsonnum.Int(fields["resultCode"])
	if p, ok := jsonnum.Int(fields["previleges"]); ok && (p == 1 || p == 2) {
		a.Previleges = p
	}
	return a
}

// Mode is the mode the answer claims, "" if none.
func (a Answered) Mode() caselang.Mode {
	switch a.Previleges {
	case 1:
		return caselang.User
	case 2:
		return caselang.Admin
	}
	return ""
}

func (a Answered) matches(o Outcome) bool {
	switch {
	case o.Success != a.Success:
		return false
	case o.Success:
		return o.Mode == "" || a.Previleges == o.Mode.Previleges()
	case len(o.Codes) == 0:
		return true
	}
	return a.HasCode && slices.Contains(o.Codes, a.Code)
}

func (a Answered) String() string {
	switch {
	case a.Success && a.Previleges != 0:
		return fmt.Sprintf("success with previleges %d", a.Previleges)
	case a.Success:
		return "success without previleges 1 or 2"
	case a.HasCode:
		return "resultCode " + strconv.Itoa(a.Code)
	}
	return "a failure without a resultCode"
}

// finding builds a finding of the model.
func finding(req, step, check string, ok bool, expected, actual, note string) caselang.Finding {
	return caselang.Finding{Requirement: req, Level: caselang.LevelOf(req), Step: step, Check: check,
		OK: ok, Expected: expected, Actual: actual, Note: note}
}
