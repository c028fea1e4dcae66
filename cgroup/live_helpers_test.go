package cgroup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// inGuest reports whether the test runs in a vmtest guest, where every
// controller is in the unified hierarchy and nothing may skip.
func inGuest() bool { return os.Getenv("LX_VMTEST_GUEST") == "1" }

// openRoot opens the root of the unified hierarchy, skipping the test
// where there is none (a v1-only host; never in a guest).
func openRoot(t *testing.T) *Cgroup {
	t.Helper()
	root, err := Open("/")
	if err != nil {
		if !inGuest() && errors.Is(err, fs.ErrNotExist) {
			t.Skipf("no cgroup v2 hierarchy: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root
}

var childSeq atomic.Int64

// newTestCgroup creates a child of the unified root for the test and
// removes it, with whatever processes and cgroups it holds then, when the
// test ends. It skips when the caller may not create cgroups.
func newTestCgroup(t *testing.T) *Cgroup {
	t.Helper()
	root := openRoot(t)
	return newChildOf(t, root)
}

// newChildOf creates a uniquely named child of parent, removed at the end
// of the test.
func newChildOf(t *testing.T, parent *Cgroup) *Cgroup {
	t.Helper()
	name := fmt.Sprintf("lx-test-%d-%d", os.Getpid(), childSeq.Add(1))
	c, err := parent.NewChild(name)
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.Remove(ctx, &RemoveOptions{Kill: true, Recursive: true}); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("remove test cgroup: %v", err)
		}
		c.Close()
	})
	return c
}

// startSleep starts "sleep 1000" (a process of the test's own, never the
// test itself), in cg when cg is not nil (CLONE_INTO_CGROUP). The process
// is killed and reaped when the test ends.
func startSleep(t *testing.T, cg *Cgroup) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "1000")
	if cg != nil {
		f, err := cg.DirFile()
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(f.Fd())}
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sleep: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// procCgroup returns the v2 line of /proc/PID/cgroup, read by the test
// itself.
func procCgroup(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			return p
		}
	}
	t.Fatalf("/proc/%d/cgroup has no v2 line:\n%s", pid, b)
	return ""
}

// requireController makes sure that c's children get controller,
// enabling it in c's cgroup.subtree_control (and, for the root, disabling
// it again when the test ends) if needed. It skips where the hierarchy
// does not have the controller, except in a guest.
func requireController(t *testing.T, c *Cgroup, ctrl Controller) {
	t.Helper()
	avail, err := c.Controllers()
	if err != nil {
		t.Fatal(err)
	}
	if !avail.Has(ctrl) {
		if inGuest() {
			t.Fatalf("the guest's %s has no %s controller: %v", c.Path(), ctrl, avail)
		}
		t.Skipf("the %s controller is not in this host's cgroup v2 hierarchy (%v)", ctrl, avail)
	}
	enabled, err := c.SubtreeControl()
	if err != nil {
		t.Fatal(err)
	}
	if enabled.Has(ctrl) {
		return
	}
	if _, err := c.SetSubtreeControl(Controllers{ctrl}, nil); err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Another test of this run may still use it: only the last
		// disable succeeds, the others see EBUSY.
		if _, err := c.SetSubtreeControl(nil, Controllers{ctrl}); err != nil && !errors.Is(err, syscall.EBUSY) {
			t.Errorf("restore %s cgroup.subtree_control: %v", c.Path(), err)
		}
	})
}

// waitFor polls cond every 20 ms until it holds, failing the test after a
// minute: for states the kernel reaches asynchronously and does not
// notify (cpu.stat counters).
func waitFor(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within a minute", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// watchEvents iterates c.Events in a goroutine and returns its events
// (errors fail the test). It returns once the iteration is known to
// watch: Events reads the files when it starts, and a change before that
// is no event, so watchEvents freezes and thaws c until a Frozen event
// comes, and leaves c thawed. The iteration ends when the test does.
func watchEvents(t *testing.T, c *Cgroup, opts *EventsOptions) <-chan Event {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan Event, 256)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev, err := range c.Events(ctx, opts) {
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					t.Errorf("events: %v", err)
				}
				return
			}
			ch <- ev
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	for frozen := true; ; frozen = !frozen {
		var err error
		if frozen {
			err = c.Freeze(wctx)
		} else {
			err = c.Thaw(wctx)
		}
		if err != nil {
			testutil.SkipIfUnsupported(t, err, kernel.V(5, 2))
			t.Fatal(err)
		}
		select {
		case ev := <-ch:
			if ev.Kind != Frozen {
				t.Fatalf("first event %v, want a frozen change", ev)
			}
			if err := c.Thaw(wctx); err != nil {
				t.Fatal(err)
			}
			// Leave the thaw's own event, if any, out of the caller's.
			for {
				select {
				case ev := <-ch:
					if ev.Kind != Frozen {
						t.Fatalf("event %v before the test acted", ev)
					}
					continue
				case <-time.After(100 * time.Millisecond):
				}
				return ch
			}
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// nextEvent returns the next event of kind from ch, skipping others,
// failing the test after a minute.
func nextEvent(t *testing.T, ch <-chan Event, kind EventKind) Event {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case ev := <-ch:
			if ev.Kind == kind {
				return ev
			}
			t.Logf("event %v", ev)
		case <-timeout:
			t.Fatalf("no %v event within a minute", kind)
		}
	}
}

// helperCommand returns the test binary as a helper (helperEnv), to be
// started directly in c through CLONE_INTO_CGROUP, and the cgroup
// directory it uses, for the caller to close once it started.
func helperCommand(t *testing.T, c *Cgroup, mode string) (*exec.Cmd, *os.File) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.DirFile()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(f.Fd())}
	return cmd, f
}

// runHelper runs the test binary as a helper (helperEnv) directly in c
// until it exits and returns its standard output. A helper that fails
// fails the test with its standard error.
func runHelper(t *testing.T, c *Cgroup, mode string) string {
	t.Helper()
	cmd, f := helperCommand(t, c, mode)
	defer f.Close()
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("helper %s: %v\n%s", mode, err, ee.Stderr)
		}
		t.Fatalf("helper %s: %v", mode, err)
	}
	return string(out)
}

// startHelper starts the test binary as a helper (helperEnv) directly in
// c, and returns it with a writer to its standard input. It is killed
// and reaped when the test ends.
func startHelper(t *testing.T, c *Cgroup, mode string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd, f := helperCommand(t, c, mode)
	defer f.Close()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd, stdin
}
