package explain

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/reports"
)

// What docs/ci.md's "Fleets" section tells an operator to run, and the
// Kubernetes manifests it points to, must work as written: the manifests
// are decoded strictly with the Kubernetes API types (a misspelt field is
// an error, as `kubectl apply --validate=strict` would say), and both the
// manifests and the CI jobs are checked for what makes a sharded fleet run
// right: every shard runs, each target's secrets reach it by name, the
// merge gets every shard of this run and no other.

// The Kubernetes manifests of a fleet run: the shards (a ConfigMap with
// the targets file, the report volume's claim and an Indexed Job), and the
// merge (a second Job, applied once the first has finished).
const (
	fleetJobFile   = "deploy/kubernetes/fleet-job.yaml"
	fleetMergeFile = "deploy/kubernetes/fleet-merge-job.yaml"
)

// maxManifestBytes bounds the read of a manifest.
const maxManifestBytes = 1 << 20

// Annotation and label the Job controller puts on each pod of a Job.
const (
	completionIndexAnnotation = "metadata.annotations['batch.kubernetes.io/job-completion-index']"
	controllerUIDLabel        = "metadata.labels['batch.kubernetes.io/controller-uid']"
)

// secretVariables are the variables a target's secrets go in
// (`secrets: {CONFORM_ADMIN_PASSWORD: ROOM_A_ADMIN_PW}`'s keys).
var secretVariables = []string{"CONFORM_ADMIN_PASSWORD", "CONFORM_ADMIN_PIN", "CONFORM_USER_PASSWORD", "CONFORM_USER_PIN"}

// envName is the name of an environment variable.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// readBoundedFile reads a file of the repository, at most maxManifestBytes.
func readBoundedFile(rel string) ([]byte, error) {
	f, err := os.Open(filepath.Join(repoRoot, filepath.FromSlash(rel)))
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", rel, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxManifestBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	if len(b) > maxManifestBytes {
		return nil, fmt.Errorf("read %s: larger than %d bytes", rel, maxManifestBytes)
	}
	return b, nil
}

// manifest is the objects of one manifest file, by kind.
type manifest struct {
	configMaps []*corev1.ConfigMap
	claims     []*corev1.PersistentVolumeClaim
	jobs       []*batchv1.Job
}

// decodeManifest decodes every YAML document of src into its Kubernetes
// API type, strictly: an unknown, misspelt or duplicate field is an error,
// and so is a kind the fleet's manifests have no use for.
func decodeManifest(src []byte) (manifest, error) {
	var m manifest
	r := k8syaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(src)))
	for n := 1; ; n++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return m, nil
		}
		if err != nil {
			return m, fmt.Errorf("document %d: %w", n, err)
		}
		js, err := sigsyaml.YAMLToJSON(doc)
		if err != nil {
			return m, fmt.Errorf("document %d: %w", n, err)
		}
		if string(bytes.TrimSpace(js)) == "null" {
			continue // comments only
		}
		var tm metav1.TypeMeta
		if err := sigsyaml.Unmarshal(doc, &tm); err != nil {
			return m, fmt.Errorf("document %d: %w", n, err)
		}
		var obj any
		switch tm.APIVersion + " " + tm.Kind {
		case "v1 ConfigMap":
			cm := &corev1.ConfigMap{}
			m.configMaps, obj = append(m.configMaps, cm), cm
		case "v1 PersistentVolumeClaim":
			pvc := &corev1.PersistentVolumeClaim{}
			m.claims, obj = append(m.claims, pvc), pvc
		case "batch/v1 Job":
			job := &batchv1.Job{}
			m.jobs, obj = append(m.jobs, job), job
		default:
			return m, fmt.Errorf("document %d: apiVersion %q kind %q: not a kind of the fleet's manifests", n, tm.APIVersion, tm.Kind)
		}
		if err := sigsyaml.UnmarshalStrict(doc, obj); err != nil {
			return m, fmt.Errorf("document %d (%s): %w", n, tm.Kind, err)
		}
	}
}

// targetsFile is a targets file as issue 22 defines it (F1's parser is in
// package main, out of a test's reach here): decoded with every field
// known, so that a misspelt one fails.
type targetsFile struct {
	Targets []struct {
		Name             string            `yaml:"name"`
		URL              string            `yaml:"url"`
		Web              string            `yaml:"web"`
		HTTP             string            `yaml:"http"`
		Plan             string            `yaml:"plan"`
		Legacy           bool              `yaml:"legacy"`
		Baseline         string            `yaml:"baseline"`
		AllowReconfigure bool              `yaml:"allow-reconfigure"`
		Secrets          map[string]string `yaml:"secrets"`
	} `yaml:"targets"`
}

