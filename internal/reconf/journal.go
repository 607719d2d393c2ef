package reconf

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/opfile"
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

// JournalSchema identifies the journal format; journalSchemaV1 is the
// earlier one, still read (its checks are unsalted, it knows no device).
const (
	JournalSchema   = "conform.reconfigure/v2"
	journalSchemaV1 = "conform.reconfigure/v1"
)

// MaxJournalBytes bounds a journal file: a real one is a few hundred bytes.
const MaxJournalBytes = opfile.JournalLimit

// Journal is the recovery record of a reconfiguration in progress: written
// before every change (and after it), removed when the original protection
// is back. After a crash `conform restore` reads it. It names no secret of
// the target's original protection: the suite's own secrets are derived
// from the original administrator secret (read from the environment again
// at restore), or, when the administrator mode was unsecured to begin with,
// from Nonce. What someone who holds it learns is listed in README.md
// ("What the journal gives away").
type Journal struct {
	Schema string `json:"schema"`
	// ID tells this journal from any other at the same path: a restore
	// removes only the journal it restored.
	ID string `json:"id"`
	// Target is the control API the changes went to (its query, which may
	// carry secrets, left out).
	Target string `json:"target"`
	// Device is the identity of the device the changes went to, as
	// getSystemInfo told it: conform restore refuses another device.
	Device  Device    `json:"device"`
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
	// UserPINKnown says the run knew the original user PIN (given, or read
	// with getAuthInfo): a restore sets that PIN back and never lets the
	// target generate another in its place.
	UserPINKnown bool `json:"userPinKnown,omitempty"`
	// Checks are short, salted, memory-hard fingerprints of the original
	// secrets (NewCheck), so that a restore refuses a mistyped one instead
	// of setting it on the target.
	Checks map[caselang.SecretKind]string `json:"checks,omitempty"`
}

// NewJournalID is a random identifier for a new journal.
func NewJournalID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand does not fail
	return hex.EncodeToString(b)
}

// The checks: argon2id (RFC 9106's second recommended setting: 3 passes
// over 64 MiB, one lane) of the secret under a random salt, cut to one
// byte. One byte catches 255 typos in 256; it leaves a 4-digit PIN about
// 39 candidates and costs a guesser about a tenth of a second per guess.
const (
	checkTime    = 3
	checkMemory  = 64 << 10 // KiB
	checkThreads = 1
	checkBytes   = 1
)

// Cost is an argon2id setting: passes, memory in KiB, lanes.
type Cost struct {
	Time, Memory uint32
	Threads      uint8
}

// CheckCost is what NewCheck spends on a check. Every conform binary keeps
// the setting above; it is a variable only so that conform's own tests,
// which journal hundreds of reconfigurations, can write cheap checks
// (cmd/conform's TestMain). A check carries its parameters, and
// CheckMatches bounds them by the constants whatever this is.
var CheckCost = Cost{Time: checkTime, Memory: checkMemory, Threads: checkThreads}

// NewCheck is the journal's fingerprint of secret: argon2id under a fresh
// random salt, its parameters written beside it so that they can change.
func NewCheck(kind caselang.SecretKind, secret string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	c := CheckCost
	sum := argon2.IDKey([]byte(secret), checkSalt(kind, salt), c.Time, c.Memory, c.Threads, checkBytes)
	return fmt.Sprintf("argon2id$t=%d,m=%d,p=%d$%s$%s", c.Time, c.Memory, c.Threads,
		base64.RawStdEncoding.EncodeToString(salt), hex.EncodeToString(sum))
}

// checkSalt binds the salt to the kind of secret, so one check never
// answers for another kind.
func checkSalt(kind caselang.SecretKind, salt []byte) []byte {
	return append([]byte("conform journal check/"+string(kind)+"/"), salt...)
}

// CheckMatches reports whether secret fits check (NewCheck's form, or the
// 4 hex digits of a v1 journal); a check it cannot read matches nothing.
func CheckMatches(kind caselang.SecretKind, check, secret string) bool {
	if len(check) == 4 {
		return subtle.ConstantTimeCompare([]byte(legacyCheck(kind, secret)), []byte(check)) == 1
	}
	parts := strings.Split(check, "$")
	if len(parts) != 4 || parts[0] != "argon2id" {
		return false
	}
	var t, m, p uint64
	for _, kv := range strings.Split(parts[1], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return false
		}
		switch k {
		case "t":
			t = n
		case "m":
			m = n
		case "p":
			p = n
		}
	}
	// A journal is operator-supplied input: bound what its check may cost
	// (no more than the checks this version writes).
	if t == 0 || t > checkTime || m == 0 || m > checkMemory || p == 0 || p > checkThreads {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[2])
	want, err2 := hex.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 32 {
		return false
	}
	got := argon2.IDKey([]byte(secret), checkSalt(kind, salt), uint32(t), uint32(m), uint8(p), uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// legacyCheck is a v1 journal's check: 4 hex digits of an unsalted HMAC,
// read so that a journal left by an earlier version can still be restored.
func legacyCheck(kind caselang.SecretKind, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("conform journal check/" + string(kind)))
	return hex.EncodeToString(mac.Sum(nil)[:2])
}

// Journal file operations. A path of "" keeps no journal (the embedded
// reference server, which ends with the run).

// CreateJournal writes a new journal at path, and refuses when one is
// there already: a journal left by a restore that failed must never be
// written over, whoever left it.
func CreateJournal(path string, j Journal) error {
	if path == "" {
		return nil
	}
	return writeJournal(path, j, true)
}

