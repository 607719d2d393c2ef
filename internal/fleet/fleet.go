// Package fleet is what `conform run --targets FILE` knows of a fleet
// before any target is run: the targets file (YAML or JSON, read bounded
// and checked line by line), its digest, which shard each target belongs
// to and which shard this run is, the entries that name one device twice,
// and how many targets may run at once on this machine.
package fleet

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/opfile"
)

// Target is one entry of the targets file. The optional fields are those
// of the flags they override (--web, --http, --plan, --legacy,
// --baseline, --allow-reconfigure): empty or nil means the flag's value.
type Target struct {
	// Name is unique in the file (letter case ignored) and safe as a file
	// name (NamePattern): the target's report directory is named after it.
	Name           string
	URL, Web, HTTP string
	Plan           string
	Baseline       string
	Legacy         *bool
	// AllowReconfigure is --allow-reconfigure for this target.
	AllowReconfigure *bool
	// Secrets maps a secret's usual variable (CONFORM_ADMIN_PASSWORD, ...)
	// to the name of the environment variable holding this target's value;
	// a target gets no other secret.
	Secrets map[string]string
	// Line is the line of the entry in the file, for errors.
	Line int
}

// File is a parsed targets file.
type File struct {
	Path    string
	Targets []Target
	// Digest is the sha256 of the file's bytes, "sha256:<hex>": the
	// results of every shard record it, and a merge refuses shards of
	// different files.
	Digest string
}

// NamePattern is the rule for a target's name: a letter or digit, then up
// to 63 letters, digits, dots, dashes and underscores (so never "." or
// "..", never a path).
var NamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// reservedNames are the fleet's own files in the report directory: a
// target's directory of that name would take their place.
var reservedNames = []string{"junit.xml", "results.json", "report.html", "summary.md"}

// varName is an environment variable's name as the secrets map must give
// it: upper-case letters, digits and underscores, not starting with a
// digit. A value outside it is taken for a secret written where its
// variable's name belongs, and is never shown.
var varName = regexp.MustCompile(`^[A-Z_][A-Z0-9_]{0,127}$`)

// entryKeys are the keys of an entry.
var entryKeys = []string{"name", "url", "web", "http", "plan", "legacy", "baseline", "allow-reconfigure", "secrets"}

// Load reads and parses the targets file at path (opfile.TargetsLimit:
// never a FIFO or a device, never more than 8 MiB).
func Load(path string) (File, error) {
	b, err := opfile.ReadFile(path, opfile.TargetsLimit)
	if err != nil {
		return File{}, fmt.Errorf("--targets %w", err)
	}
	f, err := Parse(b, path)
	f.Path = path
	return f, err
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Parse parses a targets file's bytes; name is where they came from and
// starts every error, with the line. An error never quotes a value that
// may be a secret (a secrets map's values, a URL's credentials).
func Parse(b []byte, name string) (File, error) {
	f := File{Path: name, Digest: digestOf(b)}
	fail := func(line int, format string, args ...any) (File, error) {
		return File{}, fmt.Errorf("%s: line %d: %s", name, line, fmt.Sprintf(format, args...))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return File{}, fmt.Errorf("%s: not YAML or JSON: %s", name, strings.Join(strings.Fields(err.Error()), " "))
	}
	if len(doc.Content) == 0 {
		return File{}, fmt.Errorf("%s: no targets: the file holds nothing (want `targets:` and a list of entries)", name)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fail(root.Line, "want a mapping with the key `targets`")
	}
	var list *yaml.Node
	err := eachKey(root, func(k, v *yaml.Node) error {
		if k.Value != "targets" {
			return lineErr(k.Line, "unknown key %q (the file has one key, targets)", k.Value)
		}
		list = v
		return nil
	})
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", name, err)
	}
	if list == nil {
		return fail(root.Line, "no targets: the key `targets` is missing")
	}
	if list.Kind != yaml.SequenceNode {
		return fail(list.Line, "targets must be a list of entries")
	}
	f.Targets = []Target{}
	seen := map[string]int{}
	for _, n := range list.Content {
		t, err := entry(n)
		if err != nil {
			return File{}, fmt.Errorf("%s: %w", name, err)
		}
		key := strings.ToLower(t.Name)
		if line, dup := seen[key]; dup {
			return fail(t.Line, "name %q is also the name of the target at line %d (names are compared without letter case: they name directories)", t.Name, line)
		}
		seen[key] = t.Line
		f.Targets = append(f.Targets, t)
	}
	return f, nil
}

// lineError is an error at a line of the file.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func lineErr(line int, format string, args ...any) error {
	return &lineError{line: line, msg: fmt.Sprintf(format, args...)}
}