// secretNames parses a targets file and returns the names of the
// environment variables its targets' secrets are read from, or what is
// wrong with it: a duplicate or missing name, a target without a URL, a
// secret for a variable conform does not read, or a secret's value where
// its variable's name belongs.
func secretNames(src string) ([]string, []string) {
	var tf targetsFile
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&tf); err != nil {
		return nil, []string{fmt.Sprintf("the targets file does not parse: %v", err)}
	}
	var problems, names []string
	if len(tf.Targets) == 0 {
		problems = append(problems, "the targets file has no target")
	}
	seen := map[string]bool{}
	for _, t := range tf.Targets {
		if t.Name == "" || seen[t.Name] {
			problems = append(problems, fmt.Sprintf("the targets file: target name %q is empty or not unique", t.Name))
		}
		seen[t.Name] = true
		if t.URL == "" {
			problems = append(problems, fmt.Sprintf("the targets file: target %q has no url", t.Name))
		}
		for variable, name := range t.Secrets {
			if !slices.Contains(secretVariables, variable) {
				problems = append(problems, fmt.Sprintf("the targets file: target %q: %s is not a secret conform reads (%s)", t.Name, variable, strings.Join(secretVariables, ", ")))
			}
			if !envName.MatchString(name) {
				problems = append(problems, fmt.Sprintf("the targets file: target %q: %s must name an environment variable, not hold a value", t.Name, variable))
			}
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names), problems
}

// runArgs are the flags of `conform run` that a fleet's manifest and jobs
// use. They are a copy of the names the contract fixes (--targets,
// --parallel, --shard, --shard-total) and of existing run flags, not the
// command's own flag set: that one is built in package main
// (cmd/conform), which no test outside it can import.
type runArgs struct {
	targets, shard, reportDir string
	parallel, shardTotal      int
	set                       map[string]bool
	positional                []string
}

// parseRunArgs parses the arguments after `run`.
func parseRunArgs(args []string) (runArgs, error) {
	var a runArgs
	fs := flag.NewFlagSet("conform run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.targets, "targets", "", "")
	fs.StringVar(&a.shard, "shard", "", "")
	fs.IntVar(&a.shardTotal, "shard-total", 0, "")
	fs.IntVar(&a.parallel, "parallel", 0, "")
	fs.StringVar(&a.reportDir, "report-dir", "conform-report", "")
	fs.Duration("timeout", time.Hour, "")
	fs.Duration("response-timeout", 5*time.Second, "")
	fs.String("label-filter", "", "")
	fs.Int("wrong-credential-budget", 0, "")
	fs.String("require", "", "")
	fs.Bool("strict", false, "")
	fs.Bool("v", false, "")
	if err := fs.Parse(args); err != nil {
		return a, err
	}
	a.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { a.set[f.Name] = true })
	a.positional = fs.Args()
	return a, nil
}

// parseMergeArgs parses the arguments after `merge`: DIR... --report-dir
// OUT, the directories before or after the flag.
func parseMergeArgs(args []string) (dirs []string, out string, err error) {
	fs := flag.NewFlagSet("conform merge", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&out, "report-dir", "", "")
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, "", err
		}
		args = fs.Args()
		if len(args) > 0 {
			dirs, args = append(dirs, args[0]), args[1:]
		}
	}
	return dirs, out, nil
}