// WriteJournal writes j to path atomically (a temporary file renamed over
// it, synced first), readable by the owner only: the update of a journal
// this run created.
func WriteJournal(path string, j Journal) error {
	if path == "" {
		return nil
	}
	return writeJournal(path, j, false)
}

func writeJournal(path string, j Journal, create bool) error {
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
	if werr == nil && create {
		// A hard link fails if path exists: an exclusive, atomic create.
		if werr = os.Link(tmp.Name(), path); errors.Is(werr, fs.ErrExist) {
			werr = fmt.Errorf("a recovery journal is already there (a restore that failed, or another run): nothing was changed; run `conform restore --journal %s` first", path)
		}
		os.Remove(tmp.Name())
		if werr != nil {
			return fmt.Errorf("journal %s: %w", path, werr)
		}
		return syncDir(path)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("journal %s: %w", path, werr)
	}
	return syncDir(path)
}

// syncDir makes the directory entry of path durable: a journal that a
// power loss could take back is no journal.
func syncDir(path string) error {
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("journal %s: sync its directory: %w", path, err)
	}
	return nil
}

// ReadJournal reads the journal at path; ok is false when there is none.
// The file must be a regular file of at most MaxJournalBytes: a FIFO or a
// device is refused before it is opened, so that reading never waits.
func ReadJournal(path string) (j Journal, ok bool, err error) {
	b, err := opfile.ReadFile(path, MaxJournalBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return j, false, nil
	}
	if err != nil {
		return j, false, fmt.Errorf("journal %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &j); err != nil || (j.Schema != JournalSchema && j.Schema != journalSchemaV1) {
		return j, false, fmt.Errorf("journal %s: not a conform reconfiguration journal (%s)", path, JournalSchema)
	}
	return j, true, nil
}

// RemoveJournal removes the journal at path once the original protection
// is back, if it is the journal id (another one there is left alone).
func RemoveJournal(path, id string) error {
	if path == "" {
		return nil
	}
	b, err := opfile.ReadFile(path, MaxJournalBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	var on struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(b, &on) != nil || on.ID != id {
		return fmt.Errorf("journal %s: another journal is there now; it is left as it is", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	return syncDir(path)
}

// Begin records change ch as in flight from protection cur: which
// administrator secret may be in force, and whether the user protection
// may change (also when admin becomes unsecured: user goes with it).
func (j *Journal) Begin(ch Change, cur Protection) {
	j.Pending = ch.String()
	if ch.Mode == caselang.Admin {
		j.AdminSecret = "either"
		if ch.To == caselang.Unsecured && cur.User != caselang.Unsecured {
			j.UserChanged = true
		}
		return
	}
	j.UserChanged = true
}

// DefaultJournalPath is where a run keeps the journal of target when the
// operator names none: the user's state directory (never the report
// directory, which CI uploads), one file per host and port, so that runs
// against two devices never share one and two spellings of one address
// ("ws://h:80", "ws://H/") do.
func DefaultJournalPath(target string) (string, error) {
	dir, err := JournalDir()
	if err != nil {
		return "", err
	}
	return JournalPathIn(dir, target), nil
}

// JournalPathIn is the journal of target in the journal directory dir.
func JournalPathIn(dir, target string) string {
	return filepath.Join(dir, journalFileName(HostPort(target)))
}

// JournalDir is the directory of the default journals:
// $XDG_STATE_HOME/conform/journals, else ~/.local/state/conform/journals
// (on Windows %LocalAppData%\conform\journals).
func JournalDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return JournalDirIn(d), nil
	}
	if d := os.Getenv("LocalAppData"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "conform", "journals"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no state directory for the recovery journal (set XDG_STATE_HOME or --journal): %w", err)
	}
	return filepath.Join(home, ".local", "state", "conform", "journals"), nil
}

// JournalDirIn is the journal directory under the state directory state
// ($XDG_STATE_HOME).
func JournalDirIn(state string) string { return filepath.Join(state, "conform", "journals") }

// HostPort is the address a target URL names, as journals compare
// targets: the host in lower case and the port, the scheme's default when
// none is given ("" for a URL without a host).
func HostPort(target string) string {
	u, err := url.Parse(target)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "wss" || u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// Pending lists the journals in JournalDir whose target has the address
// of target (HostPort), whatever their file name: a journal written
// under another spelling of the address, or named after the web manager
// it was discovered from, is still found.
func Pending(target string) ([]string, error) {
	dir, err := JournalDir()
	if err != nil {
		return nil, err
	}
	return PendingIn(dir, target)
}

// PendingIn is Pending in the journal directory dir.
func PendingIn(dir, target string) ([]string, error) {
	want := HostPort(target)
	if want == "" {
		return nil, nil
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var out []string
	for _, p := range paths {
		j, ok, err := ReadJournal(p)
		if err != nil {
			return nil, err
		}
		if ok && (HostPort(j.Target) == want || p == filepath.Join(dir, journalFileName(want))) {
			out = append(out, p)
		}
	}
	return out, nil
}

// journalFileName names the journal of an address: the address made safe
// for a file name, and a hash of it.
func journalFileName(hostPort string) string {
	var b strings.Builder
	for _, r := range hostPort {
		if b.Len() >= 64 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	sum := sha256.Sum256([]byte(hostPort))
	return fmt.Sprintf("%s-%s.json", b.String(), hex.EncodeToString(sum[:6]))
}
