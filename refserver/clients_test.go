package refserver

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The frames real clients of this API send, quoted from their sources in
// testdata/clients (one file per client, with the repository, commit and
// file each frame comes from, and the pattern the client matches its answer
// with). TestRealClientFrames drives the reference server with them in the
// order the clients send them, in every profile, and checks that every
// answer has what the client needs.

// clientFile is one client's file in testdata/clients.
type clientFile struct {
	Client     string        `json:"client"`
	Repository string        `json:"repository"`
	Commit     string        `json:"commit"`
	Version    string        `json:"version"`
	About      string        `json:"about"`
	Frames     []clientFrame `json:"frames"`
}

// clientFrame is one frame a client sends. When says when it sends it:
// login-secured (on connecting, the operator gave a secret; $SECRET stands
// for it), login-unsecured (no secret), after-login (back to back after a
// successful auth answer), call (a method the library offers, on an
// authorized connection), status-change (on an administrator connection).
type clientFrame struct {
	Name   string         `json:"name"`
	When   string         `json:"when"`
	Source string         `json:"source"`
	Frame  map[string]any `json:"frame"`
	Answer struct {
		// Pattern is the client's own: every key present, a string value
		// equal ignoring case, null meaning any value (check_schema).
		Pattern map[string]any `json:"pattern"`
		// Reads are the dotted paths the client reads from the answer.
		Reads  []string `json:"reads"`
		Source string   `json:"source"`
	} `json:"answer"`
}

// maxClientFile bounds the read of a testdata file.
const maxClientFile = 1 << 20

var clientWhens = map[string]bool{"login-secured": true, "login-unsecured": true, "after-login": true, "call": true, "status-change": true}

// loadClients reads and checks every client file.
func loadClients(t *testing.T) []clientFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "clients", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no client frames in testdata/clients: %v", err)
	}
	var out []clientFile
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatalf("open %s: %v", p, err)
		}
		b, err := io.ReadAll(io.LimitReader(f, maxClientFile+1))
		f.Close()
		if err != nil || len(b) > maxClientFile {
			t.Fatalf("read %s: %v (%d bytes, at most %d)", p, err, len(b), maxClientFile)
		}
		var cf clientFile
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cf); err != nil {
			t.Fatalf("decode %s: %v", p, err)
		}
		if _, err := hex.DecodeString(cf.Commit); err != nil || len(cf.Commit) != 40 || !strings.HasPrefix(cf.Repository, "https://github.com/") || cf.Version == "" {
			t.Fatalf("%s: every file names its repository, commit (40 hex digits) and version", p)
		}
		logins := 0
		for _, fr := range cf.Frames {
			if !clientWhens[fr.When] || fr.Source == "" || fr.Answer.Source == "" || fr.Frame["method"] == nil || fr.Answer.Pattern["method"] == nil {
				t.Fatalf("%s: frame %q needs a known when, its source, a method and its answer's pattern and source", p, fr.Name)
			}
			if strings.HasPrefix(fr.When, "login-") {
				logins++
			}
		}
		if logins == 0 {
			t.Fatalf("%s: no login frame", p)
		}
		out = append(out, cf)
	}
	return out
}

// frame returns the client's frame of this kind (nil: it has none).
func (cf clientFile) frame(when string) *clientFrame {
	for i := range cf.Frames {
		if cf.Frames[i].When == when {
			return &cf.Frames[i]
		}
	}
	return nil
}

// encodeFrame is the frame as the client sends it, with its secret.
func encodeFrame(t *testing.T, fr *clientFrame, secret string) string {
	t.Helper()
	m := map[string]any{}
	for k, v := range fr.Frame {
		if v == "$SECRET" {
			v = secret
		}
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("encode %q: %v", fr.Name, err)
	}
	return string(b)
}

// answer reads the very next frame: it must be the answer, not a
// notification (a raw client takes the next frame for the answer).
func answer(t *testing.T, c *client, fr *clientFrame) (reply, map[string]any) {
	t.Helper()
	r := parse(t, c.next())
	if r.str("method") == "event" {
		t.Fatalf("%s: a notification came before the answer: %s", fr.Name, r.raw)
	}
	var m map[string]any
	if err := json.Unmarshal(r.raw, &m); err != nil {
		t.Fatalf("%s: %v", fr.Name, err)
	}
	return r, m
}