// varRef is a Kubernetes dependent variable reference, $(NAME), in a
// container's args; $$(NAME) is an escaped one.
var varRef = regexp.MustCompile(`\$?\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// container returns a Job's only container, or a problem.
func container(job *batchv1.Job) (*corev1.Container, []string) {
	cs := job.Spec.Template.Spec.Containers
	if len(cs) != 1 {
		return nil, []string{fmt.Sprintf("Job %s: %d containers, want one (conform)", job.Name, len(cs))}
	}
	return &cs[0], nil
}

// envOf maps a container's variables by name.
func envOf(c *corev1.Container) map[string]corev1.EnvVar {
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	return env
}

// podProblems: a pod of conform runs as a non-root user on a read-only
// root filesystem with no privilege to gain, no service account token,
// bounded resources, a pinned image; every $(VAR) in its args is a
// variable it has (Kubernetes passes an unknown one on literally); and it
// has time to put a reconfigured device back when it is stopped.
func podProblems(job *batchv1.Job) []string {
	c, problems := container(job)
	if c == nil {
		return problems
	}
	spec := job.Spec.Template.Spec
	name := "Job " + job.Name
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		problems = append(problems, name+": automountServiceAccountToken must be false (conform talks to devices, not to the cluster)")
	}
	if spec.RestartPolicy != corev1.RestartPolicyNever {
		problems = append(problems, fmt.Sprintf("%s: restartPolicy %q, want Never (a restarted run would spend each device's wrong-credential budget again)", name, spec.RestartPolicy))
	}
	nonRoot, uid := false, int64(0)
	if p := spec.SecurityContext; p != nil {
		if p.RunAsNonRoot != nil {
			nonRoot = *p.RunAsNonRoot
		}
		if p.RunAsUser != nil {
			uid = *p.RunAsUser
		}
	}
	sc := c.SecurityContext
	if sc == nil {
		sc = &corev1.SecurityContext{}
	}
	if sc.RunAsNonRoot != nil {
		nonRoot = *sc.RunAsNonRoot
	}
	if sc.RunAsUser != nil {
		uid = *sc.RunAsUser
	}
	if !nonRoot || uid == 0 {
		problems = append(problems, fmt.Sprintf("%s: runs as root or may (runAsNonRoot %v, runAsUser %d): want runAsNonRoot: true and the image's uid 65532", name, nonRoot, uid))
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		problems = append(problems, name+": readOnlyRootFilesystem must be true")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		problems = append(problems, name+": allowPrivilegeEscalation must be false")
	}
	if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		problems = append(problems, name+": capabilities must drop ALL")
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Requests[r]; !ok {
			problems = append(problems, fmt.Sprintf("%s: no %s request", name, r))
		}
		if _, ok := c.Resources.Limits[r]; !ok {
			problems = append(problems, fmt.Sprintf("%s: no %s limit", name, r))
		}
	}
	if !regexp.MustCompile(`:v\d+\.\d+\.\d+$|@sha256:[0-9a-f]{64}$`).MatchString(c.Image) {
		problems = append(problems, fmt.Sprintf("%s: image %q is not pinned by a release tag or a digest", name, c.Image))
	}
	if len(c.EnvFrom) > 0 {
		problems = append(problems, name+": envFrom imports every key of its source: name each variable (env) so that the test can hold them to the targets file")
	}
	if len(c.Command) > 0 {
		problems = append(problems, name+": command replaces the image's entrypoint (conform): give args only")
	}
	env := envOf(c)
	for _, arg := range c.Args {
		for _, m := range varRef.FindAllStringSubmatch(arg, -1) {
			if strings.HasPrefix(m[0], "$$") {
				continue
			}
			if _, ok := env[m[1]]; !ok {
				problems = append(problems, fmt.Sprintf("%s: args refer to $(%s), which the container's env does not define: Kubernetes would pass it on literally", name, m[1]))
			}
		}
	}
	// SIGTERM (a deleted Job, a drained node) interrupts the run; conform
	// then restores what it reconfigured, within the restore's bound at the
	// default timeouts, and writes its reports.
	restore := engine.DefaultRestoreBound(engine.Target{DialTimeout: 5 * time.Second, ResponseTimeout: 5 * time.Second})
	if g := spec.TerminationGracePeriodSeconds; g == nil || time.Duration(*g)*time.Second < restore+30*time.Second {
		problems = append(problems, fmt.Sprintf("%s: terminationGracePeriodSeconds must leave the restore (%s) and the reports (30s) their time", name, restore))
	}
	if job.Spec.ActiveDeadlineSeconds != nil {
		problems = append(problems, name+": activeDeadlineSeconds kills the pod without the restore's grace: bound the run with --timeout")
	}
	return problems
}

// mountOf returns the volume mounted at the directory holding p (the
// deepest mount), or nil.
func mountOf(job *batchv1.Job, c *corev1.Container, p string) *corev1.Volume {
	best := ""
	var vol *corev1.Volume
	for _, m := range c.VolumeMounts {
		dir := strings.TrimSuffix(m.MountPath, "/")
		if (p == dir || strings.HasPrefix(p, dir+"/")) && len(dir) > len(best) {
			for i, v := range job.Spec.Template.Spec.Volumes {
				if v.Name == m.Name {
					best, vol = dir, &job.Spec.Template.Spec.Volumes[i]
				}
			}
		}
	}
	return vol
}

// fieldVar returns the name of the container's variable whose value is
// the pod's field path, or "".
func fieldVar(c *corev1.Container, fieldPath string) string {
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == fieldPath {
			return e.Name
		}
	}
	return ""
}

// fleetProblems checks the fleet's two manifests (the shards' and the
// merge's) and returns what is wrong, one line each.
func fleetProblems(shardSrc, mergeSrc []byte) []string {
	shards, err := decodeManifest(shardSrc)
	if err != nil {
		return []string{fleetJobFile + ": " + err.Error()}
	}
	merges, err := decodeManifest(mergeSrc)
	if err != nil {
		return []string{fleetMergeFile + ": " + err.Error()}
	}
	if len(shards.configMaps) != 1 || len(shards.claims) != 1 || len(shards.jobs) != 1 {
		return []string{fmt.Sprintf("%s: %d ConfigMaps, %d PersistentVolumeClaims, %d Jobs: want one of each (the targets file, the reports' volume, the shards)", fleetJobFile, len(shards.configMaps), len(shards.claims), len(shards.jobs))}
	}
	if len(merges.jobs) != 1 || len(merges.configMaps)+len(merges.claims) > 0 {
		return []string{fleetMergeFile + ": want one Job and nothing else (applied after the shards' Job has finished)"}
	}
	cm, claim, job, merge := shards.configMaps[0], shards.claims[0], shards.jobs[0], merges.jobs[0]
	problems := append(podProblems(job), podProblems(merge)...)
	c, _ := container(job)
	mc, _ := container(merge)
	if c == nil || mc == nil {
		return problems
	}

	// The shards: one pod per index, each index once.
	if m := job.Spec.CompletionMode; m == nil || *m != batchv1.IndexedCompletion {
		problems = append(problems, "Job "+job.Name+": completionMode must be Indexed (JOB_COMPLETION_INDEX is the shard)")
	}
	n := int32(0)
	if job.Spec.Completions != nil {
		n = *job.Spec.Completions
	}
	if n < 1 {
		problems = append(problems, "Job "+job.Name+": completions must be set: the number of shards")
	}
	if p := job.Spec.Parallelism; p == nil || *p < 1 || *p > n {
		problems = append(problems, fmt.Sprintf("Job %s: parallelism must be set, between 1 and completions (%d)", job.Name, n))
	}
	if b := job.Spec.BackoffLimitPerIndex; b == nil || *b != 0 {
		problems = append(problems, "Job "+job.Name+": backoffLimitPerIndex must be 0: every index runs whatever the others exit with, and none runs twice (a retry spends the devices' wrong-credential budget again)")
	}
	if len(c.Args) == 0 || c.Args[0] != "run" {
		return append(problems, fmt.Sprintf("Job %s: args %q do not start with run", job.Name, c.Args))
	}
	run, err := parseRunArgs(c.Args[1:])
	if err != nil {
		return append(problems, fmt.Sprintf("Job %s: args %q: %v", job.Name, c.Args, err))
	}
	if len(run.positional) > 0 {
		problems = append(problems, fmt.Sprintf("Job %s: conform run takes no arguments, got %q", job.Name, run.positional))
	}
	if run.set["shard"] {
		problems = append(problems, "Job "+job.Name+": --shard in an Indexed Job: the shard is JOB_COMPLETION_INDEX with --shard-total")
	}
	if run.shardTotal != int(n) {
		problems = append(problems, fmt.Sprintf("Job %s: --shard-total %d, but completions is %d: the shards past either would never run", job.Name, run.shardTotal, n))
	}

	// The targets file: a key of the ConfigMap, mounted where --targets
	// says; the secrets its targets name, and no other, reach the pod.
	if run.targets == "" {
		problems = append(problems, "Job "+job.Name+": no --targets")
	} else if v := mountOf(job, c, run.targets); v == nil || v.ConfigMap == nil || v.ConfigMap.Name != cm.Name {
		problems = append(problems, fmt.Sprintf("Job %s: --targets %s is not in a volume of ConfigMap %s", job.Name, run.targets, cm.Name))
	} else if len(v.ConfigMap.Items) > 0 {
		problems = append(problems, "Job "+job.Name+": the targets volume maps items: mount the ConfigMap whole")
	} else if src, ok := cm.Data[path.Base(run.targets)]; !ok {
		problems = append(problems, fmt.Sprintf("Job %s: --targets %s: ConfigMap %s has no key %s", job.Name, run.targets, cm.Name, path.Base(run.targets)))
	} else {
		want, p := secretNames(src)
		problems = append(problems, p...)
		var got []string
		secret := ""
		for _, e := range c.Env {
			if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
				if slices.Contains(want, e.Name) || slices.Contains(secretVariables, e.Name) {
					problems = append(problems, fmt.Sprintf("Job %s: %s is a secret: from a Secret (secretKeyRef), never a value in the manifest", job.Name, e.Name))
				}
				continue
			}
			ref := e.ValueFrom.SecretKeyRef
			got = append(got, e.Name)
			if ref.Key != e.Name {
				problems = append(problems, fmt.Sprintf("Job %s: %s comes from key %s: the Secret holds each variable under its own name", job.Name, e.Name, ref.Key))
			}
			if secret != "" && ref.Name != secret {
				problems = append(problems, fmt.Sprintf("Job %s: secrets from both %s and %s: the fleet's are in one Secret", job.Name, secret, ref.Name))
			}
			secret = ref.Name
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			problems = append(problems, fmt.Sprintf("Job %s: the secrets the pod gets are %v, the targets file names %v: want the same", job.Name, got, want))
		}
	}

	// The reports: each shard in a directory of its own (its index), of
	// this run (the Job's uid: a rerun never merges an old shard), on the
	// claim that the merge mounts too.
	index, runID := fieldVar(c, completionIndexAnnotation), fieldVar(c, controllerUIDLabel)
	if index == "" || !strings.Contains(run.reportDir, "$("+index+")") {
		problems = append(problems, fmt.Sprintf("Job %s: --report-dir %s does not name the shard's index (a variable from %s): the shards would write over each other", job.Name, run.reportDir, completionIndexAnnotation))
	}
	if runID == "" || !strings.Contains(run.reportDir, "$("+runID+")") {
		problems = append(problems, fmt.Sprintf("Job %s: --report-dir %s does not name the run (a variable from %s): a merge could take a shard of an earlier run", job.Name, run.reportDir, controllerUIDLabel))
	}
	if v := mountOf(job, c, run.reportDir); v == nil || v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != claim.Name {
		problems = append(problems, fmt.Sprintf("Job %s: --report-dir %s is not on claim %s", job.Name, run.reportDir, claim.Name))
	}
	if p := job.Spec.Parallelism; p != nil && *p > 1 && !slices.Contains(claim.Spec.AccessModes, corev1.ReadWriteMany) {
		problems = append(problems, fmt.Sprintf("PersistentVolumeClaim %s: shards on several nodes write to it: want ReadWriteMany", claim.Name))
	}

	// The merge: every shard of this run, and nothing else.
	if merge.Spec.CompletionMode != nil && *merge.Spec.CompletionMode == batchv1.IndexedCompletion || merge.Spec.Completions != nil && *merge.Spec.Completions != 1 {
		problems = append(problems, "Job "+merge.Name+": one pod merges")
	}
	if mc.Image != c.Image {
		problems = append(problems, fmt.Sprintf("Job %s: image %s, the shards ran %s: a merge refuses another catalogue", merge.Name, mc.Image, c.Image))
	}
	for _, e := range mc.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			problems = append(problems, fmt.Sprintf("Job %s: gets secret %s: a merge reads reports and needs none", merge.Name, e.Name))
		}
	}
	if len(mc.Args) == 0 || mc.Args[0] != "merge" {
		return append(problems, fmt.Sprintf("Job %s: args %q do not start with merge", merge.Name, mc.Args))
	}
	dirs, out, err := parseMergeArgs(mc.Args[1:])
	if err != nil {
		return append(problems, fmt.Sprintf("Job %s: args %q: %v", merge.Name, mc.Args, err))
	}
	if e, ok := envOf(mc)[runID]; runID != "" && (!ok || e.ValueFrom != nil || e.Value == "") {
		problems = append(problems, fmt.Sprintf("Job %s: %s must be a value (the shards' Job's uid, set when it is applied), not its own uid", merge.Name, runID))
	}
	var want []string
	for k := range n {
		want = append(want, strings.ReplaceAll(run.reportDir, "$("+index+")", strconv.Itoa(int(k))))
	}
	if index == "" || !slices.Equal(dirs, want) {
		problems = append(problems, fmt.Sprintf("Job %s: merges %q, want every shard's directory %q", merge.Name, dirs, want))
	}
	if out == "" || slices.Contains(want, out) {
		problems = append(problems, fmt.Sprintf("Job %s: --report-dir %q: want a directory of its own", merge.Name, out))
	} else if v := mountOf(merge, mc, out); v == nil || v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != claim.Name {
		problems = append(problems, fmt.Sprintf("Job %s: --report-dir %s is not on claim %s", merge.Name, out, claim.Name))
	}
	for _, d := range dirs {
		if v := mountOf(merge, mc, d); v == nil || v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != claim.Name {
			problems = append(problems, fmt.Sprintf("Job %s: shard directory %s is not on claim %s", merge.Name, d, claim.Name))
			break
		}
	}
	return problems
}

// readFleetManifests reads the two manifests.
func readFleetManifests(t *testing.T) (shards, merge []byte) {
	t.Helper()
	shards, err := readBoundedFile(fleetJobFile)
	if err != nil {
		t.Fatal(err)
	}
	merge, err = readBoundedFile(fleetMergeFile)
	if err != nil {
		t.Fatal(err)
	}
	return shards, merge
}

// TestFleetManifestsWorkAsWritten: the Kubernetes manifests of a fleet
// run decode strictly into the API types and shard, pass secrets, keep
// and merge reports as docs/ci.md says.
func TestFleetManifestsWorkAsWritten(t *testing.T) {
	shards, merge := readFleetManifests(t)
	for _, p := range fleetProblems(shards, merge) {
		t.Error(p)
	}
}

// TestFleetProblemsCatchesBrokenManifests holds the check to what it is
// for: each of these edits of the real manifests breaks the fleet run, and
// the check says how.
func TestFleetProblemsCatchesBrokenManifests(t *testing.T) {
	shards, merge := readFleetManifests(t)
	edit := func(src []byte, old, new string) []byte {
		t.Helper()
		if !bytes.Contains(src, []byte(old)) {
			t.Fatalf("the manifest has no %q to break", old)
		}
		return bytes.Replace(src, []byte(old), []byte(new), 1)
	}
	for _, c := range []struct {
		name          string
		shards, merge []byte
		want          string
	}{
		{"a misspelt field", edit(shards, "completionMode:", "completionMod:"), merge, `unknown field "completionMod"`},
		{"completions not the shard total", edit(shards, "completions: 4", "completions: 3"), merge, "--shard-total 4, but completions is 3"},
		{"a duplicate field", edit(shards, "  parallelism: 2\n", "  parallelism: 2\n  parallelism: 4\n"), merge, `"parallelism" already set`},
		{"a secret the targets file names, missing", edit(shards, "- name: ROOM_B_ADMIN_PW", "- name: ROOM_B_ADMIN_PASSWORD"), merge, "the targets file names"},
		{"root", edit(shards, "runAsUser: 65532 ", "runAsUser: 0 "), merge, "runs as root"},
		{"a writable root", edit(shards, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"), merge, "readOnlyRootFilesystem"},
		{"a flag conform run does not have", edit(shards, "- --shard-total", "- --shards-total"), merge, "flag provided but not defined"},
		{"a shard's dir without its index", edit(shards, "shard-$(SHARD_INDEX)", "shard"), merge, "does not name the shard's index"},
		{"the merge's own uid", shards, edit(merge, "value: SET-TO-THE-SHARD-JOB-UID", "valueFrom: {fieldRef: {fieldPath: \"metadata.labels['batch.kubernetes.io/controller-uid']\"}}"), "not its own uid"},
		{"a shard the merge leaves out", shards, edit(merge, "- /reports/$(FLEET_RUN)/shard-3\n", ""), "want every shard's directory"},
		{"an undefined variable", shards, edit(merge, "$(FLEET_RUN)/fleet", "$(FLEET_RUN_ID)/fleet"), "does not define"},
	} {
		got := strings.Join(fleetProblems(c.shards, c.merge), "\n")
		if !strings.Contains(got, c.want) {
			t.Errorf("%s: the check does not say %q; it says:\n%s", c.name, c.want, got)
		}
	}
}

// fleetExitRows are the rows of docs/ci.md's table of a fleet's exit
// code, worst first: each a target's Summary that stands for the row, and
// the words the row must contain.
var fleetExitRows = []struct {
	summary reports.Summary
	words   string
}{
	{reports.Summary{Verdict: reports.VerdictRestoreFailed, ExitCode: reports.ExitUnreachable}, "restore"},
	{reports.Summary{Verdict: reports.VerdictNotConformant, ExitCode: reports.ExitNotConformant}, "not conformant"},
	{reports.Summary{Verdict: reports.VerdictInterrupted, ExitCode: reports.ExitNotConformant}, "interrupted"},
	{reports.Summary{Verdict: reports.VerdictStale, ExitCode: reports.ExitNotConformant}, "stale"},
	{reports.Summary{Verdict: reports.VerdictInfrastructure, ExitCode: reports.ExitUnreachable}, "unreachable"},
	{reports.Summary{Verdict: reports.VerdictError, ExitCode: reports.ExitUsage}, "configuration"},
	{reports.Summary{Verdict: reports.VerdictIncomplete, ExitCode: reports.ExitIncomplete}, "incomplete"},
	{reports.Summary{Verdict: reports.VerdictConformant, ExitCode: reports.ExitConformant}, "every target conformant"},
}

// tallied is the fleet summary of targets with these summaries.
func tallied(ss ...reports.Summary) reports.FleetSummary {
	var f reports.Fleet
	for i, s := range ss {
		f.Targets = append(f.Targets, reports.FleetTarget{Name: fmt.Sprint("t", i), Run: reports.Run{Summary: s}})
	}
	f.Tally()
	return f.Summary
}

// fleetExitTable returns the rows (rank, text, exit) of the table under
// the heading "Exit code of a fleet" in docs/ci.md.
func fleetExitTable(page string) (rows [][3]string) {
	_, rest, ok := strings.Cut(page, "### Exit code of a fleet")
	if !ok {
		return nil
	}
	row := regexp.MustCompile(`^\| *(\d+) *\|(.*)\| *(\d) *\|$`)
	for _, line := range strings.Split(rest, "\n") {
		if strings.HasPrefix(line, "#") {
			break
		}
		if m := row.FindStringSubmatch(line); m != nil {
			rows = append(rows, [3]string{m[1], m[2], m[3]})
		}
	}
	return rows
}

// TestFleetExitOrderIsDocumented: docs/ci.md's table of a fleet's exit
// code lists the verdicts in the order reports.Fleet.Tally ranks them,
// each with the exit code Tally gives the fleet.
func TestFleetExitOrderIsDocumented(t *testing.T) {
	rows := fleetExitTable(string(readPage(t, filepath.Join(repoRoot, "docs", "ci.md"))))
	if len(rows) == 0 {
		t.Fatal("docs/ci.md: no table under \"### Exit code of a fleet\"")
	}
	rank := func(words string) int {
		for _, r := range rows {
			if strings.Contains(strings.ToLower(r[1]), words) {
				n, _ := strconv.Atoi(r[0])
				return n
			}
		}
		return -1
	}
	for i, a := range fleetExitRows {
		ra := rank(a.words)
		if ra < 0 {
			t.Errorf("docs/ci.md: the fleet's exit table has no row saying %q", a.words)
			continue
		}
		alone := tallied(a.summary)
		if r := rows[slices.IndexFunc(rows, func(r [3]string) bool { return r[0] == strconv.Itoa(ra) })]; r[2] != strconv.Itoa(alone.ExitCode) {
			t.Errorf("docs/ci.md: a fleet whose worst target is %q exits %d; the table says %s", a.summary.Verdict, alone.ExitCode, r[2])
		}
		for _, b := range fleetExitRows[i+1:] {
			rb := rank(b.words)
			if rb < 0 {
				continue
			}
			// Tally's order: t1 (a) alone worst, t0 (b) alone, or both.
			worse := tallied(b.summary, a.summary).Worst
			tally := map[string]int{"t1": -1, "t0": 1}[strings.Join(worse, " ")]
			if doc := cmpInt(ra, rb); doc != tally {
				var names []string
				for _, w := range worse {
					names = append(names, map[string]string{"t0": b.words, "t1": a.words}[w])
				}
				t.Errorf("docs/ci.md ranks %q %d and %q %d; Tally makes %q the worst of the two", a.words, ra, b.words, rb, names)
			}
		}
	}
}

// fleetSection is docs/ci.md's "## Fleets" section, up to the next one.
func fleetSection(t *testing.T) string {
	t.Helper()
	_, s, ok := strings.Cut(string(readPage(t, filepath.Join(repoRoot, "docs", "ci.md"))), "\n## Fleets\n")
	if !ok {
		t.Fatal("docs/ci.md: no \"## Fleets\" section")
	}
	if i := strings.Index(s, "\n## "); i >= 0 {
		s = s[:i]
	}
	return s
}

// runScript is the run lines of a GitHub job's steps; it fails the test
// on an action not pinned by a version or a commit.
func runScript(t *testing.T, job any) (script string, steps []map[string]any) {
	t.Helper()
	list, _ := dig(job, "steps").([]any)
	for _, s := range list {
		step, _ := s.(map[string]any)
		steps = append(steps, step)
		if uses, ok := step["uses"].(string); ok && !regexp.MustCompile(`@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$`).MatchString(uses) {
			t.Errorf("docs/ci.md: action %q is not pinned by a version or a commit", uses)
		}
		if run, ok := step["run"].(string); ok {
			script += run + "\n"
		}
	}
	return script, steps
}

// stepUsing returns the first step that uses the action, or nil.
func stepUsing(steps []map[string]any, action string) map[string]any {
	for _, s := range steps {
		if uses, _ := s["uses"].(string); strings.HasPrefix(uses, action+"@") {
			return s
		}
	}
	return nil
}

// needs are the jobs a job needs (GitHub: a name or a list; GitLab: a
// list of names or of {job: name}).
func needs(job any) []string {
	var out []string
	switch v := dig(job, "needs").(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, n := range v {
			if s, ok := n.(string); ok {
				out = append(out, s)
			} else if s, ok := dig(n, "job").(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// oneLine joins a script's continued lines.
func oneLine(script string) string { return strings.Join(strings.Fields(script), " ") }

// TestFleetCIJobsWorkAsWritten: docs/ci.md's "Fleets" section has a
// targets file whose secrets are variables' names; a GitHub Actions
// workflow whose matrix runs every shard (--shard K/N, N the matrix's
// size), each keeping its reports, and a job that merges them whatever
// the shards exited with and publishes the fleet's junit.xml; a GitLab
// pair that does the same with parallel: N and the environment's
// defaults. Each installs a pinned conform and pins its actions; every
// secret the targets file names comes from the platform's store, and
// none of the global CONFORM_* secrets is set. The section points to the
// Kubernetes manifests, and names their image.
func TestFleetCIJobsWorkAsWritten(t *testing.T) {
	section := fleetSection(t)
	var names []string
	var github, gitlab map[string]any
	for _, b := range codeBlocks([]byte(section), "yaml") {
		var doc map[string]any
		if err := yaml.Unmarshal([]byte(b), &doc); err != nil {
			t.Fatalf("docs/ci.md: a YAML block of Fleets does not parse: %v\n%s", err, b)
		}
		switch {
		case doc["targets"] != nil:
			n, problems := secretNames(b)
			for _, p := range problems {
				t.Errorf("docs/ci.md: %s", p)
			}
			names = append(names, n...)
		case doc["jobs"] != nil:
			github = doc
		default:
			gitlab = doc
		}
	}
	if len(names) == 0 || github == nil || gitlab == nil {
		t.Fatalf("docs/ci.md: Fleets wants a targets file naming secrets (%v), a GitHub workflow (jobs:) and GitLab jobs", names)
	}

	// GitHub: the shards.
	var shardJob string
	var shards []any
	jobs, _ := github["jobs"].(map[string]any)
	for name, job := range jobs {
		if s, ok := dig(job, "strategy", "matrix", "shard").([]any); ok {
			shardJob, shards = name, s
		}
	}
	if shardJob == "" {
		t.Fatal("docs/ci.md: the GitHub workflow has no job with strategy.matrix.shard")
	}
	for i, s := range shards {
		if s != i+1 {
			t.Errorf("docs/ci.md: matrix.shard is %v, want 1 to %d", shards, len(shards))
			break
		}
	}
	job := jobs[shardJob]
	if dig(job, "strategy", "fail-fast") != false {
		t.Error("docs/ci.md: the shards' matrix must say fail-fast: false (a shard that fails must not cancel the others)")
	}
	if perms, _ := dig(job, "permissions").(map[string]any); len(perms) != 1 || perms["contents"] != "read" {
		t.Errorf("docs/ci.md: the shards' permissions are %v, want contents: read alone", perms)
	}
	script, steps := runScript(t, job)
	checkInstall(t, "the GitHub shards' job", script)
	if want := fmt.Sprintf("--shard ${{ matrix.shard }}/%d", len(shards)); !strings.Contains(script, want) || !strings.Contains(script, "--targets ") {
		t.Errorf("docs/ci.md: the shards' job does not run conform run --targets ... %s:\n%s", want, script)
	}
	env := map[string]any{}
	for _, s := range steps {
		if e, ok := s["env"].(map[string]any); ok {
			for k, v := range e {
				env[k] = v
			}
		}
	}
	fromStore := regexp.MustCompile(`^\$\{\{ *secrets\.[A-Za-z_][A-Za-z0-9_]* *\}\}$`)
	for _, n := range names {
		if v, _ := env[n].(string); !fromStore.MatchString(v) {
			t.Errorf("docs/ci.md: the shards' job does not map %s from the secret store (${{ secrets.NAME }}): %q", n, v)
		}
	}
	for _, v := range secretVariables {
		if _, ok := env[v]; ok {
			t.Errorf("docs/ci.md: the shards' job sets %s: a fleet's secrets go by each target's names", v)
		}
	}
	up := stepUsing(steps, "actions/upload-artifact")
	if name, _ := dig(up, "with", "name").(string); !strings.Contains(name, "${{ matrix.shard }}") || !regexp.MustCompile(`always\(\)|!cancelled\(\)`).MatchString(fmt.Sprint(up["if"])) {
		t.Errorf("docs/ci.md: the shards' job must upload its reports whatever it exited with, under a name of its shard: %v", up)
	}

	// GitHub: the merge.
	var merged bool
	for name, job := range jobs {
		if !slices.Contains(needs(job), shardJob) {
			continue
		}
		merged = true
		if !regexp.MustCompile(`always\(\)|!cancelled\(\)`).MatchString(fmt.Sprint(dig(job, "if"))) {
			t.Errorf("docs/ci.md: job %s merges only when every shard passed: want if: ${{ !cancelled() }}", name)
		}
		if perms, _ := dig(job, "permissions").(map[string]any); perms["checks"] != "write" {
			t.Errorf("docs/ci.md: job %s publishes a check run: want checks: write, have %v", name, perms)
		}
		script, steps := runScript(t, job)
		checkInstall(t, "the GitHub merge job", script)
		if !strings.Contains(oneLine(script), "conform merge ") || !strings.Contains(script, "--report-dir fleet") {
			t.Errorf("docs/ci.md: job %s does not run conform merge ... --report-dir fleet:\n%s", name, script)
		}
		if stepUsing(steps, "actions/download-artifact") == nil {
			t.Errorf("docs/ci.md: job %s does not download the shards' reports", name)
		}
		if p, _ := dig(stepUsing(steps, "mikepenz/action-junit-report"), "with", "report_paths").(string); p != "fleet/junit.xml" {
			t.Errorf("docs/ci.md: job %s does not publish fleet/junit.xml", name)
		}
	}
	if !merged {
		t.Errorf("docs/ci.md: no GitHub job needs %s to merge its shards", shardJob)
	}

	// GitLab: parallel shards, and a merge.
	var parallel string
	for name, job := range gitlab {
		if n, ok := dig(job, "parallel").(int); ok && n > 1 {
			parallel = name
			script := oneLine(strings.Join(strs(dig(job, "script")), "\n"))
			checkInstall(t, "the GitLab shards' job", script)
			if !strings.Contains(script, "conform run --targets ") || strings.Contains(script, "--shard") {
				t.Errorf("docs/ci.md: GitLab job %s: want conform run --targets with the shard from CI_NODE_INDEX/CI_NODE_TOTAL, no --shard:\n%s", name, script)
			}
			if !strings.Contains(script, "CI_NODE_INDEX") || dig(job, "artifacts", "when") != "always" {
				t.Errorf("docs/ci.md: GitLab job %s: want each shard's reports in a directory of its index, kept always", name)
			}
		}
	}
	merged = false
	for name, job := range gitlab {
		if parallel == "" || !slices.Contains(needs(job), parallel) {
			continue
		}
		merged = true
		script := oneLine(strings.Join(strs(dig(job, "script")), "\n"))
		checkInstall(t, "the GitLab merge job", script)
		if !strings.Contains(script, "conform merge ") || !strings.Contains(script, "--report-dir fleet") || dig(job, "when") != "always" {
			t.Errorf("docs/ci.md: GitLab job %s: want conform merge ... --report-dir fleet, when: always:\n%s", name, script)
		}
		if dig(job, "artifacts", "reports", "junit") != "fleet/junit.xml" {
			t.Errorf("docs/ci.md: GitLab job %s does not publish fleet/junit.xml", name)
		}
	}
	if parallel == "" || !merged {
		t.Errorf("docs/ci.md: want a GitLab job with parallel: N and one that needs it and merges (found %q)", parallel)
	}

	// Kubernetes: the manifests, and the image they run.
	for _, f := range []string{fleetJobFile, fleetMergeFile} {
		if !strings.Contains(section, f) {
			t.Errorf("docs/ci.md: Fleets does not point to %s", f)
		}
	}
	shardsSrc, _ := readFleetManifests(t)
	m, err := decodeManifest(shardsSrc)
	if err != nil || len(m.jobs) != 1 || len(m.jobs[0].Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("%s: %v", fleetJobFile, err)
	}
	image := m.jobs[0].Spec.Template.Spec.Containers[0].Image
	repo, _, _ := strings.Cut(image, ":")
	if !strings.Contains(section, image) {
		t.Errorf("docs/ci.md: Fleets does not say how to build and push %s, the image the manifests run", image)
	}
	if !strings.Contains(string(readPage(t, filepath.Join(repoRoot, "README.md"))), repo) {
		t.Errorf("README.md: the container section does not name %s, the image the Kubernetes manifests run", repo)
	}
}

// strs is a YAML list of strings.
func strs(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, s := range list {
		if s, ok := s.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// cmpInt is -1, 0 or 1 as a is less than, equal to or greater than b.
func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
