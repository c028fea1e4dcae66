package ns

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
)

// TestDoJoinsEachType joins namespaces of every kind a Go program can join,
// one at a time and all at once, and checks that fn's thread is in them
// and the caller's is not.
func TestDoJoinsEachType(t *testing.T) {
	testutil.WithAdmin(t, func(t *testing.T) {
		hs, err := Unshare(CloneNewCgroup|CloneNewIPC|CloneNewNS|CloneNewNet|CloneNewUTS, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer closeAll(hs)
		// A PID namespace needs a process: a child made in a new one.
		cmd, _ := sleeper(t, syscall.CLONE_NEWPID)
		pid, err := OpenPID(cmd.Process.Pid, PID)
		if err != nil {
			t.Fatal(err)
		}
		defer pid.Close()
		for typ, h := range hs {
			t.Run(typ.String(), func(t *testing.T) { checkDo(t, map[Type]*Handle{typ: h}) })
		}
		t.Run("pid", func(t *testing.T) { checkDo(t, map[Type]*Handle{PIDForChildren: pid}) })
		t.Run("all", func(t *testing.T) {
			joined := map[Type]*Handle{PIDForChildren: pid}
			for typ, h := range hs {
				joined[typ] = h
			}
			checkDo(t, joined)
		})
	})
}

func closeAll(hs map[Type]*Handle) {
	for _, h := range hs {
		h.Close()
	}
}

// checkDo joins the namespaces of joined (by the type fn's thread should
// then show them as) and checks fn's thread and the caller's.
func checkDo(t *testing.T, joined map[Type]*Handle) {
	t.Helper()
	before := map[Type]ID{}
	var handles []*Handle
	for typ, h := range joined {
		before[typ] = idOf(t, current(t, typ))
		handles = append(handles, h)
	}
	var inside error
	err := Do(func() error {
		for typ, h := range joined {
			got, err := threadNS(typ)
			if err != nil {
				return err
			}
			if want, err := h.ID(); got != want || err != nil {
				inside = errors.Join(inside, fmt.Errorf("fn's thread is in %v namespace %v, want %v (%v)", typ, got, want, err))
			}
		}
		// Joining a PID namespace moves the children, not the thread.
		if joined[PIDForChildren] != nil {
			if got, _ := threadNS(PID); got != before[PIDForChildren] {
				inside = errors.Join(inside, fmt.Errorf("fn's thread moved to PID namespace %v", got))
			}
		}
		return nil
	}, handles...)
	if err != nil {
		t.Fatal(err)
	}
	if inside != nil {
		t.Error(inside)
	}
	for typ, id := range before {
		if got, _ := threadNS(typ); got != id {
			t.Errorf("after Do the caller's thread is in %v namespace %v, was %v", typ, got, id)
		}
	}
}

func TestDoReturnsFnError(t *testing.T) {
	errFn := errors.New("fn failed")
	if err := Do(func() error { return errFn }); err != errFn {
		t.Errorf("Do = %v, want fn's error unchanged", err)
	}
}

// User and time namespaces cannot be joined by a multithreaded process:
// Do says so without trying, whoever asks.
func TestDoRefusesUserAndTime(t *testing.T) {
	for _, c := range []struct {
		typ  Type
		want string
	}{{User, "golang/go#22283"}, {Time, "EUSERS"}, {TimeForChildren, "EUSERS"}} {
		h := current(t, c.typ)
		ran := false
		err := Do(func() error { ran = true; return nil }, h)
		if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), c.want) || ran {
			t.Errorf("Do(%v) = %v (fn ran: %v), want ErrUnsupported explaining %s", c.typ, err, ran, c.want)
		}
		var me *MultithreadedError
		if !errors.As(err, &me) || me.Type != c.typ.Base() {
			t.Errorf("Do(%v) = %v, want a *MultithreadedError for %v", c.typ, err, c.typ.Base())
		}
	}
	_, pidfd := sleeper(t, 0)
	for _, flags := range []CloneFlags{CloneNewUser, CloneNewTime | CloneNewNet} {
		if err := DoPidFD(pidfd, flags, func() error { return nil }); !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("DoPidFD(%v) = %v, want ErrUnsupported", flags, err)
		}
	}
}

