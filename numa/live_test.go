package numa

import (
	"errors"
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// requirePolicy skips a test on a kernel without the memory policy calls
// (no CONFIG_NUMA) or where a seccomp filter forbids them.
func requirePolicy(t testing.TB) {
	t.Helper()
	testutil.SkipIfUnsupported(t, feature.Mempolicy.Check(), kernel.Version{})
}

// memNodes returns the nodes with memory this process may allocate on,
// at least want of them. With fewer it skips the test, except in a
// vmtest guest built with that many NUMA nodes, where it fails: the
// two-node guest exists to run these tests.
func memNodes(t testing.TB, want int) []int {
	t.Helper()
	requirePolicy(t)
	mem, err := HasMemory()
	if err != nil {
		t.Fatal(err)
	}
	allowed, err := MemsAllowed()
	if err != nil {
		t.Fatal(err)
	}
	var nodes []int
	for n := range mem.Intersect(allowed).All() {
		nodes = append(nodes, n)
	}
	if len(nodes) < want {
		promised, _ := strconv.Atoi(os.Getenv("LX_VMTEST_NUMA_NODES"))
		if os.Getenv("LX_VMTEST_GUEST") == "1" && promised >= want {
			t.Fatalf("the vmtest guest promised %d NUMA nodes; the process may use memory of %v only", promised, nodes)
		}
		t.Skipf("needs %d NUMA nodes with memory; this machine has %v (the two-node vmtest guest runs it)", want, nodes)
	}
	return nodes
}

// mapPages maps n private anonymous pages, unmapped when the test ends.
func mapPages(t testing.TB, n int) []byte {
	t.Helper()
	b, err := syscall.Mmap(-1, 0, n*os.Getpagesize(), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := syscall.Munmap(b); err != nil {
			t.Error(err)
		}
	})
	return b
}

// touch writes to every page of b, faulting it in.
func touch(b []byte) {
	for i := 0; i < len(b); i += os.Getpagesize() {
		b[i] = 1
	}
}

// nodeCounts counts the pages of b on each node, failing on a page
// move_pages cannot place. The pages were touched, but one the kernel is
// moving at that instant (compaction in the background, right after a
// migration) has a migration entry in place of its page table entry,
// which move_pages reports as ENOENT (on 6.1 that is all ENOENT means
// there: a page never touched is EFAULT): the query is made again, for
// up to a second, before such a page fails the test. (A 6.1 guest
// answered so once, for one page, after migrate_pages had moved every
// page.)
func nodeCounts(t testing.TB, b []byte) map[int]int {
	t.Helper()
	for deadline := time.Now().Add(time.Second); ; time.Sleep(10 * time.Millisecond) {
		st, err := PageNodes(b, nil)
		if err != nil {
			t.Fatal(err)
		}
		counts, moving := map[int]int{}, false
		for i, s := range st {
			if errors.Is(s.Err(), syscall.ENOENT) && time.Now().Before(deadline) {
				moving = true
				break
			}
			if s.Err() != nil {
				t.Fatalf("page %d: %v", i, s.Err())
			}
			counts[s.Node()]++
		}
		if !moving {
			return counts
		}
	}
}

// notPresent reports whether s says "not present", as the kernel says it
// for a page never touched: ENOENT, or EFAULT before 6.12 (6.1 answers
// EFAULT).
func notPresent(t testing.TB, s PageStatus) bool {
	t.Helper()
	if errors.Is(s.Err(), syscall.ENOENT) {
		return true
	}
	v, err := kernel.Running()
	if err != nil {
		t.Fatal(err)
	}
	return errors.Is(s.Err(), syscall.EFAULT) && !v.AtLeast(kernel.V(6, 12))
}

// skipIfFeature skips when err says the kernel lacks a mode it is too old
// for, and fails when it should have it.
func skipIfFeature(t testing.TB, err error) {
	t.Helper()
	var fe *kernel.FeatureError
	if errors.As(err, &fe) {
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
	}
}

// TestThreadPolicyRoundTrip: every mode set with Do reads back the same
// on the thread, with the nodes this machine has.
func TestThreadPolicyRoundTrip(t *testing.T) {
	nodes := memNodes(t, 1)
	all := cpuset.Of(nodes...)
	first := cpuset.Of(nodes[0])
	for _, p := range []Policy{
		{Mode: ModeDefault},
		{Mode: ModeLocal},
		{Mode: ModePreferred, Nodes: first},
		{Mode: ModeBind, Nodes: all},
		{Mode: ModeBind, Flags: StaticNodes, Nodes: first},
		{Mode: ModeInterleave, Nodes: all},
		{Mode: ModeInterleave, Flags: RelativeNodes, Nodes: cpuset.Of(0)},
		{Mode: ModePreferredMany, Nodes: all},
		{Mode: ModeWeightedInterleave, Nodes: all},
	} {
		t.Run(p.String(), func(t *testing.T) {
			var got Policy
			err := Do(p, func() error {
				var err error
				got, err = ThreadPolicy()
				return err
			})
			skipIfFeature(t, err)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != p.String() {
				t.Errorf("ThreadPolicy in Do(%v) = %v", p, got)
			}
		})
	}
}

