package cgroup

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// The tests in this file use the unified hierarchy of the machine they
// run on: on the hybrid host only what it has (no controller but hugetlb),
// in the vmtest guests everything. Each creates its cgroups below the
// root and removes them when it ends; the processes it moves are sleeps
// it starts.

func TestLiveUnifiedMount(t *testing.T) {
	m, err := UnifiedMount()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !inGuest() {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	types := mountTypes(t)
	if types[m.Point] != "cgroup2" {
		t.Errorf("UnifiedMount = %+v, but mountinfo says %s is %q", m, m.Point, types[m.Point])
	}
	mode, err := DetectMode()
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case Unified:
		if m.Point != "/sys/fs/cgroup" {
			t.Errorf("pure v2 host, UnifiedMount = %s", m.Point)
		}
	case Hybrid:
		if m.Point != "/sys/fs/cgroup/unified" && m.Point != "/sys/fs/cgroup/systemd" {
			t.Errorf("hybrid host, UnifiedMount = %s", m.Point)
		}
	}
	if inGuest() && (mode != Unified || m.Root != "/") {
		t.Errorf("guest: mode %v, mount %+v; want a pure v2 root", mode, m)
	}
}

func TestLiveOpenRoot(t *testing.T) {
	root := openRoot(t)
	if root.Path() != "/" {
		t.Errorf("Path = %q", root.Path())
	}
	if typ, err := root.Type(); err != nil || typ != Domain {
		t.Errorf("root Type = %v, %v; want domain", typ, err)
	}
	cs, err := root.Controllers()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(root.Dir() + "/cgroup.controllers")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cs.String(), strings.TrimSpace(string(raw)); got != want {
		t.Errorf("Controllers = %q, file %q", got, want)
	}
	if _, err := root.Procs(); err != nil {
		t.Error(err)
	}
	if _, err := root.CPUStat(); err != nil {
		t.Error(err)
	}
	if _, err := root.State(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("root State = %v, want ErrNotExist (no cgroup.events)", err)
	}
	if err := root.Kill(); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("root Kill = %v, want ErrInvalid", err)
	}
	if err := root.Remove(context.Background(), nil); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("root Remove = %v, want ErrInvalid", err)
	}
	// Close is idempotent, and a closed Cgroup says so.
	r2, err := Open("/")
	if err != nil {
		t.Fatal(err)
	}
	if err := r2.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r2.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := r2.Procs(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Procs after Close = %v, want os.ErrClosed", err)
	}
}

func TestLiveOpenErrors(t *testing.T) {
	openRoot(t)
	for _, p := range []string{"no-slash", "/a\x00b", ""} {
		if _, err := Open(p); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Open(%q) = %v, want ErrInvalid", p, err)
		}
	}
	if _, err := Open("/lx-no-such-cgroup"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing) = %v, want ErrNotExist", err)
	}
	if _, err := Open("/../../etc"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(/../../etc) = %v, want ErrNotExist (cleaned to /etc)", err)
	}
	if _, err := OpenProcess(0); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("OpenProcess(0) = %v", err)
	}
	root := openRoot(t)
	for _, name := range []string{"", ".", "..", "a/b", "a\nb", strings.Repeat("x", 256)} {
		if _, err := root.NewChild(name); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("NewChild(%q) = %v, want ErrInvalid", name, err)
		}
	}
}

func TestLiveMoveProcess(t *testing.T) {
	root := openRoot(t)
	c := newTestCgroup(t)
	cmd := startSleep(t, nil)
	pid := cmd.Process.Pid
	before := procCgroup(t, pid)
	if err := c.MoveProcess(pid); err != nil {
		t.Fatal(err)
	}
	if got := procCgroup(t, pid); got != c.Path() {
		t.Errorf("after MoveProcess, /proc/%d/cgroup says %q, want %q", pid, got, c.Path())
	}
	procs, err := c.Procs()
	if err != nil || !slices.Equal(procs, []int{pid}) {
		t.Errorf("Procs = %v, %v; want [%d]", procs, err, pid)
	}
	threads, err := c.Threads()
	if err != nil || !slices.Equal(threads, []int{pid}) {
		t.Errorf("Threads = %v, %v; want [%d]", threads, err, pid)
	}
	if s, err := c.State(); err != nil || !s.Populated || s.Frozen {
		t.Errorf("State = %+v, %v; want populated", s, err)
	}
	byPID, err := OpenProcess(pid)
	if err != nil {
		t.Fatal(err)
	}
	if byPID.Path() != c.Path() || byPID.Dir() != c.Dir() {
		t.Errorf("OpenProcess = %s (%s), want %s (%s)", byPID.Path(), byPID.Dir(), c.Path(), c.Dir())
	}
	byPID.Close()
	// And out again, back where it was.
	back, err := Open(before)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if err := back.MoveProcess(pid); err != nil {
		t.Fatal(err)
	}
	if got := procCgroup(t, pid); got != before {
		t.Errorf("after moving back, /proc/%d/cgroup says %q, want %q", pid, got, before)
	}
	if procs, err := c.Procs(); err != nil || len(procs) != 0 {
		t.Errorf("Procs after moving out = %v, %v", procs, err)
	}
	if err := c.MoveProcess(1 << 30); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("MoveProcess(no such pid) = %v, want ESRCH", err)
	}
	if err := c.MoveProcess(-1); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("MoveProcess(-1) = %v, want ErrInvalid", err)
	}
	_ = root
}

func TestLiveCloneIntoCgroup(t *testing.T) {
	c := newTestCgroup(t)
	cmd := startSleep(t, c)
	if got := procCgroup(t, cmd.Process.Pid); got != c.Path() {
		t.Errorf("child started with CLONE_INTO_CGROUP is in %q, want %q", got, c.Path())
	}
	if n, err := c.Procs(); err != nil || len(n) != 1 {
		t.Errorf("Procs = %v, %v", n, err)
	}
}

