// Package reports holds the result model of a run and writes it out:
// results.json (our schema, docs/results-schema.md) and JUnit XML. Writers
// take a Run that is already redacted (Redacted): they write what they are
// given.
package reports

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/term"
)

// Schema identifies the results.json format; bump on incompatible change.
const Schema = "conform.results/v2"

// Pace is what a paced run (--pace) kept to and did.
type Pace struct {
	// Attempts and WindowSeconds are the declared lockout: this many wrong
	// credentials within this window lock the target.
	Attempts      int     `json:"lockoutAttempts"`
	WindowSeconds float64 `json:"lockoutWindowSeconds"`
	// PerWindow is the most wrong credentials sent in one window (N-2).
	PerWindow int `json:"perWindow"`
	// Windows is how many times the run waited for the window to pass.
	Windows int `json:"windows"`
	// Complete says every stimulus of the plan ran: no case left out, no
	// token exercise not run, no lockout.
	Complete bool `json:"complete"`
}

// Run is one whole run.
type Run struct {
	Schema    string    `json:"schema"`
	Tool      string    `json:"tool"`
	Version   string    `json:"version"`
	StartedAt time.Time `json:"startedAt"`
	Duration  float64   `json:"durationSeconds"`
	Target    Target    `json:"target"`
	Profile   Profile   `json:"profile"`
	Selection Selection `json:"selection"`
	Summary   Summary   `json:"summary"`
	// Seed seeded the exploration's random walks; --seed with it repeats
	// them. The wrong-credential budget's order is fixed.
	Seed uint64 `json:"seed"`
	// NotRun lists the cases the budget left out: neither a pass nor a
	// failure (--pace runs them).
	NotRun []string `json:"notRun,omitempty"`
	// Unselected are the cases of the catalogue the selection left out,
	// with what they would have been: excluded (the operator's selection,
	// --label-filter, --case, --requirement, or the safe live default's),
	// not applicable or not checkable against this target. Cases made for
	// another profile are not listed.
	Unselected []Unselected `json:"unselected,omitempty"`
	// Pace is set for a paced run (--pace): the declared lockout, the
	// windows waited, and whether every stimulus of the plan ran.
	Pace  *Pace  `json:"pace,omitempty"`
	Cases []Case `json:"cases"`
	// Require is the --require level (Requires): what the gate demands of
	// the coverage beyond the cases' verdicts.
	Require string `json:"require,omitempty"`
	// Coverage is every requirement of the reading and whether this run
	// checked it (computed by Tally).
	Coverage []Coverage `json:"coverage"`
	// Transitions is what the run's steps covered of the model's
	// transitions and field pairs in the target's own profile (nil: no
	// generated case is made for its profile).
	Transitions *Transitions `json:"transitions,omitempty"`
	// Reconfiguration is what the operator must be told after the run
	// changed the target's protection and put it back: a user PIN it had to
	// regenerate, and where to read the new one (never the PIN).
	Reconfiguration []string `json:"reconfiguration,omitempty"`
	// RestoreError says why the original protection could not be put back
	// after the walk ("" when it was, or nothing was changed): the target
	// may be left changed; conform restore replays the journal.
	RestoreError string `json:"restoreError,omitempty"`
	// StaleBaseline lists the --baseline entries no case of the catalogue
	// answers to any more (a case renamed or removed): stale, like a
	// baselined case that passes now.
	StaleBaseline []string `json:"staleBaseline,omitempty"`
	// Interrupted says why the run ended early ("" if it did not).
	Interrupted string `json:"interrupted,omitempty"`
	// InfrastructureError says why the run's verdict cannot stand whatever
	// the cases say (the target issued more secrets than can be redacted):
	// the run ends with exit 3, and the reports say so.
	InfrastructureError string `json:"infrastructureError,omitempty"`
	// Preflight is the probe that learnt the profile; its transcript is kept
	// only when it failed.
	Preflight Preflight `json:"preflight"`

	// carried are the --baseline lines of the cases the run did not judge,
	// for a --write-baseline file (Baseline.Apply).
	carried []string
	// Observed counts the successful auth answers the run saw and those
	// without resultCode (nil when no case ran): the verdict's hint at
	// --legacy (LegacyHint) is decided from it.
	Observed *Observed `json:"observed,omitempty"`
	// Interop notes the target's conformant choices known to break real
	// clients (INFO: never a verdict or an exit code); nil when none was
	// seen.
	Interop []InteropNote `json:"interop,omitempty"`
	// Server is the embedded reference server's setup as the operator gave
	// it (nil for a live target), for the rerun commands of the causes.
	Server *Server `json:"server,omitempty"`
}