// eachKey calls fn for each key of the mapping m and its value, refusing
// a key given twice and a key that is not a plain string.
func eachKey(m *yaml.Node, fn func(k, v *yaml.Node) error) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return lineErr(k.Line, "a key must be a plain word")
		}
		if seen[k.Value] {
			return lineErr(k.Line, "%q given twice", k.Value)
		}
		seen[k.Value] = true
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// entry parses one entry of the list.
func entry(n *yaml.Node) (Target, error) {
	t := Target{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return t, lineErr(n.Line, "an entry must be a mapping (name, url, ...)")
	}
	// The name first: every other error names the target.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], n.Content[i+1]; k.Value == "name" && v.Kind == yaml.ScalarNode {
			t.Name = v.Value
		}
	}
	who := t.Name
	err := eachKey(n, func(k, v *yaml.Node) error {
		if !slices.Contains(entryKeys, k.Value) {
			return lineErr(k.Line, "unknown key %q (an entry has %s)", k.Value, strings.Join(entryKeys, ", "))
		}
		if k.Value == "secrets" {
			return t.secrets(who, v)
		}
		if v.Kind != yaml.ScalarNode {
			return lineErr(v.Line, "%s: %s must be a single value", who, k.Value)
		}
		switch k.Value {
		case "name":
		case "url":
			t.URL = v.Value
		case "web":
			t.Web = v.Value
		case "http":
			t.HTTP = v.Value
		case "plan":
			t.Plan = v.Value
		case "baseline":
			t.Baseline = v.Value
		case "legacy", "allow-reconfigure":
			b, err := strconv.ParseBool(v.Value)
			if err != nil || v.Tag == "!!str" && v.Style != 0 {
				return lineErr(v.Line, "%s: %s must be true or false", who, k.Value)
			}
			if k.Value == "legacy" {
				t.Legacy = &b
			} else {
				t.AllowReconfigure = &b
			}
		}
		return nil
	})
	if err != nil {
		return t, err
	}
	switch {
	case t.Name == "":
		return t, lineErr(t.Line, "name is required (%s)", nameRule)
	case !NamePattern.MatchString(t.Name):
		return t, lineErr(t.Line, "name %q: %s", t.Name, nameRule)
	case slices.Contains(reservedNames, strings.ToLower(t.Name)):
		return t, lineErr(t.Line, "name %q is the name of one of the fleet's own reports (%s)", t.Name, strings.Join(reservedNames, ", "))
	case t.URL == "":
		return t, lineErr(t.Line, "%s: url is required (the ws:// or wss:// URL of its control API)", who)
	}
	for _, u := range []struct {
		key, v  string
		schemes []string
	}{{"url", t.URL, []string{"ws", "wss"}}, {"web", t.Web, []string{"http", "https"}}, {"http", t.HTTP, []string{"http", "https"}}} {
		if u.v == "" {
			continue
		}
		if err := CheckURL(u.v, u.schemes...); err != nil {
			return t, lineErr(t.Line, "%s: %s: %v", who, u.key, err)
		}
	}
	if t.Plan != "" && t.Plan != "pro" && t.Plan != "free" {
		return t, lineErr(t.Line, "%s: plan must be pro or free, not %q", who, t.Plan)
	}
	return t, nil
}

const nameRule = "a name is a letter or digit, then up to 63 letters, digits, '.', '-' or '_'"

// secrets parses an entry's secrets map. A value is the name of an
// environment variable; anything else may be the secret itself, so it is
// never shown.
func (t *Target) secrets(who string, m *yaml.Node) error {
	if m.Kind != yaml.MappingNode {
		return lineErr(m.Line, "%s: secrets must be a mapping from a secret's variable (CONFORM_ADMIN_PASSWORD, ...) to the name of the variable holding this target's value (the value is not shown)", who)
	}
	known := make([]string, 0, len(caselang.SecretKinds))
	for _, k := range caselang.SecretKinds {
		known = append(known, k.EnvVar())
	}
	t.Secrets = map[string]string{}
	return eachKey(m, func(k, v *yaml.Node) error {
		if !slices.Contains(known, k.Value) {
			if varName.MatchString(k.Value) {
				return lineErr(k.Line, "%s: secrets: %q is not a secret variable (%s)", who, k.Value, strings.Join(known, ", "))
			}
			return lineErr(k.Line, "%s: secrets: a key is not a secret variable (%s); it is not shown", who, strings.Join(known, ", "))
		}
		// A quoted or plain scalar only: a number (a PIN written in place
		// of its variable's name) fails the pattern as well.
		if v.Kind != yaml.ScalarNode || !varName.MatchString(v.Value) {
			return lineErr(v.Line, "%s: secrets: %s: the value is not the name of an environment variable (A-Z, 0-9 and _, not starting with a digit): give the name of the variable that holds the secret, never the secret (the value is not shown)", who, k.Value)
		}
		t.Secrets[k.Value] = v.Value
		return nil
	})
}

// CheckURL checks a URL of the targets file: one of the schemes, a host,
// a port in range, no credentials (secrets come from the environment; the
// error does not quote the URL, which may carry one).
func CheckURL(raw string, schemes ...string) error {
	u, err := url.Parse(raw)
	if err != nil || !slices.Contains(schemes, u.Scheme) || u.Host == "" {
		return fmt.Errorf("must be a %s:// URL with a host", strings.Join(schemes, ":// or "))
	}
	if u.User != nil {
		return errors.New("must not carry credentials; secrets come from the environment (the secrets map)")
	}
	if u.Hostname() == "" {
		return errors.New("names no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %s is not in 1..65535", p)
		}
	}
	return nil
}
