// Package thread runs a function on a locked OS thread that is thrown away
// afterwards if the function left kernel state on it that cannot be undone.
//
// Some kernel state belongs to a thread, not to the process: namespaces
// joined with setns(2) or created with unshare(2), credentials and
// capabilities set with the raw capset(2)/setresuid(2) calls, CPU affinity
// (sched_setaffinity(2) on tid 0), memory policy (set_mempolicy(2)), a
// seccomp filter installed without SECCOMP_FILTER_FLAG_TSYNC, and the root
// and working directory after unshare(CLONE_FS). Go multiplexes goroutines
// over a pool of threads, so such a change made from an ordinary goroutine
// leaks into whatever goroutines the runtime later schedules on that
// thread.
//
// Run gives fn a thread of its own: a new goroutine calls
// runtime.LockOSThread and runs fn. If fn calls Taint, the goroutine exits
// still locked, and the runtime terminates the thread instead of returning
// it to the pool (Go 1.10 and later, golang/go#20395). If it does not, the
// thread is unlocked and reused, which is cheap; a tainted thread costs a
// thread exit and, later, the creation of a replacement.
//
// Things to know:
//
//   - Goroutines started by fn do not run on the locked thread and see
//     none of its state. Everything that must see the state runs in fn
//     itself, including, for example, the fork of a child that should
//     inherit it (os/exec's fork happens on the calling thread).
//   - The runtime creates new threads from a clean template thread, not
//     from a locked one (golang/go#20676), so tainted state does not spread
//     to threads created while fn runs.
//   - fn never runs on the process's main thread. The runtime cannot
//     terminate that thread, only park it forever, and /proc/PID/ns/*,
//     /proc/PID/root and /proc/PID/cwd, which other programs read to learn
//     a process's namespaces and root, show the main thread's state.
//   - fn must not call runtime.UnlockOSThread.
//   - Some state cannot be made thread-local at all: a multithreaded
//     process cannot unshare(CLONE_NEWUSER) or setns into a user namespace
//     (EINVAL), whatever thread it uses.
package thread

import (
	"errors"
	"runtime"

	"github.com/lxgo/lx/internal/sys"
)

// Thread is the locked OS thread that Run's function runs on. It is valid
// only during that function, and only on its goroutine.
type Thread struct {
	tid     int
	tainted bool
}

// TID is the thread's kernel thread id, as gettid(2) returns it on the
// thread.
func (t *Thread) TID() int { return t.tid }

// Taint marks the thread as changed beyond repair: when the function
// returns, the thread is terminated instead of going back to the runtime's
// pool. Call it before the first change, so that a failure or panic half
// way leaves no half-changed thread behind; calling it again does nothing.
func (t *Thread) Taint() { t.tainted = true }

// errGoexit is what Run returns when fn ends its goroutine with
// runtime.Goexit (t.FailNow, for one) instead of returning.
var errGoexit = errors.New("thread: function called runtime.Goexit")

// Run runs fn on a new goroutine locked to an OS thread, waits for it, and
// returns fn's error. The thread goes back to the runtime's pool unless fn
// called t.Taint, in which case it is terminated.
//
// If fn panics, the thread is treated as tainted and Run panics with the
// same value in the caller's goroutine (the stack trace then shows Run's
// caller, not the place of the original panic). If fn calls
// runtime.Goexit, the thread is treated as tainted and Run returns an
// error.
func Run(fn func(t *Thread) error) error {
	ch := make(chan outcome, 1)
	go run(fn, ch)
	o := <-ch
	if o.panicked {
		panic(o.value)
	}
	return o.err
}

// outcome is how fn ended.
type outcome struct {
	err      error
	panicked bool
	value    any
}

// run is the body of Run's goroutine.
func run(fn func(t *Thread) error, ch chan<- outcome) {
	runtime.LockOSThread()
	tid := sys.Gettid()
	if tid == sys.Getpid() {
		// This is the main thread. Keep it, locked, while a second
		// goroutine runs fn: that one cannot be scheduled here.
		inner := make(chan outcome, 1)
		go run(fn, inner)
		o := <-inner
		runtime.UnlockOSThread()
		ch <- o
		return
	}
	t := &Thread{tid: tid}
	var o outcome
	returned := false
	defer func() {
		if !returned {
			t.tainted = true
			// recover is nil for runtime.Goexit: since Go 1.21
			// panic(nil) panics with a *runtime.PanicNilError.
			if v := recover(); v != nil {
				o.panicked, o.value = true, v
			} else {
				o.err = errGoexit
			}
		}
		if !t.tainted {
			runtime.UnlockOSThread()
		}
		// Exiting while locked terminates the thread. The goroutine
		// ends right after this send; no other goroutine can run on
		// the locked thread in between.
		ch <- o
	}()
	o.err = fn(t)
	returned = true
}
