package refserver

// fault names one deliberate deviation from requirements.md. The self-test
// (design.md, "How the project tests itself", step 3) switches faults on to
// prove that the suite catches each one. None exist yet.
//
// Each behaviour has exactly one place where a fault is consulted, so that a
// fault never needs more than one edit:
//
//   - auth reply envelope and field names: (*Server).auth and (*Server).grant
//   - result-code choice: the decide* functions in auth.go
//   - credential recognition and token liveness: (*Server).identify
//   - token minting and lifetimes: (*Server).grant
//   - one connection per mode and its notification: (*Server).setMode, notifyDisplaced
//   - other methods (pre-auth refusal, getAuthInfo): (*Server).dispatch, authInfo
//   - robustness (bad input): (*Server).readLoop, dispatch
type fault string

// faultSet is the set of faults a server runs with; the zero value has none.
type faultSet map[fault]bool

// has reports whether a fault is switched on.
func (fs faultSet) has(f fault) bool { return fs[f] }
