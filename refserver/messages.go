package refserver

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Result codes of auth (the auth method's documentation; docs/requirements.md, RC rows).
const (
	rcOK                 = 0
	rcInternal           = 1 // only under the faults invalid-json-breaks-next-auth and binary-frame-breaks-next-auth
	rcNotPro             = 2
	rcNotAdmin           = 3
	rcSecurityType       = 4
	rcOtherMode          = 5
	rcLockedOut          = 6
	rcEmptyCredentials   = 7
	rcWrongCredentials   = 8
	rcInvalidRole        = 9
	rcInvalidType        = 10
	rcMissingType        = 11
	rcMissingCredentials = 12
)

// rcText is the short English error text of each failure code. It never
// contains anything from the request, so no credential can leak into a
// response (FAIL-5).
var rcText = map[int]string{
	rcInternal:           "Internal failure",
	rcNotPro:             "Secured authorization requires the Pro plan",
	rcNotAdmin:           "The connection is not authorized as administrator",
	rcSecurityType:       "This type of security cannot be used for the requested mode",
	rcOtherMode:          "The credentials grant a different mode than the requested role",
	rcLockedOut:          "Too many incorrect attempts, try again later",
	rcEmptyCredentials:   "Empty credentials",
	rcWrongCredentials:   "Incorrect credentials",
	rcInvalidRole:        "Invalid role",
	rcInvalidType:        "Invalid type",
	rcMissingType:        "Missing type",
	rcMissingCredentials: "Missing credentials",
}

// Error texts of the other methods and of malformed input.
const (
	errInvalidJSON   = "Invalid JSON"
	errNotObject     = "A message must be a JSON object"
	errNoMethod      = "Missing or invalid method"
	errAuthRequired  = "Authorization required"
	errUnknownMethod = "Unknown method"
)

// emptyRequestID is echoed when a request has no requestId (ENV-4, first
// member of the accepted set).
var emptyRequestID = json.RawMessage(`""`)

// inventedRequestID is echoed for a missing requestId under the fault
// request-id-invented.
var inventedRequestID = json.RawMessage(`"0"`)

// authReply is the response to auth. Field order is the documentation's
// (method and requestId first); omitempty drops the success-only fields from a
// failure and error from a success. Previleges is spelled as the docs spell it,
// a *int except under the fault token-reauth-previleges-string; Privileges
// exists only for the fault privileges-misspelt. Result is a JSON boolean
// except under the fault result-not-boolean-on-failure, ResultCode an int
// except under the fault result-code-string-on-status-change. RequestID is
// omitted only under the variant request-id-absent. noRequestID records that
// the request had none, for the sending side.
type authReply struct {
	Method             string          `json:"method"`
	RequestID          json.RawMessage `json:"requestId,omitempty"`
	Previleges         any             `json:"previleges,omitempty"`
	Privileges         *int            `json:"privileges,omitempty"`
	Token              string          `json:"token,omitempty"`
	TokenForHTTPServer string          `json:"tokenForHttpServer,omitempty"`
	OverlayHTTPToken   string          `json:"overlayHttpToken,omitempty"`
	Result             any             `json:"result"`
	ResultCode         any             `json:"resultCode,omitempty"` // nil (absent) only under the fault success-without-result-code
	Error              string          `json:"error,omitempty"`

	noRequestID bool
}

// failed reports whether an auth reply is a failure, whatever types its
// fields have under faults.
func (r authReply) failed() bool {
	code, isInt := r.ResultCode.(int)
	return isInt && code != rcOK
}

// plainReply is a result of any other method: success without data, or a
// refusal with an error text.
type plainReply struct {
	Method    string          `json:"method"`
	RequestID json.RawMessage `json:"requestId,omitempty"`
	Result    bool            `json:"result"`
	Error     string          `json:"error,omitempty"`
}

// errorReply is the refusal of a command before auth under the variant
// refusal-error-only: an error text and no result (SEC-1 accepts either).
type errorReply struct {
	Method    string          `json:"method"`
	RequestID json.RawMessage `json:"requestId,omitempty"`
	Error     string          `json:"error"`
}

// authInfoReply is the response to getAuthInfo.
type authInfoReply struct {
	Method    string          `json:"method"`
	RequestID json.RawMessage `json:"requestId,omitempty"`
	AdminAuth authInfo        `json:"adminAuth"`
	UserAuth  authInfo        `json:"userAuth"`
	Result    bool            `json:"result"`
}

// authInfo is one mode's protection; PIN only for an administrator asking about
// a PIN-protected user mode (SEC-2).
type authInfo struct {
	Security Security `json:"security"`
	PIN      string   `json:"pin,omitempty"`
}

// appStateReply is the response to getAppState. appState 3 is "normal" (idle,
// ready for calls) in the recorded replies.
type appStateReply struct {
	Method           string          `json:"method"`
	RequestID        json.RawMessage `json:"requestId,omitempty"`
	AppState         int             `json:"appState"`
	EmbeddedHTTPPort int             `json:"embeddedHttpPort"`
	Result           bool            `json:"result"`
}

// tokenReply is the response to getTokenForHttpServer: a fresh HTTP token in
// token (in tokenForHttpServer under the fault
// get-token-for-http-server-wrong-field).
type tokenReply struct {
	Method             string          `json:"method"`
	RequestID          json.RawMessage `json:"requestId,omitempty"`
	Token              string          `json:"token,omitempty"`
	TokenForHTTPServer string          `json:"tokenForHttpServer,omitempty"`
	Result             bool            `json:"result"`
}

// refusedAuthInfoReply is the refusal of getAuthInfo before auth under the
// fault pre-auth-refusal-reveals-security: refused, yet with the protection.
type refusedAuthInfoReply struct {
	Method    string          `json:"method"`
	RequestID json.RawMessage `json:"requestId,omitempty"`
	AdminAuth authInfo        `json:"adminAuth"`
	UserAuth  authInfo        `json:"userAuth"`
	Result    bool            `json:"result"`
	Error     string          `json:"error,omitempty"`
}

// webConfig is the web manager's /public/default/config.json: the ports of
// the WebSocket API and of the embedded HTTP server. A port is an int, or a
// string under the fault config-json-ports-as-strings.
type webConfig struct {
	Config struct {
		WebSocket portConfig `json:"websocket"`
		HTTP      portConfig `json:"http"`
	} `json:"config"`
}

type portConfig struct {
	Port any `json:"port"`
}

// event is a notification; clients tell it from a response by method "event".
type event struct {
	Method string `json:"method"`
	Event  string `json:"event"`
	Cause  int    `json:"cause"`
}

// appStateEvent is the notification appStateChanged, sent before every
// response under the variant events-before-responses.
type appStateEvent struct {
	Method   string `json:"method"`
	Event    string `json:"event"`
	AppState int    `json:"appState"`
}

// causeOtherClient is authorizationNeeded's cause when another connection
// authorized in the same mode; causeAdminCredentialsChanged is the cause for
// changed administrator credentials (sent instead under the fault
// admin-displacement-cause-3).
const (
	causeOtherClient             = 1
	causeAdminCredentialsChanged = 3
)

// encode marshals a reply without HTML escaping, so that an echoed requestId
// such as "<a&b>" comes back byte for byte (ENV-3): json.Marshal would rewrite
// it as "\u003ca\u0026b\u003e".
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
