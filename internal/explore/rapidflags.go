package explore

import (
	"flag"
	"fmt"
	"testing"
)

// pgregory.net/rapid v1.3.0 is built for `go test`. Its settings are flags
// of flag.CommandLine (rapid.checks, rapid.steps, rapid.seed, ...), read
// when a check starts; and its Check asks testing.Short, which panics
// unless testing.Init has registered the testing flags and flag.CommandLine
// has been parsed. Outside a test binary (conform run) nobody has done
// either, so this file does, and it is the one file of the module outside
// _test.go files that imports "testing" (internal/archtest's
// TestOnlyTheExplorationImportsTesting holds that). testing.Init adds the
// test.* flags to flag.CommandLine, which the conform binary does not parse
// (its flags are its own), and changes nothing in a test binary, where they
// exist already.

// testShort registers and parses the testing flags if nobody has, and
// reports whether the process runs with -test.short (rapid then makes
// fewer and shorter walks, which the exploration makes up for).
func testShort() bool {
	testing.Init()
	if !flag.Parsed() {
		_ = flag.CommandLine.Parse(nil) // testing.Short, which rapid asks, wants parsed flags
	}
	return testing.Short()
}

// setRapid sets rapid's process-wide flags, for the exploration that holds
// mu.
func setRapid(settings map[string]string) error {
	for k, v := range settings {
		if err := flag.CommandLine.Set(k, v); err != nil {
			return fmt.Errorf("rapid %s: %w", k, err)
		}
	}
	return nil
}