// Preflight is the outcome of the one dial and auth probe before the cases.
type Preflight struct {
	OK         bool    `json:"ok"`
	Error      string  `json:"error,omitempty"`
	Transcript []Frame `json:"transcript,omitempty"`
}

// Unselected is a catalogue case the selection left out.
type Unselected struct {
	ID string `json:"id"`
	// As is what the case would be if selected: caselang.SkipExcluded when
	// it could run, else not applicable or not checkable.
	As caselang.Skipped `json:"as"`
	// Reason says why it could not run, for the last two.
	Reason string `json:"reason,omitempty"`
}

// Excluded lists the IDs of the unselected cases that could have run.
func (r Run) Excluded() []string {
	var out []string
	for _, u := range r.Unselected {
		if u.As == caselang.SkipExcluded {
			out = append(out, u.ID)
		}
	}
	return out
}

// Target is where the run went.
type Target struct {
	URL      string `json:"url"`
	Embedded bool   `json:"embedded"`
	// Web and HTTP are a live target's web manager and embedded HTTP
	// server, as given (--web, --http) or discovered ("" if neither).
	Web  string `json:"web,omitempty"`
	HTTP string `json:"http,omitempty"`
}

// Profile is the target's protection as the suite learnt it.
type Profile struct {
	Admin   string   `json:"admin"`
	User    string   `json:"user"`
	Plan    string   `json:"plan"`
	Secrets []string `json:"secrets"`
	Source  string   `json:"source"`
	Notes   []string `json:"notes,omitempty"`
}

// Selection is what the operator asked to run.
type Selection struct {
	LabelFilter string   `json:"labelFilter"`
	Cases       []string `json:"cases,omitempty"`
	Strict      bool     `json:"strict"`
	// Legacy: a success without resultCode was a WARN (--legacy).
	Legacy bool `json:"legacy,omitempty"`
	// Requirements are the --requirement IDs whose cases were selected.
	Requirements []string `json:"requirements,omitempty"`
}

// Summary counts verdicts and coverage.
type Summary struct {
	Total int `json:"total"`
	Pass  int `json:"pass"`
	Fail  int `json:"fail"`
	Warn  int `json:"warn"`
	Skip  int `json:"skip"`
	Error int `json:"error"`
	// XFail counts the baselined cases that failed as expected.
	XFail int `json:"xfail"`
	// Stale counts the baselined cases that no longer fail.
	Stale int `json:"staleBaseline"`
	// Must and Should are the coverage of the requirements of each level.
	Must   CoverageCounts `json:"must"`
	Should CoverageCounts `json:"should"`
	// Verdict is the run's verdict word (Verdict*), ExitCode the process's.
	Verdict  string `json:"verdict"`
	ExitCode int    `json:"exitCode"`
	// Partial says the selection or the budget left cases out: what was
	// checked may be conformant, but not everything was checked. It
	// qualifies the verdict and never changes the exit code.
	Partial bool `json:"partial"`
	// Why says, for a verdict that is not plain, what made it so: the
	// unchecked requirements of an incomplete run or a failed --require,
	// what made the run partial. One line each.
	Why []string `json:"why,omitempty"`
}

