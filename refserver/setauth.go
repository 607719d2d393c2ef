package refserver

// setAuthParams: reconfiguring the protection (CFG-1..5), and the stand-in
// getters real clients send (doc.go, testdata/clients).

import (
	"encoding/json"
	"strings"
	"time"
)

// retiredSecret is a secret setAuthParams replaced: the faults
// old-admin-password-kept, old-user-secret-kept and
// preconnected-keeps-old-secret still take it (credential recognition,
// identify, asks retiredSecret last).
type retiredSecret struct {
	mode   Mode
	origin Origin
	value  string
	// lastConn is the id of the last connection opened before the change.
	lastConn uint64
}

// retire keeps the secret mode m has now, before setAuthParams changes its
// protection. The caller holds s.mu.
func (s *Server) retire(m Mode) {
	r := retiredSecret{mode: m, lastConn: s.nextID}
	switch {
	case m == ModeAdmin && s.profile.Admin == Password:
		r.origin, r.value = OriginPassword, s.secrets.AdminPassword
	case m == ModeUser && s.profile.User == Password:
		r.origin, r.value = OriginPassword, s.secrets.UserPassword
	case m == ModeUser && s.profile.User == PIN:
		r.origin, r.value = OriginPIN, s.secrets.UserPIN
	default:
		return
	}
	s.retired = append(s.retired, r)
}

// retiredSecret recognises a secret setAuthParams replaced, under the
// faults that keep one working: everywhere (old-admin-password-kept,
// old-user-secret-kept), or on the connections opened before the change
// (preconnected-keeps-old-secret). The conformant server takes none. The
// caller holds s.mu.
func (s *Server) retiredSecret(c *conn, cred string, now time.Time) credential {
	for i := len(s.retired) - 1; i >= 0; i-- {
		r := s.retired[i]
		kept := s.faults.has(faultPreconnectedKeepsOldSecret) && c != nil && c.id <= r.lastConn
		switch r.mode {
		case ModeAdmin:
			kept = kept || s.faults.has(faultOldAdminPasswordKept)
		case ModeUser:
			kept = kept || s.faults.has(faultOldUserSecretKept)
		}
		match := matchExact(cred, r.value)
		if r.origin == OriginPIN {
			match = matchPIN(cred, r.value)
		}
		if kept && match && r.value != "" {
			return credential{mode: r.mode, origin: r.origin, expires: s.apiExpiry(now)}
		}
	}
	return credential{}
}

// setAuthReply answers setAuthParams; NewPIN is set when the server
// generated the user PIN (none was given in the request).
type setAuthReply struct {
	Method    string          `json:"method"`
	RequestID json.RawMessage `json:"requestId,omitempty"`
	NewPIN    string          `json:"newPin,omitempty"`
	Result    bool            `json:"result"`
	Error     string          `json:"error,omitempty"`
}

// Error texts of setAuthParams.
const (
	errNotAdmin          = "Only an administrator may change the protection"
	errBadUserType       = `userType must be "admin" or "user"`
	errBadAuthType       = `authType must be "password", "pin" or "unsecured"`
	errNoPassword        = "password must be a non-empty string"
	errBadNewPIN         = "newPin must be a string (null or empty to have one generated)"
	errAdminPINFixed     = "The administrator PIN is given on the command line"
	errAdminNotProtected = "User mode can be protected only while administrator mode is"
	errFreePlan          = "Protection is a Pro plan feature"
)

// Causes of authorizationNeeded that setAuthParams sends (docs/reading.md):
// 2 the user's authorization was reset because admin became unsecured, 4
// the user credentials were changed by admin.
const (
	causeAdminUnsecured   = 2
	causeUserCredsByAdmin = 4
)