func TestLiveFreezeThaw(t *testing.T) {
	c := newTestCgroup(t)
	cmd := startSleep(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Freeze(ctx); err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 2))
		t.Fatal(err)
	}
	if s, err := c.State(); err != nil || !s.Frozen {
		t.Errorf("State after Freeze = %+v, %v", s, err)
	}
	if b, err := os.ReadFile(c.Dir() + "/cgroup.freeze"); err != nil || string(b) != "1\n" {
		t.Errorf("cgroup.freeze = %q, %v", b, err)
	}
	// A frozen child of a frozen cgroup: Thaw of the child waits for the
	// parent; with a context that ends it says so.
	if err := c.Thaw(ctx); err != nil {
		t.Fatal(err)
	}
	if s, err := c.State(); err != nil || s.Frozen || !s.Populated {
		t.Errorf("State after Thaw = %+v, %v", s, err)
	}
	// The process still runs: it can be killed and reaped.
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err == nil {
		t.Error("sleep exited 0 after SIGTERM")
	}
}

func TestLiveFreezeContext(t *testing.T) {
	parent := newTestCgroup(t)
	child := newChildOf(t, parent)
	startSleep(t, child)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := parent.Freeze(ctx); err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 2))
		t.Fatal(err)
	}
	// The child is frozen by its parent: thawing it alone cannot finish.
	short, cancel2 := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel2()
	if err := child.Thaw(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Thaw under a frozen parent = %v, want DeadlineExceeded", err)
	}
	if err := parent.Thaw(ctx); err != nil {
		t.Fatal(err)
	}
	if err := child.Thaw(ctx); err != nil {
		t.Errorf("Thaw after the parent's = %v", err)
	}
}

func TestLiveKill(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		name := "cgroup.kill"
		if fallback {
			name = "walk"
		}
		t.Run(name, func(t *testing.T) {
			if fallback {
				killFile = "cgroup.kill.lx-test-missing"
				t.Cleanup(func() { killFile = "cgroup.kill" })
			}
			c := newTestCgroup(t)
			sub := newChildOf(t, c)
			a := startSleep(t, c)
			b := startSleep(t, sub)
			if err := c.Kill(); err != nil {
				testutil.SkipIfUnsupported(t, err, kernel.V(5, 14))
				t.Fatal(err)
			}
			for _, cmd := range []*exec.Cmd{a, b} {
				err := cmd.Wait()
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
					t.Errorf("sleep %d: Wait = %v, want killed by SIGKILL", cmd.Process.Pid, err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := c.waitState(ctx, func(s State) bool { return !s.Populated }); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestLiveRemove(t *testing.T) {
	root := openRoot(t)
	name := "lx-test-remove-" + strconv.Itoa(os.Getpid())
	c, err := root.NewChild(name)
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(4, 5))
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := root.NewChild(name); !errors.Is(err, fs.ErrExist) {
		t.Errorf("NewChild of an existing name = %v, want ErrExist", err)
	}
	sub, err := c.NewChild("sub")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	cmd := startSleep(t, sub)
	names, err := c.Children()
	if err != nil || !slices.Equal(names, []string{"sub"}) {
		t.Errorf("Children = %v, %v", names, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Remove(ctx, nil); !errors.Is(err, syscall.EBUSY) {
		t.Errorf("Remove of a cgroup with a child = %v, want EBUSY", err)
	}
	if err := sub.Remove(ctx, nil); !errors.Is(err, syscall.EBUSY) {
		t.Errorf("Remove of a populated cgroup = %v, want EBUSY", err)
	}
	if err := c.Remove(ctx, &RemoveOptions{Kill: true, Recursive: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.Dir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after Remove, stat %s = %v", c.Dir(), err)
	}
	cmd.Wait()
	// A removed cgroup's handle stays valid; its files are gone.
	if _, err := c.Procs(); err == nil {
		t.Error("Procs of a removed cgroup succeeded")
	}
}

func TestLiveRemoveReplaced(t *testing.T) {
	root := openRoot(t)
	c := newChildOf(t, root)
	// The cgroup is removed and another made under its name: the handle
	// still names the first, and Remove does not remove the second.
	if err := os.Remove(c.Dir()); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(c.Dir(), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(c.Dir()) })
	if err := c.Remove(context.Background(), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Remove of a replaced cgroup = %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(c.Dir()); err != nil {
		t.Errorf("the new cgroup is gone: %v", err)
	}
	if _, err := c.CPUStat(); err == nil {
		t.Error("CPUStat of a removed cgroup succeeded")
	}
}

func TestLiveEvents(t *testing.T) {
	c := newTestCgroup(t)
	cmd := startSleep(t, c)
	events := watchEvents(t, c, nil)
	if err := c.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if ev := nextEvent(t, events, Populated); ev.Old != 1 || ev.New != 0 {
		t.Errorf("populated event %v, want 1 -> 0", ev)
	}
	// Moving a process in is a change too. (Not CLONE_INTO_CGROUP: see
	// DirFile on kernels that kill such a child of a killed cgroup.)
	if err := c.MoveProcess(startSleep(t, nil).Process.Pid); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, events, Populated); ev.Old != 0 || ev.New != 1 {
		t.Errorf("populated event %v, want 0 -> 1", ev)
	}
}

func TestLiveEventsCancel(t *testing.T) {
	c := newTestCgroup(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	n := 0
	for _, err := range c.Events(ctx, &EventsOptions{Local: true}) {
		n++
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Events yielded %v, want context.Canceled", err)
		}
	}
	if n != 1 {
		t.Errorf("Events yielded %d times after cancel, want 1", n)
	}
}
