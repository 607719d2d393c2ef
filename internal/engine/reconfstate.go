package engine

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"sync"

	"github.com/roomconform/conform/caselang"
)

// Reconfiguration is the run's account of the target's protection: the
// profile and secrets the run judges by now (the preflight's, until a
// reconfiguring case or the walk changes them, and again after the
// restore), who holds the target reconfigured, and what stops any further
// change. Safe for concurrent use.
type Reconfiguration struct {
	// hold is held by whatever has the target reconfigured, from its first
	// change to its restore: a case, a walk step, the end of the walk.
	hold sync.Mutex

	mu      sync.Mutex
	profile caselang.Profile
	secrets Secrets
	// nonce keys the suite's secrets when admin is unsecured, and notes
	// are what the operator must be told (reconfigure.go).
	nonce string
	notes []string
	// pinGenerated names the case that had a live target generate a user
	// PIN: at most one a run (admitReconfiguration).
	pinGenerated string
	// away is set while the walk has the target in another protection;
	// halted says why nothing is changed again (the walk stopped).
	away   bool
	halted string
	// restoreFailed is the first restore that failed: nothing is
	// reconfigured again in the run, and its journal stays as it is.
	restoreFailed error
}

// NewReconfiguration is the account of a run whose target has profile p
// and secrets sec, as the preflight found them.
func NewReconfiguration(p caselang.Profile, sec Secrets) *Reconfiguration {
	return &Reconfiguration{profile: p, secrets: sec}
}

// Current is the profile and secrets the run judges the target by now.
func (s *Reconfiguration) Current() (caselang.Profile, Secrets) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.profile, s.secrets
}

// Set replaces the profile and secrets the run judges by (a change, or
// its undoing).
func (s *Reconfiguration) Set(p caselang.Profile, sec Secrets) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profile, s.secrets = p, sec
}

// Hold waits until nothing else has the target reconfigured, and holds it
// until release is called: from a first change to its restore.
func (s *Reconfiguration) Hold() (release func()) {
	s.hold.Lock()
	return s.hold.Unlock
}

// SetAway says whether the walk has the target in another protection than
// its own: a reconfiguring case then does not start (never one journal
// over another).
func (s *Reconfiguration) SetAway(away bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.away = away
}

// Away reports whether the walk has the target in another protection.
func (s *Reconfiguration) Away() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.away
}

// Halt records why nothing is to be changed again in the run (the first
// reason stays).
func (s *Reconfiguration) Halt(why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.halted == "" {
		s.halted = why
	}
}

// blocked says why the target must not be changed now (nil: it may):
// a restore failed earlier, or the run halted its changes.
func (s *Reconfiguration) blocked() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.restoreFailed != nil:
		return errors.New("will not reconfigure: the original protection could not be restored earlier in this run, so nothing is changed again (conform restore completes that restore)")
	case s.halted != "":
		return errors.New("will not reconfigure: " + s.halted)
	}
	return nil
}

// failRestore records a restore that failed (the first one stays).
func (s *Reconfiguration) failRestore(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.restoreFailed == nil {
		s.restoreFailed = err
	}
}

// RestoreFailure is the first restore of the run that failed (nil when
// none did).
func (s *Reconfiguration) RestoreFailure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restoreFailed
}

// key is the run's key for the suite's secrets when the administrator
// mode is unsecured (reconf.Key): random, made once.
func (s *Reconfiguration) key() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nonce == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b) // crypto/rand does not fail
		s.nonce = hex.EncodeToString(b)
	}
	return s.nonce
}

// note keeps what the operator must be told about a reconfiguration (a
// regenerated PIN), once.
func (s *Reconfiguration) note(n string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.notes, n) {
		s.notes = append(s.notes, n)
	}
}

// Notes are what the operator must be told after the run's
// reconfigurations (a regenerated user PIN: where to read the new one).
func (s *Reconfiguration) Notes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.notes)
}

// pinGeneratedBy names the case that had the target generate a user PIN
// ("" if none).
func (s *Reconfiguration) pinGeneratedBy() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pinGenerated
}

// claimPINGeneration records that case caseID has the target generate a
// user PIN, unless another case did: then it returns that one.
func (s *Reconfiguration) claimPINGeneration(caseID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pinGenerated != "" && s.pinGenerated != caseID {
		return s.pinGenerated
	}
	s.pinGenerated = caseID
	return ""
}