// matches says how an answer fails the client's pattern and reads ("" when
// it does not), as check_schema and the client's reads see it.
func matches(fr *clientFrame, m map[string]any) string {
	for _, k := range slices.Sorted(maps.Keys(fr.Answer.Pattern)) {
		want := fr.Answer.Pattern[k]
		got, ok := m[k]
		if !ok {
			return fmt.Sprintf("lacks %q, which the client's pattern requires (%s)", k, fr.Answer.Source)
		}
		if w, isString := want.(string); isString {
			if g, _ := got.(string); !strings.EqualFold(g, w) {
				return fmt.Sprintf("%s is %v, the client's pattern wants %q", k, got, w)
			}
		}
	}
	for _, path := range fr.Answer.Reads {
		var cur any = m
		for _, key := range strings.Split(path, ".") {
			obj, _ := cur.(map[string]any)
			cur = obj[key]
		}
		if cur == nil || cur == "" {
			return fmt.Sprintf("has no %s, which the client reads (%s)", path, fr.Answer.Source)
		}
	}
	return ""
}

// exchangeFrame sends a frame and checks that the next frame is its
// successful answer, as the client matches it.
func exchangeFrame(t *testing.T, c *client, fr *clientFrame, secret string) (reply, map[string]any) {
	t.Helper()
	c.send(encodeFrame(t, fr, secret))
	r, m := answer(t, c, fr)
	if why := matches(fr, m); why != "" {
		t.Errorf("%s: the answer %s: %s", fr.Name, why, r.raw)
	}
	if !r.ok() {
		t.Errorf("%s: not a success: %s", fr.Name, r.raw)
	}
	return r, m
}

// login opens a connection as the client does: its login frame, then its
// after-login frames back to back, each answer read in order.
func login(t *testing.T, cf clientFile, r *Running, when, secret string, want Mode) *client {
	t.Helper()
	c := dial(t, r.URL)
	fr := cf.frame(when)
	if got, _ := exchangeFrame(t, c, fr, secret); got.int("previleges") != int(want) {
		t.Fatalf("%s: previleges %d, want %d: %s", fr.Name, got.int("previleges"), want, got.raw)
	}
	var after []*clientFrame
	for i := range cf.Frames {
		if cf.Frames[i].When == "after-login" {
			after = append(after, &cf.Frames[i])
			c.send(encodeFrame(t, &cf.Frames[i], ""))
		}
	}
	for _, fr := range after {
		got, m := answer(t, c, fr)
		if why := matches(fr, m); why != "" || !got.ok() || !strings.EqualFold(got.str("method"), fr.Frame["method"].(string)) {
			t.Errorf("%s: the answer %s (success %v): %s", fr.Name, why, got.ok(), got.raw)
		}
		if fr.Frame["method"] == "getSystemInfo" {
			checkSystemInfo(t, m)
		}
	}
	return c
}

// checkSystemInfo checks the shapes of getSystemInfo's stand-ins: objects,
// as the device's documented answer has them (refserver/doc.go).
func checkSystemInfo(t *testing.T, m map[string]any) {
	t.Helper()
	for _, k := range []string{"authInfo", "fileInfo", "productInfo", "permissionsInfo", "bitrateLimits", "systemRating", "cameraInfo"} {
		if _, ok := m[k].(map[string]any); !ok {
			t.Errorf("getSystemInfo: %s is %T, want an object", k, m[k])
		}
	}
}

// secretOf is the secret an operator gives a client for mode m of profile
// p ("" for an unsecured mode).
func secretOf(p Profile, m Mode) string {
	switch {
	case m == ModeAdmin && p.Admin == Password:
		return testSecrets.AdminPassword
	case m == ModeAdmin && p.Admin == PIN:
		return testSecrets.AdminPIN
	case m == ModeUser && p.User == Password:
		return testSecrets.UserPassword
	case m == ModeUser && p.User == PIN:
		return testSecrets.UserPIN
	}
	return ""
}

