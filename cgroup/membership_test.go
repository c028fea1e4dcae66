package cgroup

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestMembershipFixtures(t *testing.T) {
	for _, tc := range []struct {
		root          string
		pid           int
		unified       string
		unifiedOK     bool
		memory        string
		memoryOK      bool
		nHierarchies  int
		cpuacctPath   string
		cpuacctShared bool
	}{
		{root: "hybrid", pid: 1, unified: "/", unifiedOK: true, memory: "/process_api/277a156d270e1b704a6dc751de2e8baf", memoryOK: true, nHierarchies: 10, cpuacctPath: "/"},
		{root: "hybrid", pid: 4242, unified: "/system.slice/cron.service", unifiedOK: true, memory: "/system.slice/cron.service", memoryOK: true, nHierarchies: 4, cpuacctPath: "/system.slice/cron.service"},
		{root: "unified", pid: 1, unified: "/user.slice/user-1000.slice/user@1000.service/app.slice/a:b.scope", unifiedOK: true, nHierarchies: 1},
		{root: "legacy", pid: 1, memory: "/user.slice/user-1000.slice", memoryOK: true, nHierarchies: 4, cpuacctPath: "/user.slice"},
	} {
		fsys := mustFS(t, "testdata/"+tc.root)
		m, err := fsys.OfProcess(tc.pid)
		if err != nil {
			t.Fatalf("%s/%d: %v", tc.root, tc.pid, err)
		}
		if len(m) != tc.nHierarchies {
			t.Errorf("%s/%d: %d hierarchies, want %d", tc.root, tc.pid, len(m), tc.nHierarchies)
		}
		if p, ok := m.Unified(); p != tc.unified || ok != tc.unifiedOK {
			t.Errorf("%s/%d: Unified() = %q, %v; want %q, %v", tc.root, tc.pid, p, ok, tc.unified, tc.unifiedOK)
		}
		if p, ok := m.Controller("memory"); p != tc.memory || ok != tc.memoryOK {
			t.Errorf("%s/%d: Controller(memory) = %q, %v; want %q, %v", tc.root, tc.pid, p, ok, tc.memory, tc.memoryOK)
		}
		if p, _ := m.Controller("cpuacct"); p != tc.cpuacctPath {
			t.Errorf("%s/%d: Controller(cpuacct) = %q, want %q", tc.root, tc.pid, p, tc.cpuacctPath)
		}
	}
}

func TestOfProcessErrors(t *testing.T) {
	fsys := mustFS(t, "testdata/hybrid")
	if _, err := fsys.OfProcess(7); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OfProcess(missing pid) = %v, want fs.ErrNotExist", err)
	}
	for _, pid := range []int{0, -1} {
		if _, err := fsys.OfProcess(pid); err == nil || !strings.Contains(err.Error(), "invalid pid") {
			t.Errorf("OfProcess(%d) = %v, want an invalid pid error", pid, err)
		}
	}
}

// TestSelfLive compares Self with the test's own reading of
// /proc/self/cgroup.
func TestSelfLive(t *testing.T) {
	raw, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(m) != len(lines) {
		t.Fatalf("Self has %d hierarchies, the file %d lines:\n%s", len(m), len(lines), raw)
	}
	for i, line := range lines {
		id, rest, _ := strings.Cut(line, ":")
		_, path, _ := strings.Cut(rest, ":")
		if got := m[i]; strconv.Itoa(got.HierarchyID) != id || got.Path != strings.TrimSuffix(path, " (deleted)") {
			t.Errorf("hierarchy %d = %+v, file says %q", i, got, line)
		}
		if path, ok := strings.CutPrefix(line, "0::"); ok {
			if got, ok := m.Unified(); !ok || got != path {
				t.Errorf("Unified() = %q, %v; file says %q", got, ok, path)
			}
		}
	}
	other, err := OfProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(other, m) {
		t.Errorf("OfProcess(getpid) = %+v, Self = %+v", other, m)
	}
	if _, err := OfProcess(1 << 30); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OfProcess(no such pid) = %v, want fs.ErrNotExist", err)
	}
}

// mustFS is NewFS for a directory that exists.
func mustFS(t testing.TB, root string) FS {
	t.Helper()
	fsys, err := NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

func TestNewFS(t *testing.T) {
	if _, err := NewFS("testdata/does-not-exist"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("NewFS(missing) = %v, want fs.ErrNotExist", err)
	}
	if _, err := NewFS("testdata/hybrid/proc/1/cgroup"); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("NewFS(file) = %v, want ENOTDIR", err)
	}
	// "/" is the running system: the same answers as Default.
	root := mustFS(t, "/")
	a, errA := root.Self()
	b, errB := Default().Self()
	if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("NewFS(\"/\").Self() = %v, %v; Default().Self() = %v, %v", a, errA, b, errB)
	}
	ma, errA := root.Mode()
	mb, errB := Default().Mode()
	if ma != mb || (errA == nil) != (errB == nil) {
		t.Errorf("NewFS(\"/\").Mode() = %v, %v; Default().Mode() = %v, %v", ma, errA, mb, errB)
	}
}