// setAuthParams changes the protection of a mode: an administrator command
// (setAuthParams on any other connection is refused). Making admin
// unsecured makes user unsecured too (CFG-3); user can be protected only
// while admin is (CFG-4); a user PIN is the one given in newPin, or a new
// one, returned in newPin (CFG-2); admin PIN protection is the command
// line's and cannot be set. The user connection, if any, loses its mode
// when its protection changed and is told why (CFG-5: cause 2 or 4).
func (s *Server) setAuthParams(c *conn, id json.RawMessage, f fields) (any, []notice) {
	refuse := func(text string) (any, []notice) {
		return setAuthReply{Method: "setAuthParams", RequestID: id, Result: false, Error: s.errorText(text)}, nil
	}
	userType, _, _ := f.str("userType")
	authType, _, _ := f.str("authType")
	var mode Mode
	switch userType {
	case "admin":
		mode = ModeAdmin
	case "user":
		mode = ModeUser
	default:
		return refuse(errBadUserType)
	}
	var to Security
	switch authType {
	case "password":
		to = Password
	case "pin":
		to = PIN
	case "unsecured":
		to = Unsecured
	default:
		return refuse(errBadAuthType)
	}
	password, _, passwordOK := f.str("password")
	if r := []rune(password); s.faults.has(faultLongPasswordTruncated) && len(r) > 255 {
		password = string(r[:255]) // a bounded field
	}
	newPIN, pinGiven, pinOK := f.str("newPin")
	if raw := strings.TrimSpace(string(f["newPin"])); pinGiven && (raw == "null" || pinOK && newPIN == "") && !s.faults.has(faultBlankNewPINRefused) {
		// "None given" (CFG-2): TrueConf's Python client sends null, its Qt
		// client "": both ask the server to generate the PIN.
		pinGiven = false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case c.mode != ModeAdmin:
		return refuse(errNotAdmin)
	case s.profile.Plan == Free && to != Unsecured:
		return refuse(errFreePlan)
	case to == Password && (!passwordOK || password == ""):
		return refuse(errNoPassword)
	case mode == ModeAdmin && to == PIN:
		return refuse(errAdminPINFixed)
	case mode == ModeUser && to != Unsecured && s.profile.Admin == Unsecured && !s.faults.has(faultUserSecuredWhileAdminOpen):
		return refuse(errAdminNotProtected)
	case to == PIN && pinGiven && (!pinOK || newPIN == ""):
		return refuse(errBadNewPIN)
	}
	reply := setAuthReply{Method: "setAuthParams", RequestID: id, Result: true}
	s.retire(mode)
	var notices []notice
	if mode == ModeAdmin {
		if to == Password && s.faults.has(faultNewAdminPasswordIgnored) {
			return reply, nil // success, and nothing changes
		}
		s.profile.Admin = to
		if to == Password {
			s.secrets.AdminPassword = password
		}
		if to == Unsecured && !s.faults.has(faultAdminUnsecuredKeepsUser) && s.profile.User != Unsecured {
			s.profile.User = Unsecured
			notices = s.resetUser(causeAdminUnsecured)
		}
		return reply, notices
	}
	s.profile.User = to
	switch to {
	case Password:
		s.secrets.UserPassword = password
	case PIN:
		switch {
		case pinGiven && s.faults.has(faultGivenPINIgnored):
			s.secrets.UserPIN = NewPIN() // and the reply does not say which
		case pinGiven:
			s.secrets.UserPIN = newPIN
		default:
			s.secrets.UserPIN = NewPIN()
			for strings.EqualFold(s.secrets.UserPIN, s.secrets.AdminPIN) {
				s.secrets.UserPIN = NewPIN()
			}
			reply.NewPIN = s.secrets.UserPIN
		}
	}
	cause := causeUserCredsByAdmin
	if s.faults.has(faultUserChangeCause1) {
		cause = causeOtherClient
	}
	return reply, s.resetUser(cause)
}

// notice is a notification to queue on a connection after the reply that
// caused it has been built (handleSafely sends it before the reply).
type notice struct {
	to    *conn
	bytes []byte
}

// resetUser takes user mode from the connection that holds it, if any, with
// its session tokens, and returns the notice telling it why. The caller
// holds s.mu.
func (s *Server) resetUser(cause int) []notice {
	h := s.holder[ModeUser]
	if h == nil {
		return nil
	}
	delete(s.holder, ModeUser)
	h.mode = ModeNone
	h.authExpiry = time.Time{}
	s.tokens.revokeSession(h.id)
	if s.faults.has(faultNoReconfigurationNotice) {
		return nil
	}
	return []notice{{to: h, bytes: mustEncode(event{Method: "event", Event: "authorizationNeeded", Cause: cause})}}
}

