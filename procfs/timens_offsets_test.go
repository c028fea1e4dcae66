package procfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/internal/thread"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/ns"
)

func TestTimeOffsetsSelf(t *testing.T) {
	p := Default().Self()
	got, err := p.TimeOffsets()
	testutil.SkipIfUnsupported(t, err, kernel.Version{Major: 5, Minor: 6})
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("no time namespaces:", err)
	}
	text, rerr := os.ReadFile("/proc/self/timens_offsets")
	if rerr != nil {
		t.Fatal(rerr)
	}
	if want, werr := ns.ParseTimeOffsets(text); err != nil || werr != nil || got != want {
		t.Errorf("TimeOffsets() = %v, %v; the file says %q", got, err, text)
	}
}

// timensResult is what TestTimeOffsetsNewNamespace's locked thread saw.
type timensResult struct {
	err          error // unshare(CLONE_NEWTIME) or setting the offsets failed
	tid          int
	byTID        ns.TimeOffsets // /proc/TID/timens_offsets
	byTIDErr     error
	taskErr      error // /proc/PID/task/TID/timens_offsets, which does not exist
	forChildren  uint64
	child        *exec.Cmd // started from the thread: in the new namespace
	childErr     error
	childRunning io.Closer // its stdin
}

// TestTimeOffsetsNewNamespace creates a time namespace for the children
// of a thread of its own (the thread is thrown away afterwards), sets
// its offsets, and reads them back through the thread and through a
// child started from it, which lives in the namespace.
func TestTimeOffsetsNewNamespace(t *testing.T) {
	want := ns.TimeOffsets{Monotonic: 86400 * time.Second, Boottime: -2500 * time.Millisecond}
	results := make(chan timensResult)
	go func() {
		// A disposable thread (never the main thread), thrown away
		// afterwards: no other goroutine runs in its time namespace for
		// children.
		thread.Run(func(th *thread.Thread) error {
			th.Taint()
			r := timensResult{tid: th.TID()}
			if r.err = syscall.Unshare(0x80); r.err != nil { // CLONE_NEWTIME
				results <- r
				return nil
			}
			if r.err = ns.SetTimeOffsets(r.tid, want); r.err != nil {
				results <- r
				return nil
			}
			if p, err := Default().Proc(r.tid); err != nil {
				r.byTIDErr = err
			} else {
				r.byTID, r.byTIDErr = p.TimeOffsets()
				r.forChildren, _ = p.Namespace(ns.TimeForChildren)
			}
			if th, err := Default().Self().Thread(r.tid); err != nil {
				r.taskErr = err
			} else {
				_, r.taskErr = th.TimeOffsets()
			}
			// os/exec forks from the calling thread: the child starts in the
			// thread's time namespace for children. No Pdeathsig: it would
			// fire when this thread ends.
			r.child = exec.Command("/proc/self/exe")
			r.child.Env = []string{sleeperEnv + "=1"}
			stdin, err := r.child.StdinPipe()
			if err != nil {
				r.childErr = err
				results <- r
				return nil
			}
			r.childRunning = stdin
			stdout, err := r.child.StdoutPipe()
			if err == nil {
				err = r.child.Start()
			}
			if err == nil {
				_, err = io.ReadFull(stdout, make([]byte, 1))
			}
			r.childErr = err
			results <- r
			return nil
		})
	}()
	r := <-results
	testutil.SkipIfUnsupported(t, r.err, kernel.Version{Major: 5, Minor: 6})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.child != nil && r.child.Process != nil {
		t.Cleanup(func() {
			r.childRunning.Close()
			r.child.Process.Kill()
			r.child.Wait()
		})
	}
	if r.byTIDErr != nil || r.byTID != want {
		t.Errorf("/proc/%d/timens_offsets: %v, %v; want %v", r.tid, r.byTID, r.byTIDErr, want)
	}
	if !errors.Is(r.taskErr, fs.ErrNotExist) || errors.Is(r.taskErr, os.ErrProcessDone) {
		t.Errorf("/proc/PID/task/%d/timens_offsets: %v, want fs.ErrNotExist", r.tid, r.taskErr)
	}
	if r.childErr != nil {
		// Before 6.3, which let a vfork child (CLONE_VM|CLONE_VFORK, Go's
		// fork) start in another time namespace because it switches at
		// exec, copy_process refused CLONE_VM when the child's time
		// namespace is not the parent's.
		if running, err := kernel.Running(); errors.Is(r.childErr, syscall.EINVAL) && err == nil && !running.AtLeast(kernel.V(6, 3)) {
			t.Skipf("kernel %s: no vfork into another time namespace before 6.3: %v", running, r.childErr)
		}
		t.Fatal(r.childErr)
	}
	p := mustProc(t, Default(), r.child.Process.Pid)
	if got, err := p.TimeOffsets(); err != nil || got != want {
		t.Errorf("child's TimeOffsets() = %v, %v; want %v", got, err, want)
	}
	if got, err := p.Namespace(ns.Time); err != nil || got != r.forChildren {
		t.Errorf("child's time namespace %d, %v; the thread's for children is %d", got, err, r.forChildren)
	}
}
