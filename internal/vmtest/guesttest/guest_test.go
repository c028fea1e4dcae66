package guesttest

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// guest skips t outside a vmtest guest.
func guest(t *testing.T) {
	t.Helper()
	if os.Getenv("LX_VMTEST_GUEST") != "1" {
		t.Skip("runs only inside a vmtest guest (LX_VMTEST_GUEST=1)")
	}
}

func envInt(t *testing.T, key string) int {
	t.Helper()
	n, err := strconv.Atoi(os.Getenv(key))
	if err != nil {
		t.Fatalf("%s=%q: %v", key, os.Getenv(key), err)
	}
	return n
}

// TestKernelVersion: the guest runs the kernel the host booted.
func TestKernelVersion(t *testing.T) {
	guest(t)
	want, err := kernel.ParseVersion(os.Getenv("LX_VMTEST_KERNEL"))
	if err != nil {
		t.Fatalf("LX_VMTEST_KERNEL: %v", err)
	}
	got, err := kernel.Running()
	if err != nil {
		t.Fatal(err)
	}
	if got.Major != want.Major || got.Minor != want.Minor {
		t.Fatalf("guest kernel is %s, want %d.%d.x", got, want.Major, want.Minor)
	}
	t.Logf("guest kernel %s", got)
}

// TestCgroupControllers: a pure cgroup v2 at /sys/fs/cgroup with every
// controller lx tests, enabled for children, and working limit files.
func TestCgroupControllers(t *testing.T) {
	guest(t)
	if typ := mountType(t, "/sys/fs/cgroup"); typ != "cgroup2" {
		t.Fatalf("/sys/fs/cgroup is %q, want cgroup2", typ)
	}
	want := []string{"cpuset", "cpu", "io", "memory", "hugetlb", "pids"}
	for _, file := range []string{"cgroup.controllers", "cgroup.subtree_control"} {
		b, err := os.ReadFile("/sys/fs/cgroup/" + file)
		if err != nil {
			t.Fatal(err)
		}
		have := strings.Fields(string(b))
		for _, c := range want {
			if !slices.Contains(have, c) {
				t.Errorf("%s = %q lacks %s", file, have, c)
			}
		}
	}
	dir, err := os.MkdirTemp("/sys/fs/cgroup", "guesttest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.Remove(dir); err != nil {
			t.Error(err)
		}
	})
	for file, value := range map[string]string{
		"memory.max":  "67108864",
		"pids.max":    "64",
		"cpu.max":     "50000 100000",
		"cpuset.cpus": "0",
	} {
		path := filepath.Join(dir, file)
		if err := os.WriteFile(path, []byte(value), 0); err != nil {
			t.Errorf("write %s: %v", path, err)
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Error(err)
			continue
		}
		if got := strings.TrimSpace(string(b)); got != value {
			t.Errorf("%s = %q after writing %q", path, got, value)
		}
	}
}

// TestMounts: the filesystems init promises.
func TestMounts(t *testing.T) {
	guest(t)
	want := map[string]string{
		"/proc":    "proc",
		"/sys":     "sysfs",
		"/dev":     "devtmpfs",
		"/tmp":     "tmpfs",
		"/dev/shm": "tmpfs",
	}
	if os.Getenv("LX_VMTEST_HUGETLBFS") == "1" {
		want["/dev/hugepages"] = "hugetlbfs"
	}
	for dir, typ := range want {
		if got := mountType(t, dir); got != typ {
			t.Errorf("%s is mounted as %q, want %s", dir, got, typ)
		}
	}
	if os.Getuid() != 0 {
		t.Errorf("tests run as uid %d, want root", os.Getuid())
	}
}

// TestBlockDevice: the block device the host asked for (brd's RAM disk at
// LX_VMTEST_BLOCKDEV) is there, 16 MiB in /sys/block, and reads as zeros;
// a guest that asked for none has no brd loaded.
func TestBlockDevice(t *testing.T) {
	guest(t)
	dev := os.Getenv("LX_VMTEST_BLOCKDEV")
	if _, err := os.Stat("/sys/module/brd"); dev == "" {
		if err == nil {
			t.Error("brd is loaded, but the host asked for no block device")
		}
		return
	}
	st, err := os.Stat(dev)
	if err != nil {
		t.Fatalf("LX_VMTEST_BLOCKDEV: %v", err)
	}
	if st.Mode()&os.ModeDevice == 0 || st.Mode()&os.ModeCharDevice != 0 {
		t.Fatalf("%s has mode %v, want a block device", dev, st.Mode())
	}
	name := filepath.Base(dev)
	size, err := os.ReadFile("/sys/block/" + name + "/size")
	if err != nil {
		t.Fatal(err)
	}
	// 512-byte sectors: rd_size=16384 KiB.
	if got := strings.TrimSpace(string(size)); got != "32768" {
		t.Errorf("/sys/block/%s/size = %s sectors, want 32768 (16 MiB)", name, got)
	}
	f, err := os.Open(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 4096)
	if _, err := f.ReadAt(b, 8<<20); err != nil {
		t.Fatal(err)
	}
	for i, c := range b {
		if c != 0 {
			t.Fatalf("%s byte %d of a block never written is %#x, want 0", dev, 8<<20+i, c)
		}
	}
}

// TestCPUs: the guest has the vCPUs the host asked for.
func TestCPUs(t *testing.T) {
	guest(t)
	if got, want := runtime.NumCPU(), envInt(t, "LX_VMTEST_CPUS"); got != want {
		t.Errorf("guest has %d CPUs, want %d", got, want)
	}
}

// TestNUMANodes: the guest has the NUMA nodes the host asked for, each
// with memory.
func TestNUMANodes(t *testing.T) {
	guest(t)
	want := envInt(t, "LX_VMTEST_NUMA_NODES")
	nodes, err := filepath.Glob("/sys/devices/system/node/node[0-9]*")
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != want {
		t.Fatalf("guest has NUMA nodes %q, want %d", nodes, want)
	}
	for _, n := range nodes {
		b, err := os.ReadFile(n + "/meminfo")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "MemTotal:") {
			t.Errorf("%s/meminfo has no MemTotal:\n%s", n, b)
		}
	}
}

// mountType is the type of the filesystem mounted at dir ("" if none),
// from /proc/self/mounts; the last mount on dir wins.
func mountType(t *testing.T, dir string) string {
	t.Helper()
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	typ := ""
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) >= 3 && fields[1] == dir {
			typ = fields[2]
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return typ
}
