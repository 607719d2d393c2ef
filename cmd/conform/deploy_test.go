package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestDeployManifestsUseRealFlags: the Kubernetes manifests in
// deploy/kubernetes (decoded with the Kubernetes API types by
// internal/explain's TestFleetManifests) give each container arguments
// the commands themselves accept: `conform run`'s flag set parses the
// shard Job's, and `conform merge` reads the merge Job's as directories
// and flags (it fails only for want of the shards' results).
func TestDeployManifestsUseRealFlags(t *testing.T) {
	vars := regexp.MustCompile(`\$\(([A-Z_]+)\)`)
	seen := map[string]bool{}
	for _, name := range []string{"fleet-job.yaml", "fleet-merge-job.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "kubernetes", name))
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var doc struct {
				Kind string `yaml:"kind"`
				Spec struct {
					Template struct {
						Spec struct {
							Containers []struct {
								Args []string `yaml:"args"`
							} `yaml:"containers"`
						} `yaml:"spec"`
					} `yaml:"template"`
				} `yaml:"spec"`
			}
			if err := dec.Decode(&doc); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if doc.Kind != "Job" {
				continue
			}
			for _, c := range doc.Spec.Template.Spec.Containers {
				args := make([]string, len(c.Args))
				for i, a := range c.Args {
					// What Kubernetes substitutes: a directory of the test's.
					args[i] = vars.ReplaceAllString(a, "x")
				}
				if len(args) == 0 {
					t.Fatalf("%s: a container without arguments", name)
				}
				seen[args[0]] = true
				switch args[0] {
				case "run":
					var o runOptions
					fs := newFlagSet("run", io.Discard, "")
					o.register(fs)
					if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 {
						t.Errorf("%s: conform run refuses %q: %v %v", name, args[1:], err, fs.Args())
					}
					if o.targets == "" {
						t.Errorf("%s: conform run without --targets: %q", name, args)
					}
				case "merge":
					dir := t.TempDir()
					for i, a := range args {
						if strings.HasPrefix(a, "/reports/") {
							args[i] = filepath.Join(dir, a)
						}
					}
					var out, errOut bytes.Buffer
					code := mergeCmd(args[1:], &out, &errOut, func(string) string { return "" })
					if code != exitUnreachable || !strings.Contains(errOut.String(), "no shard has results") {
						t.Errorf("%s: conform merge %q: exit %d, want 3 for want of the shards' results:\n%s", name, args[1:], code, errOut.String())
					}
				default:
					t.Errorf("%s: unknown command %q", name, args[0])
				}
			}
		}
	}
	if !seen["run"] || !seen["merge"] {
		t.Errorf("the manifests run %v, want run and merge", seen)
	}
}
