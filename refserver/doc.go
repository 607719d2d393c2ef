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
//     or, for newPin absent, null or "" as TrueConf's Python and Qt clients
//     send it, a generated one returned there, admin PIN protection is the
//     command line's; the user connection is told cause 2 or 4); and, as
//     stand-ins, the getters real clients send (below);
//   - the embedded HTTP server (HTTPHandler, port 8766 on a device): any path,
//     200 for a live tokenForHttpServer or overlayHttpToken in the token query
//     parameter, 401 for anything else;
//   - the web manager's discovery file (WebHandler):
//     GET /public/default/config.json with the ports of the other two.
//
// Start runs all three on their own listeners; TokenInfo tells tests what the
// server knows about a token it issued.
//
// # Stand-ins for real clients
//
// Real clients of this API (TrueConf's python-trueconf-room and pyVideoSDK,
// zoboff/tcroom, the Qt library zoboff/videosdk) send more than auth: right
// after a successful login getAppState, getSettings, getSystemInfo and
// getMonitorsInfo, back to back; and their libraries offer
// getHttpServerSettings and setAuthParams. testdata/clients quotes those
// frames, each with the repository, commit and file it comes from and the
// pattern the client matches its answer with; TestRealClientFrames drives
// the server with them in every profile. A real device answers these
// getters with its own state: getSystemInfo with authInfo (peerId, peerDn),
// fileInfo and productInfo (version numbers), permissionsInfo (the TrueConf
// server plan's limits, after a login to one), bitrateLimits (max, min),
// systemRating (videoQuality, videoContentLevels) and cameraInfo (capture
// and send format), as TrueConf's published getSystemInfo example shows;
// getHttpServerSettings with a settings object holding its embedded HTTP
// server's port. The reference answers them with minimal stand-ins: every
// field the clients' patterns require (the Python libraries' response
// patterns require all seven objects of getSystemInfo, and settings and
// result of getHttpServerSettings), in the documented shapes, with the
// values of a device without camera, call or TrueConf server login
// (zeros, empty strings, the documented example's bitrate limits);
// getHttpServerSettings gives the port of the HTTP server Start runs (the
// port getAppState gives in embeddedHttpPort). They are answered only
// after auth, are no part of the reading, and no case judges them.
//
// Where the reading accepts several answers, the default is also the one
// these clients cope with: a refusal carries result false and an error text
// (the Qt client handles a refusal only when it has error, else it prints
// "Data Unprocessed" and keeps its old state; variant no-error-text drops
// it), and on its own connection an answer is never preceded by a
// notification (a client that reads "the next frame" takes the
// notification for the answer; variant events-before-responses sends one
// first). A displacement's notification goes to the displaced connection
// only.
package refserver