// TestRealClientFrames drives the reference server with the frames of
// every client in testdata/clients, in every profile where they apply: the
// login the operator's secret gives (or the unsecured one), the frames the
// client sends right after it, the calls it offers (setAuthParams only on
// an administrator connection of a Pro profile with a protected
// administrator, where the reading allows it), a second client displacing
// the first (the newcomer's answer is its next frame), and a wrong secret
// (refused with an error, which the Qt client needs to see a refusal).
func TestRealClientFrames(t *testing.T) {
	for _, cf := range loadClients(t) {
		for _, p := range Profiles() {
			t.Run(cf.Client+"/"+p.Name, func(t *testing.T) {
				r := start(t, Options{Profile: p, Secrets: testSecrets, Now: newFakeClock().Now})
				when, secret, mode := "login-unsecured", "", ModeAdmin
				switch {
				case p.Plan == Pro && p.Admin != Unsecured:
					when, secret = "login-secured", secretOf(p, ModeAdmin)
				case p.Admin == Unsecured:
				case p.User == Unsecured:
					mode = ModeUser // Free plan, protected administrator
				default:
					// Free plan, both protected: the reading refuses every
					// secured login (RC-2); the refusal carries error.
					c := dial(t, r.URL)
					fr := cf.frame("login-secured")
					c.send(encodeFrame(t, fr, secretOf(p, ModeAdmin)))
					if got, _ := answer(t, c, fr); got.ok() || got.str("error") == "" {
						t.Errorf("%s on the Free plan: want a refusal with error: %s", fr.Name, got.raw)
					}
					return
				}
				if cf.frame(when) == nil {
					t.Skipf("%s has no %s frame", cf.Client, when)
				}
				c := login(t, cf, r, when, secret, mode)
				if p.Plan == Pro && p.User != Unsecured && cf.frame("login-secured") != nil {
					login(t, cf, r, "login-secured", secretOf(p, ModeUser), ModeUser)
				}
				for i := range cf.Frames {
					fr := &cf.Frames[i]
					if fr.When != "call" {
						continue
					}
					method := fr.Frame["method"]
					if method == "setAuthParams" && (mode != ModeAdmin || p.Plan != Pro || p.Admin == Unsecured) {
						continue // refused by the reading (CFG-4, Free plan)
					}
					_, m := exchangeFrame(t, c, fr, "")
					switch method {
					case "getHttpServerSettings":
						checkHTTPServerSettings(t, r, m)
					case "setAuthParams":
						pin, _ := m["newPin"].(string)
						if pin == "" {
							t.Fatalf("%s: no generated PIN in newPin: %v", fr.Name, m)
						}
						if lf := cf.frame("login-secured"); lf != nil {
							login(t, cf, r, "login-secured", pin, ModeUser)
						}
					}
				}
				// A second client in the same mode: its answer is the next
				// frame it reads; the first is told (authorizationNeeded).
				d := login(t, cf, r, when, secret, mode)
				if e := parse(t, c.next()); e.str("method") != "event" || e.str("event") != "authorizationNeeded" || !e.has("cause") {
					t.Errorf("the displaced client: want authorizationNeeded with cause: %s", e.raw)
				}
				if fr := cf.frame("status-change"); fr != nil && mode == ModeAdmin {
					if got, _ := exchangeFrame(t, d, fr, ""); got.int("previleges") != int(ModeUser) {
						t.Errorf("%s: previleges %d, want 1: %s", fr.Name, got.int("previleges"), got.raw)
					}
				}
				if when == "login-secured" {
					w := dial(t, r.URL)
					fr := cf.frame(when)
					w.send(encodeFrame(t, fr, "wrong-"+secret))
					if got, _ := answer(t, w, fr); got.ok() || got.str("error") == "" {
						t.Errorf("%s with a wrong secret: want a refusal with error: %s", fr.Name, got.raw)
					}
				}
			})
		}
	}
}

// checkHTTPServerSettings: the answer's settings hold the port of the
// embedded HTTP server the reference runs.
func checkHTTPServerSettings(t *testing.T, r *Running, m map[string]any) {
	t.Helper()
	u, err := url.Parse(r.HTTPURL)
	if err != nil {
		t.Fatalf("HTTPURL %q: %v", r.HTTPURL, err)
	}
	settings, _ := m["settings"].(map[string]any)
	port, _ := settings["port"].(float64)
	if want, _ := strconv.Atoi(u.Port()); settings == nil || int(port) != want {
		t.Errorf("getHttpServerSettings: settings %v, want an object with port %d", m["settings"], want)
	}
}

// TestRealClientFramesUnderVariants: the conformant variants the default
// profile does not take are the ones that break these clients, which is why
// the reference's defaults are what they are (doc.go): without error text a
// refusal is "Data Unprocessed" to the Qt client, and a notification before
// the answer is what a client that reads "the next frame" takes for it.
func TestRealClientFramesUnderVariants(t *testing.T) {
	var qt clientFile
	for _, cf := range loadClients(t) {
		if cf.frame("status-change") != nil {
			qt = cf
		}
	}
	fr := qt.frame("login-secured")
	if fr == nil {
		t.Fatal("no client with a status-change frame and a secured login (the Qt client)")
	}
	profile := mustProfile(t, DefaultProfile)

	r := start(t, Options{Profile: profile, Secrets: testSecrets, Now: newFakeClock().Now, Variants: []string{string(variantNoErrorText)}})
	c := dial(t, r.URL)
	c.send(encodeFrame(t, fr, "wrong-"+testSecrets.AdminPassword))
	if got, _ := answer(t, c, fr); got.ok() || got.has("error") {
		t.Errorf("under %s: want a refusal without error: %s", variantNoErrorText, got.raw)
	}

	r = start(t, Options{Profile: profile, Secrets: testSecrets, Now: newFakeClock().Now, Variants: []string{string(variantEventsBeforeResponses)}})
	c = dial(t, r.URL)
	c.send(encodeFrame(t, fr, testSecrets.AdminPassword))
	if first := parse(t, c.next()); first.str("method") != "event" {
		t.Errorf("under %s: want a notification as the next frame: %s", variantEventsBeforeResponses, first.raw)
	}
}
