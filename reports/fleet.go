package reports

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/term"
)

// KindFleet marks a results document of a fleet run (Fleet.Kind); a
// single target's document has no kind.
const KindFleet = "fleet"

// Fleet is the results document of a run over many targets (`conform run
// --targets FILE`), of one shard of it, or of shards merged (`conform
// merge`). Each target's section is that target's own results document.
type Fleet struct {
	Schema string `json:"schema"`
	// Kind is KindFleet.
	Kind      string    `json:"kind"`
	Tool      string    `json:"tool"`
	Version   string    `json:"version"`
	StartedAt time.Time `json:"startedAt"`
	Duration  float64   `json:"durationSeconds"`
	// Catalogue identifies the catalogue the targets were judged by
	// (CatalogueDigest): shards of different catalogues are not merged.
	Catalogue string `json:"catalogue"`
	// TargetsDigest is the sha256 of the targets file's bytes
	// ("sha256:<hex>"): shards of different files are not merged.
	TargetsDigest string `json:"targetsDigest"`
	// Shard is which shard this document is (nil: the whole fleet in one
	// run, or shards merged).
	Shard *Shard `json:"shard,omitempty"`
	// Shards lists the shards a merged document was made of (nil: not a
	// merge).
	Shards []Shard `json:"shards,omitempty"`
	// Assigned is every target of the targets file and its shard (1 when
	// not sharded), so that a merge knows the targets of a shard that is
	// missing. Names only: a target's URL is in its own section.
	Assigned []Assigned `json:"assigned"`
	// Targets are the sections of the targets this document ran (or, in a
	// merge, the shards ran), in the targets file's order.
	Targets []FleetTarget `json:"targets"`
	// Missing names the shards a merge did not get (their targets are
	// ERROR sections).
	Missing []Shard `json:"missingShards,omitempty"`
	// Summary is the fleet's verdict (Tally).
	Summary FleetSummary `json:"summary"`
}

// Shard is one of N shards, K 1-based.
type Shard struct {
	K int `json:"k"`
	N int `json:"n"`
}

// String renders the shard as K/N.
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// Assigned is a target of the targets file and the shard it belongs to.
type Assigned struct {
	Name  string `json:"name"`
	Shard int    `json:"shard"`
}

// FleetTarget is one target's section.
type FleetTarget struct {
	// Name is the target's name in the targets file (safe as a file name).
	Name string `json:"name"`
	// Dir is the target's report directory, relative to the fleet's
	// (its own reports and its reconfiguration journal).
	Dir string `json:"dir"`
	// Run is the target's results document without the cases'
	// transcripts (Sectioned): those are in the target's own results.json,
	// Dir/results.json. A fleet of hundreds of targets then stays a few
	// MiB in memory and on disk, not a few hundred.
	Run Run `json:"run"`
}

// Sectioned returns r as a fleet's section holds it: without the cases'
// transcripts (the preflight's, kept only when it failed, stays).
func (r Run) Sectioned() Run {
	out := r
	out.Cases = make([]Case, len(r.Cases))
	for i, c := range r.Cases {
		c.Transcript = nil
		out.Cases[i] = c
	}
	return out
}

// FleetSummary is the fleet's verdict: the worst of its targets'
// (FleetExit), and how many targets ended with each verdict.
type FleetSummary struct {
	Targets int `json:"targets"`
	// Verdicts counts the targets by their verdict word (Summary.Verdict).
	Verdicts map[string]int `json:"verdicts"`
	// Verdict and ExitCode are the worst target's (FleetExit's order).
	Verdict  string `json:"verdict"`
	ExitCode int    `json:"exitCode"`
	// Worst names the targets whose verdict made the fleet's.
	Worst []string `json:"worst,omitempty"`
}