// TestDoRestoresThreads: the thread Do used goes back to the pool with
// its old policy. /proc/self/task/TID/numa_maps shows a thread's own
// policy for mappings that have none.
func TestDoRestoresThreads(t *testing.T) {
	nodes := memNodes(t, 1)
	p := Policy{Mode: ModeBind, Nodes: cpuset.Of(nodes[0])}
	policyOf := func(tid int) string {
		b, err := os.ReadFile("/proc/self/task/" + strconv.Itoa(tid) + "/numa_maps")
		if err != nil {
			t.Fatalf("thread %d of Do is gone: %v", tid, err)
		}
		_, rest, _ := strings.Cut(string(b), " ")
		policy, _, _ := strings.Cut(rest, " ")
		return policy
	}
	var tid int
	var inside string
	err := Do(p, func() error {
		tid = syscall.Gettid()
		inside = policyOf(tid)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if inside != p.String() {
		t.Fatalf("numa_maps of the thread in Do shows %q, want %q", inside, p)
	}
	if after := policyOf(tid); after != "default" {
		t.Errorf("thread %d went back to the pool with policy %q", tid, after)
	}
}

// TestSetThreadPolicyLocked: the manual form, on a locked thread, put
// back before unlocking.
func TestSetThreadPolicyLocked(t *testing.T) {
	nodes := memNodes(t, 1)
	done := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		p := Policy{Mode: ModePreferred, Nodes: cpuset.Of(nodes[0])}
		if err := SetThreadPolicy(p); err != nil {
			done <- err
			return
		}
		got, err := ThreadPolicy()
		if err == nil && got.String() != p.String() {
			err = errors.New("read back " + got.String())
		}
		if rerr := SetThreadPolicy(Policy{}); err == nil {
			err = rerr
		}
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestMemsAllowed(t *testing.T) {
	requirePolicy(t)
	allowed, err := MemsAllowed()
	if err != nil {
		t.Fatal(err)
	}
	online, err := Online()
	if err != nil {
		t.Fatal(err)
	}
	if allowed.IsEmpty() || !allowed.Difference(online).IsEmpty() {
		t.Errorf("MemsAllowed %v, online %v", allowed, online)
	}
}

// TestRegionPolicy: mbind, read back, and the pages land where it says.
func TestRegionPolicy(t *testing.T) {
	nodes := memNodes(t, 1)
	n := nodes[len(nodes)-1]
	b := mapPages(t, 8)
	p := Policy{Mode: ModeBind, Nodes: cpuset.Of(n)}
	if err := SetRegionPolicy(b, p, nil); err != nil {
		t.Fatal(err)
	}
	got, err := RegionPolicy(b[3*os.Getpagesize():])
	if err != nil || got.String() != p.String() {
		t.Fatalf("RegionPolicy = %v, %v; want %v", got, err, p)
	}
	// Nothing is faulted in yet: every page is ENOENT.
	st, err := PageNodes(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 8 {
		t.Fatalf("PageNodes gave %d entries for 8 pages", len(st))
	}
	for i, s := range st {
		if !notPresent(t, s) {
			t.Errorf("untouched page %d: %v, want ENOENT", i, s)
		}
	}
	touch(b)
	if c := nodeCounts(t, b); c[n] != 8 {
		t.Errorf("pages per node %v, want all 8 on node %d", c, n)
	}
	if got, err := PageNode(b[5*os.Getpagesize()+7:]); err != nil || got != n {
		t.Errorf("PageNode = %d, %v; want %d", got, err, n)
	}
	// The status buffer is reused.
	again, err := PageNodes(b, st)
	if err != nil || &again[0] != &st[0] {
		t.Errorf("PageNodes did not reuse the buffer: %v", err)
	}
	if err := SetRegionPolicy(b, Policy{}, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := RegionPolicy(b); err != nil || got.Mode != ModeDefault {
		t.Errorf("RegionPolicy after ModeDefault = %v, %v", got, err)
	}
}

func TestSetHomeNode(t *testing.T) {
	nodes := memNodes(t, 1)
	b := mapPages(t, 4)
	err := SetHomeNode(b, nodes[0])
	skipIfFeature(t, err)
	if !errors.Is(err, syscall.ENOENT) {
		t.Errorf("SetHomeNode without a region policy = %v, want ENOENT", err)
	}
	if err := SetRegionPolicy(b, Policy{Mode: ModeInterleave, Nodes: cpuset.Of(nodes...)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := SetHomeNode(b, nodes[0]); !errors.Is(err, syscall.EOPNOTSUPP) {
		t.Errorf("SetHomeNode on an interleave region = %v, want EOPNOTSUPP", err)
	}
	if err := SetRegionPolicy(b, Policy{Mode: ModeBind, Nodes: cpuset.Of(nodes...)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := SetHomeNode(b, nodes[len(nodes)-1]); err != nil {
		t.Fatal(err)
	}
	touch(b)
	if c := nodeCounts(t, b); c[nodes[len(nodes)-1]] != 4 {
		t.Errorf("pages per node %v, want all on home node %d", c, nodes[len(nodes)-1])
	}
}

// TestMovePagesSameNode: on any machine, moving pages to the node they
// are on reports that node, and pages not present stay ENOENT.
func TestMovePagesSameNode(t *testing.T) {
	nodes := memNodes(t, 1)
	b := mapPages(t, 4)
	touch(b[:3*os.Getpagesize()])
	st, err := MovePages(b, nodes[0], nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range st {
		switch {
		case i < 3 && s.Node() != nodes[0]:
			t.Errorf("page %d after MovePages: %v, want node %d", i, s, nodes[0])
		case i == 3 && !notPresent(t, s):
			t.Errorf("untouched page after MovePages: %v, want ENOENT", s)
		}
	}
	if n, err := MigratePages(os.Getpid(), cpuset.Of(nodes[0]), cpuset.Of(nodes[0])); err != nil || n != 0 {
		t.Errorf("MigratePages to the same node = %d, %v", n, err)
	}
}

// TestBadInput: every number and region is checked, and the error names
// it.
func TestBadInput(t *testing.T) {
	requirePolicy(t)
	possible, err := Possible()
	if err != nil {
		t.Fatal(err)
	}
	beyond := possible.Len()
	b := mapPages(t, 2)
	name := "node " + strconv.Itoa(beyond)
	for what, err := range map[string]error{
		"SetThreadPolicy": SetThreadPolicy(Policy{Mode: ModeBind, Nodes: cpuset.Of(beyond)}),
		"Do":              Do(Policy{Mode: ModeBind, Nodes: cpuset.Of(0, beyond)}, func() error { panic("fn ran") }),
		"SetRegionPolicy": SetRegionPolicy(b, Policy{Mode: ModeInterleave, Nodes: cpuset.Of(beyond)}, nil),
		"SetHomeNode":     SetHomeNode(b, beyond),
		"MovePages": func() error {
			_, err := MovePages(b, beyond, nil, nil)
			return err
		}(),
		"MigratePages": func() error {
			_, err := MigratePages(os.Getpid(), cpuset.Of(0), cpuset.Of(beyond))
			return err
		}(),
	} {
		if !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s with %s = %v, want fs.ErrInvalid naming it", what, name, err)
		}
	}
	if _, err := MovePages(b, -1, nil, nil); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "node -1") {
		t.Errorf("MovePages to node -1 = %v", err)
	}
	pids := []int{0, -1}
	if above := int64(kernel.MaxPID) + 1; int64(int(above)) == above { // 64-bit int
		pids = append(pids, int(above))
	}
	for _, pid := range pids {
		var re *kernel.RangeError
		if _, err := MigratePages(pid, cpuset.Of(0), cpuset.Of(0)); !errors.As(err, &re) || re.Value != int64(pid) {
			t.Errorf("MigratePages(pid %d) = %v, want a *kernel.RangeError", pid, err)
		}
	}
	// A region must start on a page boundary; the error names the address.
	odd := b[1:]
	addr := "0x" + strconv.FormatUint(uint64(addrOf(odd)), 16)
	for what, err := range map[string]error{
		"SetRegionPolicy": SetRegionPolicy(odd, Policy{Mode: ModeLocal}, nil),
		"SetHomeNode":     SetHomeNode(odd, 0),
		"PageNodes": func() error {
			_, err := PageNodes(odd, nil)
			return err
		}(),
		"MovePages": func() error {
			_, err := MovePages(odd, 0, nil, nil)
			return err
		}(),
	} {
		if !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), addr) {
			t.Errorf("%s on an unaligned region = %v, want fs.ErrInvalid naming %s", what, err, addr)
		}
	}
	for what, err := range map[string]error{
		"SetRegionPolicy": SetRegionPolicy(nil, Policy{}, nil),
		"RegionPolicy":    func() error { _, err := RegionPolicy(nil); return err }(),
		"PageNode":        func() error { _, err := PageNode(b[:0]); return err }(),
		"PageNodes":       func() error { _, err := PageNodes(nil, nil); return err }(),
	} {
		if !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "empty region") {
			t.Errorf("%s on an empty region = %v", what, err)
		}
	}
	for _, p := range []Policy{{Mode: -1}, {Mode: ModeBind, Flags: 1, Nodes: cpuset.Of(0)}} {
		if err := SetThreadPolicy(p); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("SetThreadPolicy(%v) = %v, want fs.ErrInvalid", p, err)
		}
	}
	// The kernel's own checks come through: a mode with nodes it takes
	// none for.
	if err := SetRegionPolicy(b, Policy{Mode: ModeLocal, Nodes: cpuset.Of(0)}, nil); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("SetRegionPolicy(local:0) = %v, want EINVAL", err)
	}
}
