package cgroup

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/procfs"
)

// More tests on the unified hierarchy of the machine they run on, with
// the rules of live_test.go: ids, controllers and types, limits of the
// tree, hugetlb, pressure and triggers, the openat(2) path, the v1 view.

func TestLiveID(t *testing.T) {
	c := newTestCgroup(t)
	id, err := c.ID()
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(c.Dir())
	if err != nil {
		t.Fatal(err)
	}
	ino := st.Sys().(*syscall.Stat_t).Ino
	if strconv.IntSize == 64 && uint64(id) != uint64(ino) {
		t.Errorf("ID = %d, st_ino = %d", id, ino)
	}
	if uint32(id) != uint32(ino) {
		t.Errorf("ID %d and st_ino %d differ in the low 32 bits", id, ino)
	}
	// A process's pidfd reports the same id (PIDFD_GET_INFO, Linux 6.13;
	// the /proc fallback before it has none).
	cmd := startSleep(t, c)
	pfd, err := pidfd.Open(cmd.Process.Pid, nil)
	if err != nil {
		t.Fatal(err)
	}
	info, err := pfd.Info()
	pfd.Close()
	if err != nil {
		t.Fatal(err)
	}
	if pid, ok := info.CgroupID(); ok && ID(pid) != id {
		t.Errorf("pidfd cgroup id %d, ID %d", pid, id)
	} else if !ok {
		t.Logf("no cgroup id from the pidfd (%v)", info.Source)
	}
	testutil.RequireCap(t, capability.DACReadSearch)
	back, err := OpenID(id)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if back.Path() != c.Path() || back.Dir() != c.Dir() {
		t.Errorf("OpenID(%d) = %s (%s), want %s (%s)", id, back.Path(), back.Dir(), c.Path(), c.Dir())
	}
	if got, err := back.ID(); err != nil || got != id {
		t.Errorf("ID of OpenID's cgroup = %d, %v", got, err)
	}
	root := openRoot(t)
	rootID, err := root.ID()
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenID(rootID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Path() != "/" {
		t.Errorf("OpenID(root) path %q", r.Path())
	}
	r.Close()
	// An id that names nothing.
	gone := newChildOf(t, root)
	goneID, err := gone.ID()
	if err != nil {
		t.Fatal(err)
	}
	if err := gone.Remove(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenID(goneID); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenID(removed) = %v, want ErrNotExist", err)
	}
}

func TestLiveControllersAndType(t *testing.T) {
	c := newTestCgroup(t)
	avail, err := c.Controllers()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.SubtreeControl(); err != nil || len(got) != 0 {
		t.Errorf("new cgroup's SubtreeControl = %v, %v", got, err)
	}
	if len(avail) > 0 {
		// Enable and disable the first controller for c's children.
		one := avail[:1]
		got, err := c.SetSubtreeControl(one, nil)
		if err != nil || !slices.Equal(got, one) {
			t.Errorf("SetSubtreeControl(+%v) = %v, %v", one, got, err)
		}
		got, err = c.SetSubtreeControl(nil, one)
		if err != nil || len(got) != 0 {
			t.Errorf("SetSubtreeControl(-%v) = %v, %v", one, got, err)
		}
	}
	if _, err := c.SetSubtreeControl(Controllers{"lxnosuch"}, nil); !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.EINVAL) {
		t.Errorf("enabling an unknown controller = %v, want ENOENT or EINVAL", err)
	}
	if _, err := c.SetSubtreeControl(Controllers{"bad name"}, nil); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("enabling %q = %v, want ErrInvalid", "bad name", err)
	}
	// Threaded: a child made threaded turns c into a threaded domain.
	thr := newChildOf(t, c)
	if typ, err := thr.Type(); err != nil || typ != Domain {
		t.Errorf("Type = %v, %v", typ, err)
	}
	got, err := thr.SetType(Threaded)
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(4, 14))
		t.Fatal(err)
	}
	if got != Threaded {
		t.Errorf("SetType(threaded) = %v", got)
	}
	if typ, err := c.Type(); err != nil || typ != DomainThreaded {
		t.Errorf("parent Type = %v, %v; want domain threaded", typ, err)
	}
	if _, err := thr.SetType(Domain); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("SetType(domain) = %v, want ErrInvalid", err)
	}
	// Threads move into the threaded child; the process stays in c.
	cmd := startSleep(t, c)
	if err := thr.MoveThread(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	if th, err := thr.Threads(); err != nil || !slices.Equal(th, []int{cmd.Process.Pid}) {
		t.Errorf("threaded child's Threads = %v, %v", th, err)
	}
	if pr, err := c.Procs(); err != nil || !slices.Equal(pr, []int{cmd.Process.Pid}) {
		t.Errorf("domain's Procs = %v, %v", pr, err)
	}
}

