package cpu

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/cpuset"
)

func TestListFixtures(t *testing.T) {
	for _, tc := range []struct {
		root                      string
		online, possible, present string
	}{
		{"hotplug", "0-3,8-11,16", "0-63", "0-31"},
		{"single", "0", "0", "0"},
	} {
		fsys, err := NewFS("testdata/" + tc.root)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct {
			name string
			read func() (cpuset.Set, error)
			want string
		}{
			{"online", fsys.Online, tc.online},
			{"possible", fsys.Possible, tc.possible},
			{"present", fsys.Present, tc.present},
		} {
			got, err := f.read()
			if err != nil {
				t.Fatalf("%s %s: %v", tc.root, f.name, err)
			}
			if got.String() != f.want {
				t.Errorf("%s %s = %q, want %q", tc.root, f.name, got, f.want)
			}
		}
	}
}

func TestListErrors(t *testing.T) {
	fsys, err := NewFS("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fsys.Online(); err == nil || !strings.Contains(err.Error(), "cpu online read") {
		t.Errorf("Online on a malformed list = %v, want a parse error", err)
	}
	// An empty file is the empty set, not an error.
	if s, err := fsys.Present(); err != nil || !s.IsEmpty() {
		t.Errorf("Present on an empty file = %v, %v; want the empty set", s, err)
	}
	if _, err := fsys.Possible(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Possible on a missing file = %v, want fs.ErrNotExist", err)
	}
}

func TestNewFS(t *testing.T) {
	if _, err := NewFS("testdata/does-not-exist"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("NewFS(missing) = %v, want fs.ErrNotExist", err)
	}
	if _, err := NewFS("testdata/hotplug/sys/devices/system/cpu/online"); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("NewFS(file) = %v, want ENOTDIR", err)
	}
	// "/" is the running system: the same answer as Default.
	root, err := NewFS("/")
	if err != nil {
		t.Fatal(err)
	}
	a, errA := root.Online()
	b, errB := Default().Online()
	if errA != nil || errB != nil || !a.Equal(b) {
		t.Errorf("NewFS(\"/\").Online() = %v, %v; Default().Online() = %v, %v", a, errA, b, errB)
	}
}

// TestListLive cross-checks the host's lists with each other, with Go's
// view of the CPUs and with /proc/cpuinfo (which lists online CPUs).
func TestListLive(t *testing.T) {
	online, err := Online()
	if err != nil {
		t.Fatal(err)
	}
	possible, err := Possible()
	if err != nil {
		t.Fatal(err)
	}
	present, err := Present()
	if err != nil {
		t.Fatal(err)
	}
	if online.IsEmpty() || !online.Difference(present).IsEmpty() || !present.Difference(possible).IsEmpty() {
		t.Fatalf("want online ⊆ present ⊆ possible, got %v, %v, %v", online, present, possible)
	}
	// runtime.NumCPU counts the affinity mask, a subset of the online CPUs.
	if n := runtime.NumCPU(); online.Count() < n {
		t.Errorf("online has %d CPUs, runtime.NumCPU() = %d", online.Count(), n)
	}
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var fromCPUInfo cpuset.Set
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if !ok || strings.TrimSpace(k) != "processor" {
			continue
		}
		one, err := cpuset.Parse(strings.TrimSpace(v))
		if err != nil {
			t.Fatalf("cpuinfo processor %q: %v", v, err)
		}
		fromCPUInfo = fromCPUInfo.Union(one)
	}
	if fromCPUInfo.IsEmpty() {
		t.Skip("this architecture's /proc/cpuinfo has no processor lines")
	}
	if !fromCPUInfo.Equal(online) {
		t.Errorf("online = %v, /proc/cpuinfo lists %v", online, fromCPUInfo)
	}
}

func BenchmarkOnline(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Online(); err != nil {
			b.Fatal(err)
		}
	}
}
