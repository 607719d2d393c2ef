package caselang

// Checks of the other methods, the HTTP server, notifications, robustness,
// discovery and the lockout.

import (
	"fmt"
	"strings"
	"time"

	"github.com/roomconform/conform/internal/jsonnum"
)

// Refused expects a privileged command to be refused and to reveal nothing (SEC-1).
func Refused(req string) Check {
	return Check{Req: req, Name: "refused before auth", Want: "a refusal (result false and/or an error field), no adminAuth/userAuth", eval: func(o Observation) result {
		res, isBool := o.Response["result"].(bool)
		_, hasErr := o.Response["error"]
		var leaks []string
		for _, k := range []string{"adminAuth", "userAuth"} {
			if _, ok := o.Response[k]; ok {
				leaks = append(leaks, k)
			}
		}
		refused := (isBool && !res) || (hasErr && !(isBool && res))
		switch {
		case !refused:
			return result{expected: "refusal (result false and/or an error field)", actual: shortOutcome(o.Response)}
		case len(leaks) > 0:
			return result{expected: "no adminAuth/userAuth before auth", actual: "revealed " + strings.Join(leaks, ", ")}
		}
		return result{ok: true}
	}}
}

// Accepted expects a non-auth command to succeed (result true).
func Accepted(req string) Check {
	return Check{Req: req, Name: "command accepted", eval: func(o Observation) result {
		if res, ok := o.Response["result"].(bool); ok && res {
			return result{ok: true}
		}
		return result{expected: "result true", actual: shortOutcome(o.Response)}
	}}
}

// TokenField expects a non-empty string token (getTokenForHttpServer, LIFE-6).
func TokenField(req string) Check {
	return Check{Req: req, Name: "token field", eval: func(o Observation) result {
		if s, ok := o.Response["token"].(string); ok && s != "" {
			return result{ok: true}
		}
		return result{expected: "token: a non-empty string", actual: "token " + describeField(o.Response, "token")}
	}}
}

// ShowsPIN expects getAuthInfo's userAuth.pin to be a non-empty string (SEC-2, admin).
func ShowsPIN(req string) Check {
	return Check{Req: req, Name: "userAuth.pin shown", eval: func(o Observation) result {
		ua, _ := o.Response["userAuth"].(map[string]any)
		if s, ok := ua["pin"].(string); ok && s != "" {
			return result{ok: true}
		}
		return result{expected: "userAuth.pin: the PIN (admin connection, user security pin)", actual: "userAuth " + describeField(o.Response, "userAuth")}
	}}
}

// HidesPIN expects getAuthInfo without userAuth.pin (SEC-2 user, SW-2).
func HidesPIN(req string) Check {
	return Check{Req: req, Name: "userAuth.pin hidden", eval: func(o Observation) result {
		if res, ok := o.Response["result"].(bool); !ok || !res {
			return result{expected: "getAuthInfo answered (result true) without userAuth.pin", actual: shortOutcome(o.Response)}
		}
		ua, _ := o.Response["userAuth"].(map[string]any)
		if _, ok := ua["pin"]; ok {
			return result{expected: "no userAuth.pin on a user connection", actual: "userAuth.pin present"}
		}
		return result{ok: true}
	}}
}

// --- HTTP server, notifications, robustness, discovery, lockout ----------------

// HTTPAccepted expects the embedded HTTP server to accept the token (2xx).
func HTTPAccepted(req string) Check {
	return Check{Req: req, Name: "HTTP server accepts the token", Want: "HTTP 2xx", eval: func(o Observation) result {
		if o.HTTPStatus >= 200 && o.HTTPStatus < 300 {
			return result{ok: true, note: fmt.Sprintf("HTTP %d", o.HTTPStatus)}
		}
		return result{expected: "HTTP 2xx", actual: httpActual(o)}
	}}
}

// HTTPRefused expects the embedded HTTP server to refuse the token (any 4xx:
// docs/requirements.md leaves the exact status open).
func HTTPRefused(req string) Check {
	return Check{Req: req, Name: "HTTP server refuses the token", Want: "HTTP 4xx", eval: func(o Observation) result {
		if o.HTTPStatus >= 400 && o.HTTPStatus < 500 {
			return result{ok: true, note: fmt.Sprintf("HTTP %d", o.HTTPStatus)}
		}
		return result{expected: "HTTP 4xx", actual: httpActual(o)}
	}}
}

func httpActual(o Observation) string {
	if o.HTTPStatus == 0 {
		return nonEmpty(o.ResponseErr, "no HTTP answer")
	}
	return fmt.Sprintf("HTTP %d", o.HTTPStatus)
}

// EventCause expects the notification awaited to carry this cause (SEC-3).
func EventCause(req string, cause int) Check {
	return Check{Req: req, Name: "notification cause", Want: fmt.Sprintf("authorizationNeeded with cause %d", cause), eval: func(o Observation) result {
		if c, ok := jsonnum.Int(o.Response["cause"]); ok && c == cause {
			return result{ok: true}
		}
		return result{expected: fmt.Sprintf("cause %d", cause), actual: "cause " + describeField(o.Response, "cause")}
	}}
}

// RecordReaction records what a connection did after a bad frame: an
// answer, a close, or nothing (ROB-2).
func RecordReaction(req string) Check {
	return Check{Req: req, Name: "reaction", noAnswerOK: true, eval: func(o Observation) result {
		switch {
		case o.Response != nil:
			return result{ok: true, note: "answered: " + shortOutcome(o.Response) + errorNote(o.Response)}
		case o.Closed:
			return result{ok: true, note: "closed the connection: " + o.ResponseErr}
		case o.ResponseErr != "":
			return result{ok: true, note: o.ResponseErr}
		}
		return result{ok: true, note: "no answer and no close (a request sent after the frame was answered first)"}
	}}
}

func errorNote(m map[string]any) string {
	if e, ok := m["error"].(string); ok {
		return fmt.Sprintf(" (error %q)", e)
	}
	return ""
}

// ConfigPorts expects config.json's websocket and http ports as JSON
// integers in 1..65535 (DISC-1).
func ConfigPorts(req string) Check {
	return Check{Req: req, Name: "config.json ports", eval: func(o Observation) result {
		cfg, _ := o.Response["config"].(map[string]any)
		var bad []string
		for _, k := range []string{"websocket", "http"} {
			sec, _ := cfg[k].(map[string]any)
			if p, ok := jsonnum.Int(sec["port"]); !ok || p < 1 || p > 65535 {
				bad = append(bad, "config."+k+".port "+describeField(sec, "port"))
			}
		}
		if len(bad) == 0 {
			return result{ok: true}
		}
		return result{expected: "config.websocket.port and config.http.port: integers 1..65535", actual: strings.Join(bad, "; ")}
	}}
}

// RecordLockout records how long the lockout lasted (RC-6): the report
// says it, whatever it was.
func RecordLockout(req string) Check {
	return Check{Req: req, Name: "lockout duration", noAnswerOK: true, eval: func(o Observation) result {
		if res, ok := o.Response["result"].(bool); ok && res {
			return result{ok: true, note: fmt.Sprintf("correct credentials accepted again after %s (%d attempts)", o.Waited.Round(time.Millisecond), o.Attempts)}
		}
		return result{ok: true, note: fmt.Sprintf("still refused after %s (%d attempts): later cases may be refused too", o.Waited.Round(time.Millisecond), o.Attempts)}
	}}
}

// --- helpers -------------------------------------------------------------------