// Case is one selected case's result.
type Case struct {
	ID           string        `json:"id"`
	Title        string        `json:"title"`
	Group        string        `json:"group"`
	Requirements []Requirement `json:"requirements"`
	Labels       []string      `json:"labels"`
	// Profile is the protection profile the case ran in when the walk put
	// the target in another than its own to run it ("" for the target's
	// own).
	Profile string           `json:"profile,omitempty"`
	Verdict caselang.Verdict `json:"verdict"`
	// Message is the skip reason, the error, or the broken findings.
	Message  string    `json:"message,omitempty"`
	Duration float64   `json:"durationSeconds"`
	Findings []Finding `json:"findings,omitempty"`
	// Skipped says what a SKIP means for the case's requirements ("" for
	// a reason the operator can fix; see caselang.Skipped).
	Skipped caselang.Skipped `json:"skipped,omitempty"`
	// Baseline is set when the case is a known failure (--baseline).
	Baseline *Known `json:"baseline,omitempty"`
	// NotRun lists the token exercises the budget did not allow.
	NotRun     []string `json:"notRun,omitempty"`
	Transcript []Frame  `json:"transcript,omitempty"`
}

// HasLabel reports whether the case carries label l.
func (c Case) HasLabel(l string) bool { return slices.Contains(c.Labels, l) }

// Key names the case's result: its ID, with "@profile" when it ran in
// another profile than the target's own (the walk).
func (c Case) Key() string {
	if c.Profile == "" {
		return c.ID
	}
	return c.ID + "@" + c.Profile
}

// Requirement is a cited requirement and its level.
type Requirement struct {
	ID    string `json:"id"`
	Level string `json:"level"`
}

// Finding is one check's result as the checks produce it, with its key.
type Finding struct {
	caselang.Finding
	// Key names the finding across runs (FindingKey): set by Tally.
	Key string `json:"key"`
}

// FindingsOf wraps the checks' findings for a report (keys unset).
func FindingsOf(fs []caselang.Finding) []Finding {
	if fs == nil {
		return nil
	}
	out := make([]Finding, len(fs))
	for i, f := range fs {
		out[i] = Finding{Finding: f}
	}
	return out
}

// Frame is one line of a wire transcript.
type Frame struct {
	Conn    string  `json:"conn,omitempty"`
	Dir     string  `json:"dir"`
	At      float64 `json:"atSeconds"`
	Kind    string  `json:"kind"`
	Payload string  `json:"payload"`
	// Size is the payload's length on the wire when it was cut (0: it was not).
	Size int `json:"size,omitempty"`
	// Step names the case's step whose request this frame is ("": none).
	Step string `json:"step,omitempty"`
}

// Exit codes of the CLI contract.
const (
	ExitConformant    = 0
	ExitNotConformant = 1
	ExitUsage         = 2
	ExitUnreachable   = 3
	// ExitIncomplete: no failure, but nothing was judged, or on a live
	// target a MUST requirement that applies and was selected went
	// unchecked for a reason the operator can fix (as pytest's 5 for "no
	// tests collected": a gate must not pass on what was not checked).
	ExitIncomplete = 4
)

// The verdict words (Summary.Verdict).
const (
	VerdictConformant     = "conformant"
	VerdictKnownFailures  = "conformant but for known failures"
	VerdictNotConformant  = "not conformant"
	VerdictIncomplete     = "incomplete"
	VerdictStale          = "baseline stale"
	VerdictInterrupted    = "interrupted"
	VerdictError          = "error"
	VerdictInfrastructure = "infrastructure error"
	VerdictRestoreFailed  = "error: the original protection could not be restored"
	VerdictUncovered      = "requirements unchecked" // with the --require level
)

// Redacted returns a copy of r with its free text passed through redact
// and made safe to show: the target's URL, the profile's notes, the
// interruption and preflight errors, the reconfiguration notes and restore
// error, the coverage's reasons, case messages, the baselines' reasons (the
// operator's text is treated as the target's) and the findings' expected,
// actual and note. Each is one line, its newlines and control characters
// escaped (term.Line), so that no text can pose as a line of the report's
// own; a message that is a case's broken findings keeps one line for each.
// The structure (verdicts, IDs, levels, labels, counts) is never touched,
// so no secret, however it is spelt, can change a verdict. Transcript
// payloads are not touched either: they arrive redacted and escaped from
// the transcript, which alone knows where a long payload was cut.
//
// Long texts are cut after they are redacted (a cut before could leave part
// of a secret unrecognisable): MaxText bytes for a message, MaxField for a
// finding's field or a note.
func (r Run) Redacted(redact func(string) string) Run {
	out := r.withText(func(s string) string { return term.Line(Clip(redact(s), MaxField)) })
	out.Preflight.Error = term.Line(Clip(redact(r.Preflight.Error), MaxText))
	for i, c := range r.Cases {
		lines := messageLines(c)
		for j, l := range lines {
			lines[j] = term.Line(redact(l))
		}
		out.Cases[i].Message = Clip(strings.Join(lines, "\n"), MaxText)
	}
	return out
}