func TestLiveLimitsOfTree(t *testing.T) {
	c := newTestCgroup(t)
	for _, x := range []struct {
		get func() (Max, error)
		set func(Max) (Max, error)
	}{{c.MaxDepth, c.SetMaxDepth}, {c.MaxDescendants, c.SetMaxDescendants}} {
		if v, err := x.get(); err != nil || v != Unlimited {
			t.Errorf("default = %v, %v; want max", v, err)
		}
		if v, err := x.set(1); err != nil || v != 1 {
			t.Errorf("set 1 = %v, %v", v, err)
		}
		if _, err := x.set(1 << 31); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("set 2^31 = %v, want ErrInvalid", err)
		}
	}
	child := newChildOf(t, c)
	if _, err := child.NewChild("too-deep"); !errors.Is(err, syscall.EAGAIN) {
		t.Errorf("NewChild beyond max.depth = %v, want EAGAIN", err)
	}
	if _, err := c.NewChild("too-many"); !errors.Is(err, syscall.EAGAIN) {
		t.Errorf("NewChild beyond max.descendants = %v, want EAGAIN", err)
	}
	st, err := c.Stat()
	if err != nil || st.Descendants != 1 {
		t.Errorf("Stat = %+v, %v; want 1 descendant", st, err)
	}
	for _, x := range []func(Max) (Max, error){c.SetMaxDepth, c.SetMaxDescendants} {
		if v, err := x(Unlimited); err != nil || v != Unlimited {
			t.Errorf("set max = %v, %v", v, err)
		}
	}
}

func TestLiveHugeTLB(t *testing.T) {
	root := openRoot(t)
	requireController(t, root, HugeTLB)
	c := newChildOf(t, root)
	sizes, err := c.HugeTLBSizes()
	if err != nil {
		t.Fatal(err)
	}
	if len(sizes) == 0 {
		t.Fatal("no hugetlb files in a cgroup with the hugetlb controller")
	}
	size := sizes[0]
	if got, err := c.HugeTLBMax(size); err != nil || got != Unlimited {
		t.Errorf("HugeTLBMax(%d) = %v, %v; want max", size, got, err)
	}
	want := Max(3 * size)
	if got, err := c.SetHugeTLBMax(size, want+1); err != nil || got != want {
		t.Errorf("SetHugeTLBMax(3 pages + 1) = %v, %v; want %v (rounded to pages)", got, err, want)
	}
	raw, err := os.ReadFile(c.Dir() + "/hugetlb." + hugeSizeName(size) + ".max")
	if err != nil || strings.TrimSpace(string(raw)) != want.String() {
		t.Errorf("file says %q, %v; want %v", raw, err, want)
	}
	if got, err := c.SetHugeTLBMax(size, Unlimited); err != nil || got != Unlimited {
		t.Errorf("SetHugeTLBMax(max) = %v, %v", got, err)
	}
	if got, err := c.SetHugeTLBRsvdMax(size, want); err != nil || got != want {
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 7))
		t.Errorf("SetHugeTLBRsvdMax = %v, %v; want %v", got, err, want)
	}
	if got, err := c.HugeTLBRsvdMax(size); err != nil || got != want {
		t.Errorf("HugeTLBRsvdMax = %v, %v", got, err)
	}
	for name, f := range map[string]func(uint64) (uint64, error){
		"current": c.HugeTLBCurrent, "rsvd.current": c.HugeTLBRsvdCurrent,
		"events": c.HugeTLBEvents, "events.local": c.HugeTLBEventsLocal,
	} {
		if v, err := f(size); err != nil || v != 0 {
			t.Errorf("hugetlb %s = %d, %v; want 0", name, v, err)
		}
	}
	if _, err := c.HugeTLBMax(3 << 20); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("HugeTLBMax(3 MiB) = %v, want ErrInvalid", err)
	}
	if _, err := c.HugeTLBMax(1 << 40); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("HugeTLBMax(1 TiB) = %v, want ErrNotExist", err)
	}
}

func TestLivePressure(t *testing.T) {
	c := newTestCgroup(t)
	for _, r := range []procfs.Resource{procfs.ResourceCPU, procfs.ResourceMemory, procfs.ResourceIO, procfs.ResourceIRQ} {
		p, err := c.Pressure(r)
		if r == procfs.ResourceIRQ && errors.Is(err, errors.ErrUnsupported) {
			t.Logf("irq: %v", err)
			continue
		}
		if err != nil {
			testutil.SkipIfUnsupported(t, err, kernel.V(4, 20))
			t.Fatal(err)
		}
		if !p.HasSome && !p.HasFull {
			t.Errorf("%v: %+v", r, p)
		}
	}
	if _, err := c.Pressure(procfs.Resource(9)); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Pressure(9) = %v", err)
	}
}

