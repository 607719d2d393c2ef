package conductor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/suggest"
)

// The CONFORM_* variables. A misspelt one is not read, and what it meant
// silently does not happen: a misspelt CONFORM_TARGET runs the embedded
// server and passes, a misspelt secret leaves its cases skipped. So every route that
// reads CONFORM_* (the binary, go test ./suite) refuses a name within two
// edits of a known one that is not one; a name far from every known one
// may be another tool's and is left alone.

// EnvPrefix starts every variable conform reads.
const EnvPrefix = "CONFORM_"

// flagVariables are the CONFORM_<FLAG> names of every flag of conform
// run, list, serve and restore (TestEveryFlagHasAKnownVariable in
// cmd/conform holds the list to the flags).
var flagVariables = []string{
	"CONFORM_ALLOW_RECONFIGURE", "CONFORM_BASELINE", "CONFORM_CA_FILE", "CONFORM_CASE", "CONFORM_CONFIG",
	"CONFORM_FAULT", "CONFORM_FORCE", "CONFORM_FORMAT", "CONFORM_HTML_REPORT", "CONFORM_HTTP",
	"CONFORM_HTTP_LISTEN", "CONFORM_HTTP_PROBE_PATH", "CONFORM_HTTP_TOKEN_TTL", "CONFORM_INSECURE_SKIP_VERIFY",
	"CONFORM_JOURNAL", "CONFORM_JSON", "CONFORM_JSON_REPORT", "CONFORM_JUNIT_REPORT", "CONFORM_LABEL_FILTER",
	"CONFORM_LEGACY", "CONFORM_LIFETIME_TOLERANCE", "CONFORM_LIST_FAULTS", "CONFORM_LISTEN",
	"CONFORM_LOCKOUT_ATTEMPTS", "CONFORM_LOCKOUT_DURATION", "CONFORM_LOCKOUT_WAIT", "CONFORM_LOCKOUT_WINDOW",
	"CONFORM_NEW_USER_PIN", "CONFORM_PACE", "CONFORM_PARALLEL", "CONFORM_PIN_TOKEN_TTL_MIN", "CONFORM_PLAN", "CONFORM_PRINT_CONFIG",
	"CONFORM_PROFILE", "CONFORM_REPORT_DIR", "CONFORM_REQUIRE", "CONFORM_REQUIREMENT", "CONFORM_RESPONSE_TIMEOUT",
	"CONFORM_SEED", "CONFORM_SHARD", "CONFORM_SHARD_TOTAL", "CONFORM_STRICT", "CONFORM_SUMMARY_REPORT", "CONFORM_TARGET", "CONFORM_TARGETS", "CONFORM_TIME_SCALE",
	"CONFORM_TIMEOUT", "CONFORM_TOKEN_TTL", "CONFORM_V", "CONFORM_VARIANT", "CONFORM_VV", "CONFORM_WEB",
	"CONFORM_WEB_LISTEN", "CONFORM_WRITE_BASELINE", "CONFORM_WRONG_CREDENTIAL_BUDGET",
}

// projectVariables are the switches of the project's own tests and
// generators (TestEveryVariableInTheTreeIsKnown holds every CONFORM_*
// name the repository spells to KnownVariables).
var projectVariables = []string{
	"CONFORM_BENCH_TARGETS",  // another size for BenchmarkFleet (e.g. 500)
	"CONFORM_DOCS_WRITE",     // regenerate docs/requirements.md and docs/catalogue.md
	"CONFORM_GENERATE_WRITE", // regenerate cases/generated.txt
	"CONFORM_MATRIX_WRITE",   // rewrite internal/mutation/matrix.txt
	"CONFORM_MODEL_SEED",     // seed of the model's random tests
	"CONFORM_SEED_MATRIX",    // every seed of the seed test
	"CONFORM_TEST_RUN_MAIN",  // the binary's tests run it as conform
}

// KnownVariables returns every CONFORM_* name conform or its tests read:
// the flags', the secrets' and the project's own, sorted.
func KnownVariables() []string {
	names := slices.Concat(flagVariables, projectVariables)
	for _, k := range caselang.SecretKinds {
		names = append(names, k.EnvVar())
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// maxEnvTypo is how many edits a variable's name may be from a known one
// to be taken for a misspelling of it.
const maxEnvTypo = 2

// CheckEnvironment refuses, as a UsageError, a CONFORM_* variable of
// environ (os.Environ's KEY=VALUE pairs) whose name is not one conform
// reads but is within two edits of one (letter case ignored), naming the
// nearest. Only names are looked at and shown, never a value: it may be a
// secret.
func CheckEnvironment(environ []string) error {
	known := KnownVariables()
	var msgs []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if near := misspeltVariable(name, known); near != "" {
			msgs = append(msgs, fmt.Sprintf("%s is not a variable conform reads: did you mean %s?", name, near))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	slices.Sort(msgs)
	return &UsageError{Msg: strings.Join(msgs, "; ")}
}

// misspeltVariable is the known name that name misspells, or "": name
// starts with CONFORM_ (in any letter case), is not itself known, and is
// within maxEnvTypo edits of a known name, fewer than that name has
// letters after the prefix (so that no one-letter name is taken for
// CONFORM_V).
func misspeltVariable(name string, known []string) string {
	if len(name) < len(EnvPrefix) || !strings.EqualFold(name[:len(EnvPrefix)], EnvPrefix) || slices.Contains(known, name) {
		return ""
	}
	rest := name[len(EnvPrefix):]
	best, bestD := "", maxEnvTypo+1
	for _, k := range known {
		kr := strings.TrimPrefix(k, EnvPrefix)
		if d := suggest.Distance(rest, kr); d < bestD && d < len(kr) {
			best, bestD = k, d
		}
	}
	return best
}