// Where Redacted cuts long texts.
const (
	MaxText  = 8 << 10
	MaxField = 2 << 10
)

// Clip cuts s to at most n bytes (at a UTF-8 boundary) and says how long
// it was. Only redacted text may be clipped.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s...(%d bytes)", s[:cut], len(s))
}

func mapStrings(ss []string, f func(string) string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}

// Tally fills Coverage, Summary and the findings' keys from the cases,
// the coverage measured against the catalogue cat they were selected from.
// The verdict, first match wins (README, "Verdicts, exit codes and
// reports"):
//   - a restore that failed, or text that cannot be redacted: exit 3;
//   - any FAIL, a stale baseline entry, an interruption: exit 1;
//   - any ERROR: exit 3;
//   - --require must: a MUST requirement unchecked for a reason the
//     operator can fix; --require complete: also one excluded by the
//     selection: exit 1;
//   - incomplete (exit 4): nothing was judged, or on a live target a MUST
//     requirement that applies and was selected went unchecked for a
//     reason the operator can fix;
//   - conformant (exit 0), "but for known failures" when a baselined case
//     failed as known.
//
// Not applicable, blocked and not checkable within a run never fail a
// gate. Partial (cases excluded or left out by the budget) qualifies the
// verdict and never changes the exit code.
func (r *Run) Tally(cat caselang.CaseSet) {
	for i := range r.Cases {
		c := &r.Cases[i]
		for j := range c.Findings {
			c.Findings[j].Key = FindingKey(c.Key(), c.Findings[j].Finding)
		}
	}
	r.Coverage = cover(r.Cases, r.Unselected, cat)
	s := Summary{Total: len(r.Cases), Must: countCoverage(r.Coverage, caselang.Must), Should: countCoverage(r.Coverage, caselang.Should)}
	s.Stale = len(r.StaleBaseline)
	for _, c := range r.Cases {
		if c.Baseline != nil && c.Baseline.Stale != "" {
			s.Stale++
		}
		switch c.Verdict {
		case caselang.Pass:
			s.Pass++
		case caselang.Fail:
			s.Fail++
		case caselang.Warn:
			s.Warn++
		case caselang.Skip:
			s.Skip++
		case caselang.Error:
			s.Error++
		case caselang.XFail:
			s.XFail++
		}
	}
	s.Partial, s.Why = r.partial()
	// Every report heads with the verdict's reasons: a stale entry of a
	// case gone from the catalogue has no case row to show it.
	for i, e := range r.StaleBaseline {
		if i == maxStaleWhy {
			s.Why = append(s.Why, fmt.Sprintf("stale baseline: and %d more (results.json staleBaseline)", len(r.StaleBaseline)-i))
			break
		}
		s.Why = append(s.Why, "stale baseline: "+e)
	}
	gap := r.Ungated()
	switch {
	case r.RestoreError != "":
		// First: the target may be left changed, whatever else happened.
		s.Verdict, s.ExitCode = VerdictRestoreFailed, ExitUnreachable
	case r.InfrastructureError != "":
		s.Verdict, s.ExitCode = VerdictInfrastructure, ExitUnreachable
	case s.Fail > 0:
		s.Verdict, s.ExitCode = VerdictNotConformant, ExitNotConformant
	case s.Stale > 0:
		s.Verdict, s.ExitCode = VerdictStale, ExitNotConformant
	case r.Interrupted != "":
		s.Verdict, s.ExitCode = VerdictInterrupted, ExitNotConformant
	case s.Error > 0:
		s.Verdict, s.ExitCode = VerdictError, ExitUnreachable
	case len(gap) > 0:
		s.Verdict, s.ExitCode = fmt.Sprintf("%s (--require %s)", VerdictUncovered, r.Require), ExitNotConformant
		s.Why = append(whyOf(gap), s.Why...)
	case s.Pass+s.Warn+s.XFail == 0:
		s.Verdict, s.ExitCode = VerdictIncomplete, ExitIncomplete
		s.Why = append([]string{"no case was judged: every selected case was skipped"}, s.Why...)
	case !r.Target.Embedded && len(r.MissingMust()) > 0:
		s.Verdict, s.ExitCode = VerdictIncomplete, ExitIncomplete
		s.Why = append(whyOf(r.MissingMust()), s.Why...)
	case s.XFail > 0:
		s.Verdict, s.ExitCode = VerdictKnownFailures, ExitConformant
	default:
		s.Verdict, s.ExitCode = VerdictConformant, ExitConformant
	}
	r.Summary = s
}