// TestLiveTrigger makes a CPU pressure trigger fire: three busy loops in
// a cgroup on this two-CPU machine stall each other. (The memory trigger
// of TestControllerPSITrigger needs the memory controller.)
func TestLiveTrigger(t *testing.T) {
	c := newTestCgroup(t)
	// A 2 s window works without CAP_SYS_RESOURCE from Linux 6.5 on
	// (this host's root lacks it); before 6.5 any writer may use any.
	spec := TriggerSpec{Kind: Some, Stall: 50 * time.Millisecond, Window: 2 * time.Second}
	tr, err := c.NewTrigger(procfs.ResourceCPU, spec)
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 2))
		t.Fatal(err)
	}
	defer tr.Close()
	if tr.Spec() != spec {
		t.Errorf("Spec = %v", tr.Spec())
	}
	for range 3 {
		busy(t, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := tr.Wait(ctx); err != nil {
		t.Fatalf("trigger %v with three busy loops: %v", spec, err)
	}
	if p, err := c.Pressure(procfs.ResourceCPU); err != nil || p.Some.Total < spec.Stall {
		t.Errorf("cpu.pressure = %+v, %v", p, err)
	}
	if err := tr.Close(); err != nil {
		t.Error(err)
	}
	if err := tr.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := tr.Wait(ctx); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Wait after Close = %v, want os.ErrClosed", err)
	}
}

// busy starts an endless shell loop in c, killed when the test ends.
func busy(t *testing.T, c *Cgroup) {
	t.Helper()
	f, err := c.DirFile()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "while :; do :; done")
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(f.Fd())}
	err = cmd.Start()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
}

// TestLiveTriggerEnds: Close, a context and the cgroup's removal end a
// Wait; a window not a multiple of 2s needs CAP_SYS_RESOURCE.
func TestLiveTriggerEnds(t *testing.T) {
	c := newTestCgroup(t)
	spec := TriggerSpec{Kind: Full, Stall: time.Second, Window: 4 * time.Second}
	tr, err := c.NewTrigger(procfs.ResourceMemory, spec)
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 2))
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := tr.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait with a short context = %v", err)
	}
	waited := make(chan error, 2)
	for range 2 {
		go func() { waited <- tr.Wait(context.Background()) }()
	}
	time.Sleep(20 * time.Millisecond) // let them block; Close also ends a Wait that has not started
	if err := tr.Close(); err != nil {
		t.Error(err)
	}
	for range 2 {
		if err := <-waited; !errors.Is(err, os.ErrClosed) {
			t.Errorf("Wait across Close = %v, want os.ErrClosed", err)
		}
	}
	// The cgroup removed under a trigger.
	sub := newChildOf(t, c)
	tr2, err := sub.NewTrigger(procfs.ResourceIO, spec)
	if err != nil {
		t.Fatal(err)
	}
	defer tr2.Close()
	go func() { waited <- tr2.Wait(context.Background()) }()
	time.Sleep(20 * time.Millisecond)
	if err := sub.Remove(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if err := <-waited; !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Wait across the cgroup's removal = %v, want ErrNotExist", err)
	}
	tr3, err := c.NewTrigger(procfs.ResourceMemory, TriggerSpec{Kind: Some, Stall: 10 * time.Millisecond, Window: 500 * time.Millisecond})
	switch {
	case err == nil:
		tr3.Close()
	case testutil.HasCap(capability.SysResource):
		t.Errorf("a 500ms trigger with CAP_SYS_RESOURCE: %v", err)
	case !strings.Contains(err.Error(), "multiples of 2s"):
		t.Errorf("a 500ms trigger without CAP_SYS_RESOURCE: %v, want the 2s hint", err)
	}
	if _, err := c.NewTrigger(procfs.ResourceMemory, TriggerSpec{Kind: Some, Stall: time.Second, Window: 100 * time.Millisecond}); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("a 100ms window = %v, want ErrInvalid", err)
	}
	if _, err := c.NewTrigger(procfs.Resource(9), spec); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("resource 9 = %v, want ErrInvalid", err)
	}
}

