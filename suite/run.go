package suite

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/roomconform/conform/internal/conductor"
)

// selectionFlags are Ginkgo flags that would change which specs run behind
// the back of Select (the reports list what Select chose).
var selectionFlags = []string{"ginkgo.label-filter", "ginkgo.focus", "ginkgo.skip", "ginkgo.focus-file", "ginkgo.skip-file"}

// ParseGinkgoArgs applies raw --ginkgo.* flags (given after "--") to
// Ginkgo's global flag set. Call it before anything touches the target: a
// mistake is a UsageError, never an exit from inside the flag package.
func ParseGinkgoArgs(args []string) error {
	if len(args) == 0 {
		return nil
	}
	flag.CommandLine.Init("ginkgo", flag.ContinueOnError)
	flag.CommandLine.SetOutput(io.Discard)
	if err := flag.CommandLine.Parse(args); err != nil {
		return &conductor.UsageError{Msg: "ginkgo flags after --: " + err.Error()}
	}
	if rest := flag.CommandLine.Args(); len(rest) > 0 {
		return &conductor.UsageError{Msg: fmt.Sprintf("unexpected argument %q after -- (only --ginkgo.* flags go there)", rest[0])}
	}
	var bad []string
	flag.CommandLine.Visit(func(f *flag.Flag) {
		if slices.Contains(selectionFlags, f.Name) {
			bad = append(bad, "--"+f.Name)
		}
	})
	if len(bad) > 0 {
		return &conductor.UsageError{Msg: fmt.Sprintf("%s after --: select cases with --label-filter and --case instead", strings.Join(bad, ", "))}
	}
	return nil
}
