package reconf

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/roomconform/conform/cases"
)

// TargetOf is a target URL as a journal records it: without the query and
// fragment, which may carry secrets.
func TargetOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// JournalSchema identifies the journal format.
const JournalSchema = "conform.reconfigure/v1"

// Journal is the recovery record of a reconfiguration in progress: written
// before every change (and after it), removed when the original protection
// is back. After a crash `conform restore` reads it. It names no secret of
// the target's original protection: the suite's own secrets are derived
// from the original administrator secret (read from the environment again
// at restore), or, when the administrator mode was unsecured to begin with,
// from Nonce.
type Journal struct {
	Schema string `json:"schema"`
	// Target is the control API the changes went to (its query, which may
	// carry secrets, left out).
	Target  string    `json:"target"`
	Started time.Time `json:"started"`
	// Original is the protection to restore.
	Original Protection `json:"original"`
	// Current is the protection the last completed change left.
	Current Protection `json:"current"`
	// Pending is the change in flight: sent, its answer not yet seen.
	Pending string `json:"pending,omitempty"`
	// Key says what the suite's secrets derive from (Key.Of); Nonce is the
	// key itself only when the administrator mode was unsecured.
	Key   string `json:"key"`
	Nonce string `json:"nonce,omitempty"`
	// AdminSecret is which administrator secret may be in force: "original",
	// "suite" (the derived password) or "either" (a change was in flight).
	AdminSecret string `json:"adminSecret"`
	// UserChanged says the user protection was changed (its secret may be
	// the suite's): it is set back even when its kind is the original's.
	UserChanged bool `json:"userChanged"`
	// Checks are 16-bit fingerprints of the original secrets (CheckOf), so
	// that a restore refuses a mistyped one instead of setting it on the
	// target: too short to tell a secret, long enough to catch a typo.
	Checks map[cases.SecretKind]string `json:"checks,omitempty"`
}

// CheckOf is the journal's fingerprint of secret: 4 hex digits of an HMAC
// (1 in 65,536 wrong secrets passes it; it narrows a guess by as much).
func CheckOf(kind cases.SecretKind, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("conform journal check/" + string(kind)))
	return hex.EncodeToString(mac.Sum(nil)[:2])
}

// Journal file operations. A path of "" keeps no journal (the embedded
// reference server, which ends with the run).

// WriteJournal writes j to path atomically (a temporary file renamed over
// it, synced first), readable by the owner only.
func WriteJournal(path string, j Journal) error {
	if path == "" {
		return nil
	}
	j.Schema = JournalSchema
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("journal %s: %w", path, werr)
	}
	return nil
}

// ReadJournal reads the journal at path; ok is false when there is none.
func ReadJournal(path string) (j Journal, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return j, false, nil
	}
	if err != nil {
		return j, false, fmt.Errorf("journal %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &j); err != nil || j.Schema != JournalSchema {
		return j, false, fmt.Errorf("journal %s: not a conform reconfiguration journal (%s)", path, JournalSchema)
	}
	return j, true, nil
}

// RemoveJournal removes the journal once the original protection is back.
func RemoveJournal(path string) error {
	if path == "" {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	return nil
}

// Begin records change ch as in flight from protection cur: which
// administrator secret may be in force, and whether the user protection
// may change (also when admin becomes unsecured: user goes with it).
func (j *Journal) Begin(ch Change, cur Protection) {
	j.Pending = ch.String()
	if ch.Mode == cases.Admin {
		j.AdminSecret = "either"
		if ch.To == cases.Unsecured && cur.User != cases.Unsecured {
			j.UserChanged = true
		}
		return
	}
	j.UserChanged = true
}