func TestLiveOpenat(t *testing.T) {
	c := newTestCgroup(t)
	want, err := c.CPUStat()
	if err != nil {
		t.Fatal(err)
	}
	// The path of kernels before openat2: openat and an fstatfs check.
	useOpenat2 = func() bool { return false }
	t.Cleanup(func() { useOpenat2 = openat2Available })
	got, err := c.CPUStat()
	if err != nil {
		t.Fatal(err)
	}
	if got.Usage < want.Usage {
		t.Errorf("CPUStat went back: %v < %v", got.Usage, want.Usage)
	}
	sub, err := c.NewChild("sub")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if sub.Path() != path.Join(c.Path(), "sub") {
		t.Errorf("Path = %q", sub.Path())
	}
	if err := sub.Remove(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

// TestLiveV1 reads the test process's own v1 cgroups and compares them
// with the files, found by the test itself from /proc/self/cgroup and
// mountinfo. On a pure v2 system (the guests) the view is empty.
func TestLiveV1(t *testing.T) {
	v, err := V1Of(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	mounts := v1MountPoints(t)
	dirs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		for _, ctrl := range strings.Split(parts[1], ",") {
			if m, ok := mounts[ctrl]; ok {
				dirs[ctrl] = strings.TrimSuffix(m+parts[2], "/")
			}
		}
	}
	for _, ctrl := range []string{"memory", "cpu", "cpuacct", "pids"} {
		if got := v.Dir(ctrl); got != dirs[ctrl] {
			t.Errorf("Dir(%s) = %q, the test finds %q", ctrl, got, dirs[ctrl])
		}
	}
	if inGuest() && len(dirs) != 0 {
		t.Errorf("the guest has v1 hierarchies: %v", dirs)
	}
	read := func(ctrl, name string) (string, bool) {
		if dirs[ctrl] == "" {
			return "", false
		}
		b, err := os.ReadFile(dirs[ctrl] + "/" + name)
		return strings.TrimSpace(string(b)), err == nil
	}
	if limit, ok := read("memory", "memory.limit_in_bytes"); ok {
		got, err := v.MemoryMax()
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.ParseUint(limit, 10, 64)
		if (n >= pageCounterMax) != (got == Unlimited) || (got != Unlimited && uint64(got) != n) {
			t.Errorf("MemoryMax = %v, memory.limit_in_bytes %s", got, limit)
		}
		if cur, err := v.MemoryCurrent(); err != nil || cur == 0 {
			t.Errorf("MemoryCurrent = %d, %v; this process uses memory", cur, err)
		}
		if _, err := v.MemoryEvents(); err != nil {
			t.Error(err)
		}
	} else if _, err := v.MemoryMax(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("MemoryMax without the v1 hierarchy = %v", err)
	}
	if quota, ok := read("cpu", "cpu.cfs_quota_us"); ok {
		period, _ := read("cpu", "cpu.cfs_period_us")
		got, err := v.CPUMax()
		if err != nil {
			t.Fatal(err)
		}
		want := UnlimitedQuota
		if quota != "-1" {
			n, _ := strconv.Atoi(quota)
			want = Quota(time.Duration(n) * time.Microsecond)
		}
		p, _ := strconv.Atoi(period)
		if got != (CPUMax{want, time.Duration(p) * time.Microsecond}) {
			t.Errorf("CPUMax = %v, files %s %s", got, quota, period)
		}
		shares, _ := read("cpu", "cpu.shares")
		if got, err := v.CPUShares(); err != nil || strconv.FormatUint(got, 10) != shares {
			t.Errorf("CPUShares = %d, %v; file %s", got, err, shares)
		}
	}
	if before, ok := read("cpuacct", "cpuacct.usage"); ok {
		st, err := v.CPUStat()
		if err != nil {
			t.Fatal(err)
		}
		after, _ := read("cpuacct", "cpuacct.usage")
		b, _ := strconv.ParseInt(before, 10, 64)
		a, _ := strconv.ParseInt(after, 10, 64)
		if int64(st.Usage) < b || int64(st.Usage) > a {
			t.Errorf("CPUStat.Usage = %d, cpuacct.usage went from %d to %d", st.Usage, b, a)
		}
	}
	if max, ok := read("pids", "pids.max"); ok {
		got, err := v.PidsMax()
		if err != nil || got.String() != max {
			t.Errorf("PidsMax = %v, %v; file %s", got, err, max)
		}
	} else if _, err := v.PidsMax(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("PidsMax where the file is missing (the root) = %v", err)
	}
}

// v1MountPoints maps each v1 controller to its mount point, from
// /proc/self/mountinfo (only hierarchies mounted at their root).
func v1MountPoints(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		pf, qf := strings.Fields(pre), strings.Fields(post)
		if len(qf) < 3 || qf[0] != "cgroup" || pf[3] != "/" {
			continue
		}
		for _, opt := range strings.Split(qf[2], ",") {
			m[opt] = pf[4]
		}
	}
	return m
}
