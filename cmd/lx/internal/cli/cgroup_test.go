package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lxgo/lx/cgroup"
	"github.com/lxgo/lx/procfs"
)

// fixtureCgroupCommand is lx cgroup reading the tree below root as
// process 4242 of that system.
func fixtureCgroupCommand(t *testing.T, root string) *cgroupCommand {
	t.Helper()
	cfs, err := cgroup.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	pfs, err := procfs.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	return &cgroupCommand{cgroups: cfs, procs: pfs, pid: 4242}
}

// runCommand runs cmd with args in-process and returns its output.
func runCommand(t *testing.T, cmd Command, json bool, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), cmd, args, &Env{Stdout: &out, Stderr: &errOut, JSON: json})
	return out.String(), errOut.String(), code
}

// fsType is the file system type in the reason a fixture tree has no
// mode (it is not a cgroup mount), which depends on where the tree is.
var fsType = regexp.MustCompile(`filesystem type 0x[0-9a-f]+`)

// TestCgroupGolden prints the fixture trees of a pure v2 guest and of a
// hybrid host, whole and from a subtree, as tables and as JSON (go test
// -run CgroupGolden -update rewrites the files).
func TestCgroupGolden(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		args    []string
		golden  string
	}{
		{"cgroup-v2-6.12", nil, "cgroup-v2-6.12"},
		{"cgroup-v2-6.12", []string{"/user.slice"}, "cgroup-v2-6.12-user"},
		{"cgroup-hybrid-6.18", nil, "cgroup-hybrid-6.18"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			cmd := fixtureCgroupCommand(t, "testdata/"+tc.fixture)
			text, errText, code := runCommand(t, cmd, false, tc.args...)
			if code != ExitOK || errText != "" {
				t.Fatalf("exit %d, stderr %q", code, errText)
			}
			golden(t, "testdata/"+tc.golden+".golden", fsType.ReplaceAll([]byte(text), []byte("filesystem type 0x...")))
			js, errText, code := runCommand(t, cmd, true, tc.args...)
			if code != ExitOK || errText != "" {
				t.Fatalf("--json: exit %d, stderr %q", code, errText)
			}
			golden(t, "testdata/"+tc.golden+".json.golden", fsType.ReplaceAll([]byte(js), []byte("filesystem type 0x...")))
			var r map[string]any
			if err := decodeOne(js, &r); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The subtree of a directory path is the subtree of its cgroup path.
func TestCgroupPathForms(t *testing.T) {
	root, err := filepath.Abs("testdata/cgroup-v2-6.12")
	if err != nil {
		t.Fatal(err)
	}
	cmd := fixtureCgroupCommand(t, root)
	a, _, codeA := runCommand(t, cmd, true, "/system.slice")
	b, _, codeB := runCommand(t, cmd, true, root+"/sys/fs/cgroup/system.slice")
	if codeA != 0 || a != b {
		t.Errorf("by path (exit %d):\n%s\nby directory (exit %d):\n%s", codeA, a, codeB, b)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"/nonexistent"}, ExitError, "no such file or directory"},
		{[]string{"relative"}, ExitUsage, "want a cgroup path"},
		{[]string{"/a", "/b"}, ExitUsage, "at most one cgroup path"},
		{[]string{"run", "true"}, ExitUsage, "put run right after cgroup"},
	} {
		out, errOut, code := runCommand(t, cmd, false, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.msg) || out != "" {
			t.Errorf("lx cgroup %q: exit %d, stdout %q, stderr %q; want %d and %q", tc.args, code, out, errOut, tc.code, tc.msg)
		}
	}
}

// Cgroup names with bytes that are not UTF-8, control characters and
// spaces are escaped in the table and exact in the JSON.
func TestCgroupHostileNames(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "sys/fs/cgroup")
	names := []string{"\xff\xfe", " lead", "tab\there", "\x1b[31mred"}
	for _, d := range append([]string{""}, names...) {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
		for file, text := range map[string]string{"cgroup.controllers": "", "cgroup.subtree_control": "", "cgroup.procs": "", "cpu.stat": "usage_usec 0\n"} {
			if err := os.WriteFile(filepath.Join(dir, d, file), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "proc/4242"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "proc/4242/cgroup"), []byte("0::/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := fixtureCgroupCommand(t, root)
	text, errText, code := runCommand(t, cmd, false)
	if code != ExitOK || errText != "" {
		t.Fatalf("exit %d, stderr %q", code, errText)
	}
	for _, want := range []string{` \_ \x20lead`, ` \_ \x1b[31mred`, ` \_ tab\there`, ` \_ \xff\xfe`} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
	js, _, code := runCommand(t, cmd, true)
	var r struct {
		Tree struct {
			Children []struct {
				Path any `json:"path"`
			} `json:"children"`
		} `json:"tree"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil || code != ExitOK {
		t.Fatalf("exit %d, %v:\n%s", code, err, js)
	}
	var got []string
	for _, c := range r.Tree.Children {
		switch p := c.Path.(type) {
		case string:
			got = append(got, p)
		case map[string]any:
			b, err := base64.StdEncoding.DecodeString(p["base64"].(string))
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, string(b))
		}
	}
	want := []string{"/\x1b[31mred", "/ lead", "/tab\there", "/\xff\xfe"} // in byte order
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("paths %q, want %q", got, want)
	}
}

// TestCgroupLive reads this system's tree: a cgroup the test creates is
// in it, and on a hybrid host so are the v1 hierarchies and lx's v1
// values.
func TestCgroupLive(t *testing.T) {
	cg := testCgroup(t)
	out, errOut, code := lxRun(t, "", "cgroup")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	name := cg.Path()[strings.LastIndexByte(cg.Path(), '/')+1:]
	if !strings.Contains(out, ` \_ `+name+"\n") {
		t.Errorf("the tree lacks the test's cgroup %s:\n%s", name, out)
	}
	mode, err := cgroup.DetectMode()
	if err != nil {
		t.Fatal(err)
	}
	if hasV1 := strings.Contains(out, "cgroup v1 hierarchies"); hasV1 != (mode == cgroup.Hybrid) {
		t.Errorf("mode %v, v1 section shown: %v\n%s", mode, hasV1, out)
	}
	js, errOut, code := lxRun(t, "", "cgroup", "--json", cg.Path())
	var r struct {
		Mode string `json:"mode"`
		Tree struct {
			Path    string `json:"path"`
			NrProcs int    `json:"nr_procs"`
		} `json:"tree"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil || code != 0 {
		t.Fatalf("exit %d, %v, stderr %q:\n%s", code, err, errOut, js)
	}
	if r.Mode != mode.String() || r.Tree.Path != cg.Path() || r.Tree.NrProcs != 0 {
		t.Errorf("mode %q, tree %+v; want %v, %s with no processes", r.Mode, r.Tree, mode, cg.Path())
	}
}
