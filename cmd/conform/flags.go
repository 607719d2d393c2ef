package main

import (
	"github.com/roomconform/conform/internal/suggest"

	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlagSet is a private FlagSet (Ginkgo's 52 global flags stay out of -h).
func newFlagSet(name string, stderr io.Writer, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("conform "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	// Usage writes to the FlagSet's output, which parse silences: a usage
	// mistake gets one line, -h gets the whole text.
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: conform %s %s\n\nFlags (each also read from CONFORM_<FLAG>):\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// secretFlags are names an operator might try as flags; the error says
// where secrets go instead.
var secretFlags = []string{"admin-password", "admin-pin", "user-password", "user-pin", "password", "pin"}

// parse parses args, then fills every flag not given on the command line
// from CONFORM_<FLAG> (dashes as underscores). It returns a one-line error
// for the caller to print (exit 2).
func parse(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	fs.SetOutput(io.Discard) // we print one line ourselves
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	if err != nil {
		msg := err.Error()
		for _, s := range secretFlags {
			if strings.Contains(msg, "-"+s) {
				msg += fmt.Sprintf(" (secrets are read only from the environment, e.g. CONFORM_%s)", strings.ToUpper(strings.ReplaceAll(s, "-", "_")))
				return errors.New(msg)
			}
		}
		if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
			var names []string
			fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
			if s := suggest.Nearest(strings.TrimLeft(name, "-"), names); s != "" {
				msg += fmt.Sprintf(" (did you mean --%s?)", s)
			}
		}
		return errors.New(msg)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []string
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		env := "CONFORM_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(env); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Sprintf("%s=%q: %v", env, v, err))
			}
		}
	})
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// parseOrExit is parse for a command: on -h it prints the usage (exit 0),
// on a mistake one line (exit 2); ok says the command goes on.
func parseOrExit(fs *flag.FlagSet, args []string, getenv func(string) string, stderr io.Writer) (code int, ok bool) {
	err := parse(fs, args, getenv)
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stderr)
		fs.Usage()
		return exitOK, false
	}
	fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
	return exitUsage, false
}

// listFlag is a repeatable flag; a comma-separated value (from the
// environment) adds several.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// pathFlag is a report path: unset means the default under --report-dir,
// set to "" means no such report.
type pathFlag struct {
	path string
	set  bool
}

func (p *pathFlag) String() string { return p.path }

func (p *pathFlag) Set(v string) error {
	p.path, p.set = v, true
	return nil
}
