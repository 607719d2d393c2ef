// Package refserver is the reference server: the auth surface of a TrueConf Room
// device, faithful to the project's reading of the spec (docs/requirements.md).
//
// Where docs/requirements.md accepts several behaviours, the server picks the first
// member of the accepted set, so that the suite run against it shows every
// requirement passing with the best-supported reading. Time-dependent behaviour
// (token lifetimes, lockout) runs on an injectable clock and can be scaled down,
// so that the lifetime cases finish in well under a second.
//
// For the project's self-test the server can also misbehave on purpose: each
// Fault (Options.Faults) breaks exactly one requirement, so that the suite can
// be shown to catch it; each Variant (Options.Variants) picks another member
// of an accepted set, so that the suite can be shown not to depend on the
// reference's own choices.
//
// The package implements three surfaces of a device:
//
//   - the WebSocket control API (Server is its http.Handler): one JSON object
//     per text frame, methods auth, setUsedApiVersion, getAuthInfo,
//     getAppState, getTokenForHttpServer, clearTokens and setAuthParams (an
//     administrator's; admin unsecured makes user unsecured, user is
//     protected only while admin is, a user PIN is the one given in newPin
//     or a generated one returned there, admin PIN protection is the command
//     line's; the user connection is told cause 2 or 4); and, minimally,
//     the getters TrueConf's own Python client sends after every login
//     (getSettings, getSystemInfo with authInfo.peerId, getMonitorsInfo),
//     answered with fixed values no case judges, so that such a client gets
//     past its login;
//   - the embedded HTTP server (HTTPHandler, port 8766 on a device): any path,
//     200 for a live tokenForHttpServer or overlayHttpToken in the token query
//     parameter, 401 for anything else;
//   - the web manager's discovery file (WebHandler):
//     GET /public/default/config.json with the ports of the other two.
//
// Start runs all three on their own listeners; TokenInfo tells tests what the
// server knows about a token it issued.
package refserver