// severity orders a target's verdict for the fleet's exit code, worst
// first (docs/ci.md, "Fleets"): a restore that failed (exit 3: a device
// may be left unprotected); not conformant, a stale baseline, an
// interrupted run or a failed --require (1); unreachable or an error (3);
// incomplete (4); conformant (0). An invalid targets file (2) ends the
// run before any target. A restore that failed is known by the run's
// RestoreError too: a verdict word set by another path must not hide it.
func severity(r Run) int {
	s := r.Summary
	switch {
	case s.Verdict == VerdictRestoreFailed || r.RestoreError != "":
		return sevRestore
	case s.ExitCode == ExitNotConformant:
		return 3
	case s.ExitCode == ExitUnreachable || s.ExitCode == ExitUsage:
		return sevError
	case s.ExitCode == ExitIncomplete:
		return 1
	}
	return 0
}

// The severities Tally treats apart.
const (
	sevRestore = 4
	sevError   = 2
)

// VerdictMissingShards is a merged fleet's verdict when shards are
// missing and no target's verdict is worse than an error: the shards'
// targets are ERROR sections, but a missing shard to which no target was
// assigned is an error too (the merge cannot know it would have been
// empty but from the Assigned list it trusts).
const VerdictMissingShards = "error: shards missing"

// Tally computes the fleet's summary from its sections (and the missing
// shards of a merge: an error, ranked as one).
func (f *Fleet) Tally() {
	s := FleetSummary{Targets: len(f.Targets), Verdicts: map[string]int{}, Verdict: VerdictConformant, ExitCode: ExitConformant}
	worst := -1
	for _, t := range f.Targets {
		rs := t.Run.Summary
		s.Verdicts[rs.Verdict]++
		switch sev := severity(t.Run); {
		case sev > worst:
			worst, s.Verdict, s.ExitCode, s.Worst = sev, rs.Verdict, rs.ExitCode, []string{t.Name}
			switch {
			case sev == sevRestore:
				// Exit 3 whatever else the run ended with: the device may be
				// left unprotected.
				s.ExitCode = ExitUnreachable
			case rs.ExitCode == ExitUsage:
				// A target's configuration error is that target's error, not
				// the fleet's usage error: the file itself was valid.
				s.ExitCode = ExitUnreachable
			}
		case sev == worst:
			s.Worst = append(s.Worst, t.Name)
		}
	}
	switch {
	case len(f.Missing) > 0 && worst < sevError:
		s.Verdict, s.ExitCode, s.Worst = VerdictMissingShards, ExitUnreachable, nil
	case len(f.Targets) == 0:
		// An empty shard: nothing to judge, nothing failed.
		s.Verdict = "no target in this shard"
	}
	f.Summary = s
}

// Section returns the section of the target named name.
func (f Fleet) Section(name string) (FleetTarget, bool) {
	i := slices.IndexFunc(f.Targets, func(t FleetTarget) bool { return t.Name == name })
	if i < 0 {
		return FleetTarget{}, false
	}
	return f.Targets[i], true
}

// FleetJSON renders the fleet's results document: each section as JSON
// renders a target's.
func FleetJSON(f Fleet) ([]byte, error) {
	shown := f
	shown.Targets = make([]FleetTarget, len(f.Targets))
	for i, t := range f.Targets {
		t.Run = t.Run.shown()
		shown.Targets[i] = t
	}
	b, err := json.MarshalIndent(shown, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode fleet results: %w", err)
	}
	return term.JSON(append(b, '\n')), nil
}

// CatalogueDigest identifies a catalogue: its cases' IDs, the
// requirements each cites and its labels, in order. Two runs judged by
// the same catalogue have the same digest.
func CatalogueDigest(cat caselang.CaseSet) string {
	h := sha256.New()
	all := slices.Clone(cat.Cases)
	slices.SortFunc(all, func(a, b caselang.Case) int { return cmp.Compare(a.ID, b.ID) })
	for _, c := range all {
		fmt.Fprintf(h, "%s\x00%s\x00%s\n", c.ID, strings.Join(c.Requirements, ","), strings.Join(c.Labels, ","))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