// maxStaleWhy is how many stale entries of gone cases Summary.Why names.
const maxStaleWhy = 10

// partial says whether cases were excluded by the selection or left out
// by the budget, and which.
func (r Run) partial() (bool, []string) {
	var excluded, budget, exercises, lockout []string
	excluded = append(excluded, r.Excluded()...)
	budget = append(budget, r.NotRun...)
	for _, c := range r.Cases {
		switch {
		case c.Verdict == caselang.Skip && c.Skipped == caselang.SkipExcluded:
			excluded = append(excluded, c.Key())
		case c.Verdict == caselang.Skip && c.Skipped == caselang.SkipBudget && !slices.Contains(budget, c.ID):
			budget = append(budget, c.Key())
		case c.Verdict == caselang.Skip && c.Skipped == caselang.SkipLockout:
			lockout = append(lockout, c.Key())
		case len(c.NotRun) > 0:
			exercises = append(exercises, c.Key())
		}
	}
	var why []string
	if len(excluded) > 0 {
		why = append(why, fmt.Sprintf("partial: %d %s excluded by the selection%s", len(excluded), plural(len(excluded), "case", "cases"), casesOf(excluded)))
	}
	if len(budget) > 0 {
		why = append(why, fmt.Sprintf("partial: %d %s left out by the wrong-credential budget%s", len(budget), plural(len(budget), "case", "cases"), casesOf(budget)))
	}
	if len(lockout) > 0 {
		why = append(why, fmt.Sprintf("partial: %d %s not run after a possible lockout the run's wrong credentials caused%s", len(lockout), plural(len(lockout), "case", "cases"), casesOf(lockout)))
	}
	if len(exercises) > 0 {
		why = append(why, fmt.Sprintf("partial: %d %s ran without some of their token exercises, for the budget%s", len(exercises), plural(len(exercises), "case", "cases"), casesOf(exercises)))
	}
	return len(why) > 0, why
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// whyOf renders unchecked requirements for Summary.Why: of one
// unchecked for a reason the operator can fix, that reason (its
// exclusions stay in its coverage row: the fix is what the line is for).
func whyOf(cov []Coverage) []string {
	out := make([]string, 0, len(cov))
	for _, c := range cov {
		why := c.Why
		if c.Status == Unchecked {
			why = slices.DeleteFunc(slices.Clone(why), func(w string) bool { return strings.HasPrefix(w, excludedWhy) })
		}
		out = append(out, fmt.Sprintf("%s (%s) %s: %s", c.ID, c.Level, c.Status, strings.Join(why, "; ")))
	}
	return out
}

// Transitions is the coverage of the model's abstraction by the steps the
// run sent (docs/architecture.md, "Generated cases"): transitions
// (abstract state :: input class) and pairs of request-field classes in
// each state class of the sending connection.
type Transitions struct {
	Profile   string `json:"profile"`
	Covered   int    `json:"covered"`
	Reachable int    `json:"reachable"`
	// Missing names up to 20 reachable transitions no step covered.
	Missing        []string `json:"missing,omitempty"`
	PairsCovered   int      `json:"fieldPairsCovered"`
	PairsReachable int      `json:"fieldPairsReachable"`
	MissingPairs   []string `json:"missingFieldPairs,omitempty"`
	// Open counts the (state, input) pairs whose next state the answer
	// decides, which no tour goes through.
	Open int `json:"open"`
}