// The getters TrueConf's own clients send after every login (getAppState
// is answered in dispatch), and getHttpServerSettings, which their
// libraries offer (testdata/clients has the frames, with the repository,
// commit and file of each). The reference answers them with minimal
// stand-ins, so that such a client gets past its login against `conform
// serve`: every field the clients' response patterns require (the Python
// libraries' METHOD_RESPONSE), shaped as the device's documented answer,
// with the values of a device that has no camera, no call, no TrueConf
// server login and one monitor. They are no part of the reading and
// nothing judges them; doc.go says what a real device sends.
type (
	settingsReply struct {
		Method    string          `json:"method"`
		RequestID json.RawMessage `json:"requestId,omitempty"`
		Settings  map[string]any  `json:"settings"`
		Result    bool            `json:"result"`
	}
	systemInfoReply struct {
		Method          string          `json:"method"`
		RequestID       json.RawMessage `json:"requestId,omitempty"`
		AuthInfo        systemAuthInfo  `json:"authInfo"`
		FileInfo        versionInfo     `json:"fileInfo"`
		ProductInfo     map[string]any  `json:"productInfo"`
		PermissionsInfo permissionsInfo `json:"permissionsInfo"`
		BitrateLimits   bitrateLimits   `json:"bitrateLimits"`
		SystemRating    systemRating    `json:"systemRating"`
		CameraInfo      cameraInfo      `json:"cameraInfo"`
		Result          bool            `json:"result"`
	}
	systemAuthInfo struct {
		PeerID string `json:"peerId"`
		PeerDN string `json:"peerDn"`
	}
	// versionInfo is fileInfo: the executable's version, all zero here
	// (there is no TrueConf executable).
	versionInfo struct {
		Major    int `json:"major"`
		Minor    int `json:"minor"`
		Revision int `json:"revision"`
		Build    int `json:"build"`
	}
	// permissionsInfo is what the TrueConf server's plan allows; the
	// device shows it after logging in to one, the reference is logged in
	// to none: an empty plan name.
	permissionsInfo struct {
		TariffName string `json:"tariffName"`
	}
	// bitrateLimits are the documented example's (kbit/s).
	bitrateLimits struct {
		Max int `json:"max"`
		Min int `json:"min"`
	}
	// systemRating is the benchmark's verdict: none measured.
	systemRating struct {
		VideoQuality       videoQuality       `json:"videoQuality"`
		VideoContentLevels videoContentLevels `json:"videoContentLevels"`
	}
	videoQuality struct {
		Send         string `json:"send"`
		ReceiveP2P   string `json:"receiveP2P"`
		ReceiveGroup string `json:"receiveGroup"`
	}
	videoContentLevels struct {
		Send         int `json:"send"`
		ReceiveP2P   int `json:"receiveP2P"`
		ReceiveGroup int `json:"receiveGroup"`
		Bench        int `json:"bench"`
	}
	// cameraInfo is the capture and send format: no camera, all zero.
	cameraInfo struct {
		CameraFramerate int    `json:"cameraFramerate"`
		CameraHeight    int    `json:"cameraHeight"`
		CameraWidth     int    `json:"cameraWidth"`
		SendFormat      string `json:"sendFormat"`
		Format          int    `json:"format"`
		SendFramerate   int    `json:"sendFramerate"`
		SendHeight      int    `json:"sendHeight"`
		SendWidth       int    `json:"sendWidth"`
		Stereo          bool   `json:"stereo"`
	}
	monitorsReply struct {
		Method         string          `json:"method"`
		RequestID      json.RawMessage `json:"requestId,omitempty"`
		Monitors       []monitor       `json:"monitors"`
		CurrentMonitor int             `json:"currentMonitor"`
		Result         bool            `json:"result"`
	}
	monitor struct {
		ID     int    `json:"id"`
		Name   string `json:"name"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
	}
	// httpServerSettingsReply answers getHttpServerSettings: the embedded
	// HTTP server's port, as getAppState's embeddedHttpPort gives it.
	httpServerSettingsReply struct {
		Method    string             `json:"method"`
		RequestID json.RawMessage    `json:"requestId,omitempty"`
		Settings  httpServerSettings `json:"settings"`
		Result    bool               `json:"result"`
	}
	httpServerSettings struct {
		Port int `json:"port"`
	}
)

// referencePeerID is the TrueConf ID the reference server reports: not
// logged in to any TrueConf server, like a fresh device.
const referencePeerID = "conform-reference@localhost"

// getter answers the stand-in getters above (false: method is none of them).
func (s *Server) getter(method string, id json.RawMessage) (any, bool) {
	switch method {
	case "getSettings":
		return settingsReply{Method: method, RequestID: id, Settings: map[string]any{}, Result: true}, true
	case "getSystemInfo":
		return systemInfoReply{Method: method, RequestID: id,
			AuthInfo:      systemAuthInfo{PeerID: referencePeerID, PeerDN: "conform reference server"},
			ProductInfo:   map[string]any{"name": "conform reference server"},
			BitrateLimits: bitrateLimits{Max: 20480, Min: 32},
			Result:        true}, true
	case "getMonitorsInfo":
		return monitorsReply{Method: method, RequestID: id, Monitors: []monitor{{ID: 0, Name: "reference", Width: 1920, Height: 1080}}, Result: true}, true
	case "getHttpServerSettings":
		return httpServerSettingsReply{Method: method, RequestID: id, Settings: httpServerSettings{Port: s.httpPort}, Result: true}, true
	}
	return nil, false
}
