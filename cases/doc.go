// Package cases is the catalogue of conformance cases for the auth method
// of the TrueConf Room WebSocket control API, written in package caselang:
// one table per requirement group (env.go, auth.go, rc.go, life.go, ...),
// the generators (the near misses of every request field, the protection
// changes from every profile, every class of token's life), the generated
// cases and their reach (generated.txt, made by internal/generate), the
// requirements no case checks yet (NotYetCovered) and the validation of the
// whole (Validate). All returns the catalogue in run order; Catalogue is
// what the reports measure a run against.
//
// Its files dot-import caselang: a table entry reads like the requirement
// it checks (see caselang's package doc for why). The building blocks only
// the tables use (send, loginAs, granted, ...) are in steps.go.
package cases