func TestDoInvalid(t *testing.T) {
	net := current(t, Net)
	if err := Do(func() error { return nil }, net, current(t, Net)); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Do with two network namespaces = %v", err)
	}
	if err := Do(func() error { return nil }, nil); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Do(nil handle) = %v", err)
	}
	_, pidfd := sleeper(t, 0)
	for _, flags := range []CloneFlags{0, 0x100, CloneNewNet | 1} {
		if err := DoPidFD(pidfd, flags, func() error { return nil }); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("DoPidFD(%v) = %v, want fs.ErrInvalid", flags, err)
		}
	}
}

// TestDoLeavesNoTaintedThread: while and after many Do calls run, across
// GOMAXPROCS threads and thousands of goroutines, no goroutine outside fn
// ever runs on a thread in the joined namespaces.
func TestDoLeavesNoTaintedThread(t *testing.T) {
	testutil.WithAdmin(t, func(t *testing.T) {
		hs, err := Unshare(CloneNewNet|CloneNewUTS|CloneNewNS, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer closeAll(hs)
		joined := map[Type]ID{}
		var handles []*Handle
		for typ, h := range hs {
			joined[typ] = idOf(t, h)
			handles = append(handles, h)
		}
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))

		// check runs n goroutines that each look at the namespaces of
		// the thread they run on.
		check := func(n int) error {
			errs := make(chan error, n)
			var wg sync.WaitGroup
			for range n {
				wg.Go(func() {
					for typ, id := range joined {
						if got, err := threadNS(typ); err != nil || got == id {
							errs <- fmt.Errorf("goroutine on thread %d is in the joined %v namespace (%v)", sys.Gettid(), typ, err)
							return
						}
						runtime.Gosched()
					}
				})
			}
			wg.Wait()
			close(errs)
			return <-errs
		}

		var wg sync.WaitGroup
		doErrs := make(chan error, 64)
		for range 64 {
			wg.Go(func() {
				doErrs <- Do(func() error {
					for typ, id := range joined {
						if got, err := threadNS(typ); err != nil || got != id {
							return fmt.Errorf("fn's thread not in the joined %v namespace: %v %v", typ, got, err)
						}
					}
					runtime.Gosched() // let the scheduler try to run others here
					return nil
				}, handles...)
			})
		}
		during := check(2000)
		wg.Wait()
		close(doErrs)
		for err := range doErrs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if during != nil {
			t.Errorf("while Do ran: %v", during)
		}
		for round := range 5 {
			if err := check(2000); err != nil {
				t.Fatalf("after Do, round %d: %v", round, err)
			}
		}
	})
}

// TestDoPidFD joins the namespaces of a child through its pidfd, several
// at once.
func TestDoPidFD(t *testing.T) {
	testutil.WithAdmin(t, func(t *testing.T) {
		flags := CloneNewNS | CloneNewUTS | CloneNewNet | CloneNewIPC
		cmd, pidfd := sleeper(t, uintptr(flags))
		want := map[Type]ID{}
		for _, typ := range []Type{Mnt, UTS, Net, IPC} {
			h, err := OpenPID(cmd.Process.Pid, typ)
			if err != nil {
				t.Fatal(err)
			}
			want[typ] = idOf(t, h)
			h.Close()
		}
		wd, err := syscall.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		if err := DoPidFD(pidfd, flags, func() error {
			for typ, id := range want {
				if got, err := threadNS(typ); err != nil || got != id {
					return fmt.Errorf("fn's thread in %v namespace %v, want %v (%v)", typ, got, id, err)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for typ, id := range want {
			if got, _ := threadNS(typ); got == id {
				t.Errorf("the caller's thread is in the child's %v namespace", typ)
			}
		}
		// Regression: setns(pidfd, CLONE_NEWNS|others) from a thread that
		// shares its filesystem attributes succeeds and moves every
		// thread's root and working directory to the new namespace's
		// root. DoPidFD unshares CLONE_FS first.
		if got, err := syscall.Getwd(); got != wd || err != nil {
			t.Errorf("working directory after DoPidFD = %q, %v; was %q", got, err, wd)
		}
		cmd.Process.Kill()
		cmd.Wait()
		if err := DoPidFD(pidfd, CloneNewNet, func() error { return nil }); !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("DoPidFD of a reaped process = %v, want os.ErrProcessDone", err)
		}
	})
}
