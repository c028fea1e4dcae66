package cgroup

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/lxgo/lx/internal/sys"
)

func TestModeString(t *testing.T) {
	for _, tc := range []struct {
		m    Mode
		want string
	}{
		{Legacy, "v1"}, {Hybrid, "hybrid"}, {Unified, "v2"}, {0, "Mode(0)"}, {Mode(9), "Mode(9)"},
	} {
		if got := tc.m.String(); got != tc.want {
			t.Errorf("Mode(%d).String() = %q, want %q", int(tc.m), got, tc.want)
		}
	}
}

func TestModeText(t *testing.T) {
	for _, m := range []Mode{Legacy, Hybrid, Unified} {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("marshal %v: %v", m, err)
		}
		if want := `"` + m.String() + `"`; string(b) != want {
			t.Errorf("marshal %v = %s, want %s", m, b, want)
		}
		var back Mode
		if err := json.Unmarshal(b, &back); err != nil || back != m {
			t.Errorf("unmarshal %s = %v, %v; want %v", b, back, err, m)
		}
	}
	if _, err := json.Marshal(Mode(0)); err == nil {
		t.Error("marshal of the zero Mode succeeded")
	}
	var m Mode
	if err := m.UnmarshalText([]byte("v3")); err == nil || !strings.Contains(err.Error(), `"v3"`) {
		t.Errorf("UnmarshalText(v3) = %v, want an error naming the input", err)
	}
}

// fakeStatfs answers statfs from a map of path -> magic; missing paths are
// ENOENT, paths mapped to 0 fail with EACCES.
func fakeStatfs(layout map[string]int64) func(string) (int64, error) {
	return func(path string) (int64, error) {
		t, ok := layout[path]
		if !ok {
			return 0, &fs.PathError{Op: "statfs", Path: path, Err: sys.ENOENT}
		}
		if t == 0 {
			return 0, &fs.PathError{Op: "statfs", Path: path, Err: sys.EACCES}
		}
		return t, nil
	}
}

func TestModeOf(t *testing.T) {
	const r = "/sys/fs/cgroup"
	for _, tc := range []struct {
		name    string
		layout  map[string]int64
		want    Mode
		wantErr error
	}{
		{"unified", map[string]int64{r: sys.CGROUP2_SUPER_MAGIC}, Unified, nil},
		{"hybrid", map[string]int64{r: sys.TMPFS_MAGIC, r + "/unified": sys.CGROUP2_SUPER_MAGIC}, Hybrid, nil},
		{"hybrid systemd", map[string]int64{r: sys.TMPFS_MAGIC, r + "/systemd": sys.CGROUP2_SUPER_MAGIC}, Hybrid, nil},
		{"legacy", map[string]int64{r: sys.TMPFS_MAGIC, r + "/systemd": sys.CGROUP_SUPER_MAGIC}, Legacy, nil},
		{"legacy unified dir not mounted", map[string]int64{r: sys.TMPFS_MAGIC, r + "/unified": sys.TMPFS_MAGIC}, Legacy, nil},
		{"legacy single hierarchy", map[string]int64{r: sys.CGROUP_SUPER_MAGIC}, Legacy, nil},
		{"not mounted", map[string]int64{r: sys.SYSFS_MAGIC}, 0, errNotCgroupMount},
		{"missing", map[string]int64{}, 0, fs.ErrNotExist},
		{"unified unreadable", map[string]int64{r: sys.TMPFS_MAGIC, r + "/unified": 0}, 0, fs.ErrPermission},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := modeOf(fakeStatfs(tc.layout), r)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("modeOf = %v, %v; want error %v", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("modeOf = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// mountTypes returns the filesystem type of each mount point in
// /proc/self/mountinfo (the last mount on a point wins).
func mountTypes(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	types := map[string]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		pre, post, ok := strings.Cut(s.Text(), " - ")
		if !ok {
			t.Fatalf("mountinfo line without separator: %q", s.Text())
		}
		pf, qf := strings.Fields(pre), strings.Fields(post)
		if len(pf) < 5 || len(qf) < 1 {
			t.Fatalf("short mountinfo line: %q", s.Text())
		}
		types[pf[4]] = qf[0]
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return types
}

// TestModeLive compares DetectMode with the layout the test derives from
// the mount table on its own.
func TestModeLive(t *testing.T) {
	types := mountTypes(t)
	var want Mode
	switch root := types["/sys/fs/cgroup"]; {
	case root == "cgroup2":
		want = Unified
	case root == "tmpfs" && (types["/sys/fs/cgroup/unified"] == "cgroup2" || types["/sys/fs/cgroup/systemd"] == "cgroup2"):
		want = Hybrid
	case root == "tmpfs" || root == "cgroup":
		want = Legacy
	default:
		got, err := DetectMode()
		if err == nil {
			t.Fatalf("no cgroup mount at /sys/fs/cgroup (%q), but DetectMode = %v", root, got)
		}
		t.Skipf("no cgroup mount at /sys/fs/cgroup: %v", err)
	}
	got, err := DetectMode()
	if err != nil || got != want {
		t.Fatalf("DetectMode() = %v, %v; mountinfo says %v", got, err, want)
	}
}

// TestModeFixture checks that a cgroup root that is missing, or is no
// cgroup mount, is an error, not a guess. The root that is no cgroup
// mount is a symbolic link to /proc, whatever file system the test runs
// on (a plain directory on tmpfs would look like a v1 root).
func TestModeFixture(t *testing.T) {
	root := mustFS(t, "testdata/hybrid")
	if _, err := root.Mode(); !errors.Is(err, fs.ErrNotExist) {
		// testdata/hybrid/sys/fs/cgroup does not exist.
		t.Fatalf("Mode on a fixture without sys/fs/cgroup = %v, want ErrNotExist", err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(dir+"/sys/fs", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/proc", dir+"/sys/fs/cgroup"); err != nil {
		t.Fatal(err)
	}
	m, err := mustFS(t, dir).Mode()
	if !errors.Is(err, errNotCgroupMount) {
		t.Fatalf("Mode on procfs = %v, %v; want errNotCgroupMount", m, err)
	}
}
