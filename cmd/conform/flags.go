package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/opfile"
	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/internal/suggest"
)

// newFlagSet is a private FlagSet (Ginkgo's 52 global flags stay out of -h).
func newFlagSet(name string, stderr io.Writer, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("conform "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	// Usage writes to the FlagSet's output, which parse silences: a usage
	// mistake gets one line, -h gets the whole text.
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: conform %s %s\n\nFlags (each also read from CONFORM_<FLAG>, then from the --config file where the command has one):\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// secretFlags are names an operator might try as flags; the error says
// where secrets go instead.
var secretFlags = []string{"admin-password", "admin-pin", "user-password", "user-pin", "password", "pin"}

// Where a flag's value came from, in order of precedence.
const (
	fromFlag    = "flag"
	fromEnv     = "environment"
	fromFile    = "config file"
	fromDefault = "default"
)

// parse parses args, then fills every flag not given on the command line
// from CONFORM_<FLAG> (dashes as underscores), then every flag still unset
// from the --config file (YAML, keys are flag names; CONFORM_CONFIG names
// it too), when the command has --config. It returns where each flag's
// value came from, or a one-line error for the caller to print (exit 2).
func parse(fs *flag.FlagSet, args []string, getenv func(string) string) (map[string]string, error) {
	fs.SetOutput(io.Discard) // we print one line ourselves
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil, err
	}
	if err != nil {
		msg := err.Error()
		for _, s := range secretFlags {
			if strings.Contains(msg, "-"+s) {
				msg += fmt.Sprintf(" (secrets are read only from the environment, e.g. CONFORM_%s)", strings.ToUpper(strings.ReplaceAll(s, "-", "_")))
				return nil, errors.New(msg)
			}
		}
		if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
			if s := suggest.Nearest(strings.TrimLeft(name, "-"), flagNames(fs)); s != "" {
				msg += fmt.Sprintf(" (did you mean --%s?)", s)
			}
		}
		return nil, errors.New(msg)
	}
	from := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) { from[f.Name] = fromDefault })
	fs.Visit(func(f *flag.Flag) { from[f.Name] = fromFlag })
	var errs []string
	fs.VisitAll(func(f *flag.Flag) {
		if from[f.Name] != fromDefault {
			return
		}
		env := envName(f.Name)
		if v := getenv(env); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Sprintf("%s=%q: %v", env, v, err))
			}
			from[f.Name] = fromEnv
		}
	})
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "; "))
	}
	if cf := fs.Lookup("config"); cf != nil && cf.Value.String() != "" {
		if err := applyConfig(fs, cf.Value.String(), from); err != nil {
			return nil, err
		}
	}
	return from, nil
}

// env reads the environment as os.LookupEnv does: a variable set to ""
// is set (CONFORM_TARGET=$ROOM_URL with $ROOM_URL unset), which a command
// can tell from one that is not set at all.
type env func(name string) (value string, set bool)

// environment is the env of os.Environ's KEY=VALUE pairs; the first of a
// name wins, as in os.Getenv.
func environment(environ []string) env {
	vars := make(map[string]string, len(environ))
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if _, dup := vars[k]; !dup {
			vars[k] = v
		}
	}
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// getenvOnly is the env of a getenv, which cannot tell "" from unset: ""
// is unset (the project's in-process runs).
func getenvOnly(getenv func(string) string) env {
	return func(name string) (string, bool) {
		v := getenv(name)
		return v, v != ""
	}
}

// get is the variable's value, "" when it is not set (os.Getenv).
func (e env) get(name string) string {
	v, _ := e(name)
	return v
}

func envName(flagName string) string {
	return "CONFORM_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func flagNames(fs *flag.FlagSet) []string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

// applyConfig sets every flag still at its default from the YAML file at
// path: a mapping of flag names to values (a list for a repeatable flag).
// A key that is no flag of the command is an error that names the nearest
// one; a secret is refused (secrets come only from the environment).
func applyConfig(fs *flag.FlagSet, path string, from map[string]string) error {
	b, err := opfile.ReadFile(path, opfile.ConfigLimit)
	if err != nil {
		return fmt.Errorf("--config %w", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("--config %s: not a YAML mapping of flag names to values: %v", path, flatErr(err))
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := strings.TrimLeft(k, "-")
		if slices.Contains(secretFlags, name) || strings.HasPrefix(strings.ToUpper(name), "CONFORM_") {
			return fmt.Errorf("--config %s: %q: secrets are read only from the environment (CONFORM_ADMIN_PASSWORD, ...), never from a file", path, k)
		}
		f := fs.Lookup(name)
		if f == nil || name == "config" {
			msg := fmt.Sprintf("--config %s: %q is not a flag of conform %s", path, k, strings.TrimPrefix(fs.Name(), "conform "))
			if s := suggest.Nearest(name, flagNames(fs)); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			return errors.New(msg)
		}
		if from[name] != fromDefault {
			continue // a flag or the environment wins
		}
		values, err := configValues(doc[k])
		if err != nil {
			return fmt.Errorf("--config %s: %s: %w", path, k, err)
		}
		for _, v := range values {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("--config %s: %s: %q: %v", path, k, v, err)
			}
		}
		from[name] = fromFile
	}
	return nil
}

// configValues turns a YAML value into the flag values it stands for: a
// scalar is one, a list is one each.
func configValues(v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return []string{""}, nil
	case string:
		return []string{x}, nil
	case bool, int, int64, uint64, float64:
		return []string{fmt.Sprint(x)}, nil
	case []any:
		var out []string
		for _, e := range x {
			vs, err := configValues(e)
			if err != nil || len(vs) != 1 {
				return nil, fmt.Errorf("a list holds only scalars")
			}
			out = append(out, vs...)
		}
		return out, nil
	}
	return nil, fmt.Errorf("not a scalar or a list of scalars")
}

func flatErr(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// parseOrExit is parse for a command: on -h it prints the usage (exit 0),
// on a mistake one line (exit 2); ok says the command goes on.
func parseOrExit(fs *flag.FlagSet, args []string, getenv func(string) string, stderr io.Writer) (from map[string]string, code int, ok bool) {
	from, err := parse(fs, args, getenv)
	switch {
	case err == nil:
		return from, 0, true
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stderr)
		fs.Usage()
		return nil, exitOK, false
	}
	fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
	return nil, exitUsage, false
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

// tokenFields are the answer fields that carry the tokens a target issues
// (wire.DefaultAutoRedact less the PINs), which are also the labels the
// engine registers them under.
var tokenFields = []string{"token", "tokenForHttpServer", "overlayHttpToken"}

// secretsFromEnv reads the operator's secrets from CONFORM_* and registers
// each, with its encodings, with a new redactor: before anything is
// printed.
func secretsFromEnv(getenv func(string) string) (*redact.Redactor, engine.Secrets) {
	red := redact.New()
	// A token shorter than redact.MinFreeText is redacted only where it
	// stands as a value: a target cannot erase a word of the console's
	// ("FAIL", "fail") by issuing it as a token. PINs (pin, newPin) stay
	// secrets wherever they occur.
	red.ValueOnly(tokenFields...)
	secrets := engine.SecretsFromEnv(getenv)
	for _, k := range secrets.Kinds() {
		v, _ := secrets.Get(k)
		red.Add(string(k), v)
	}
	return red, secrets
}
