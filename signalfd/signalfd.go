// Package signalfd wraps signalfd(2): signals read from a file descriptor
// as typed records ([Siginfo]: sender, value, child status, fault
// address, seccomp system call, ...) instead of handled asynchronously,
// and who can have sent them ([Origin]).
//
// # What works in a Go program
//
// A signalfd returns only signals that are pending, and a signal stays
// pending only while it is blocked: a thread that does not block it takes
// it at once. The Go runtime installs a handler for every signal and
// unblocks most of them on every thread it starts, so a process-directed
// signal (kill(2), a terminal's ^C, a child's SIGCHLD) normally goes to
// the runtime, which hands it to os/signal or acts on it, and never
// reaches a signalfd. Two cases do work:
//
//   - A signal directed at one thread (tgkill(2), pthread_kill(3),
//     rt_tgsigqueueinfo(2), a per-thread POSIX timer) that this thread
//     blocks. [BlockThread] blocks the signals on the calling goroutine's
//     locked OS thread and returns a signalfd whose [FD.Read] must run on
//     that thread: a signalfd reads the signals pending for the process
//     and for the reading thread, and reports readiness the same way, so
//     the Go poller (which polls from another thread) cannot see them.
//     Read waits in poll(2) on the locked thread instead, still
//     cancellable by its context and by Close. The thread id to direct
//     signals at is [FD.Thread].
//   - A process whose runtime started with the signals already blocked
//     (a mask inherited across execve(2)). The runtime keeps such a
//     signal blocked in every thread it creates, if it is one of those it
//     lets a program block: SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGCONT,
//     SIGTSTP, SIGTTIN, SIGTTOU, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGWINCH,
//     SIGIO, SIGPWR and the real-time signals from 35 on. Such a process
//     reads its process-directed signals with [New] and [FD.Read] from
//     any goroutine, through the poller. [StartBlocked] starts a child
//     with a blocked mask, for a Go child (or any program) that reads its
//     signals this way.
//
// What cannot work: process-directed signals the runtime unblocks on
// every thread (SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGCHLD, SIGPROF,
// SIGURG, the synchronous SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP,
// SIGSYS, and 32 to 34) whatever the inherited mask, and every
// process-directed signal in a process started without it blocked:
// blocking a signal on every thread after the runtime has started is not
// possible, as threads it creates later unblock it again. For those use
// os/signal (signal.Notify, signal.NotifyContext); to learn that a child
// exited, wait on its pidfd (package pidfd), which needs no signal at
// all. Faults cannot be read at all: the kernel unblocks a signal it
// forces for a fault.
//
// An [FD] owns a close-on-exec, non-blocking signalfd (signalfd4(2),
// Linux 2.6.27; the SIGSYS fields of Siginfo 3.18). Records are decoded
// by the siginfo layouts of Linux 6.6 and later ([LayoutOf]). No
// privilege is needed. Close is idempotent and
// ends a blocked Read with an error matching os.ErrClosed.
package signalfd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"

	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/thread"
	"github.com/lxgo/lx/signal"
)

// ErrWrongThread is matched (with errors.Is) by the error of a Read on
// a thread FD (BlockThread) called from another OS thread than the one
// that blocked the signals: the call would never see them.
var ErrWrongThread = errors.New("signalfd read from a thread other than the one whose signals it reads")

// FD is a signalfd. It is safe for concurrent use, except that the Read
// of a thread FD must run on its thread.
type FD struct {
	pfd  *poll.FD
	set  signal.Set
	tid  int      // the thread of BlockThread; 0 for New
	wake *poll.FD // an eventfd that ends a thread FD's poll(2); nil for New

	closed atomic.Bool
}

// check refuses sets a signalfd must not take: empty ones, SIGKILL and SIGSTOP,
// which the kernel silently drops from the set (they cannot be blocked),
// and, for BlockThread, the signals Go's runtime needs on every thread:
// 32 to 34 (libc's SIGCANCEL and SIGSETXID, which
// syscall.AllThreadsSyscall uses and would wait for forever, musl's
// SIGSYNCCALL) and SIGURG (goroutine preemption).
func check(op string, set signal.Set, thread bool) error {
	if set == 0 {
		return fmt.Errorf("signalfd %s: empty signal set: %w", op, fs.ErrInvalid)
	}
	bad := set.Intersect(signal.SetOf(signal.Kill, signal.Stop))
	if thread {
		bad = bad.Union(set.Intersect(signal.SetOf(signal.Urg, 32, 33, 34)))
	}
	if bad != 0 {
		return fmt.Errorf("signalfd %s: %v cannot be read from a signalfd here: %w", op, bad, fs.ErrInvalid)
	}
	return nil
}

// New returns a signalfd for the signals of set, waiting through the
// poller. It changes no signal mask: it reads the process-directed
// signals of set that every thread blocks (see the package documentation
// for when that is so). Signals directed at one thread need BlockThread:
// the poller cannot see them. SIGKILL and
// SIGSTOP, which cannot be blocked, and an empty set are errors matching
// fs.ErrInvalid.
func New(set signal.Set) (*FD, error) {
	if err := check("new", set, false); err != nil {
		return nil, err
	}
	fd, err := sys.Signalfd(uint64(set))
	if err != nil {
		return nil, fmt.Errorf("signalfd new: %w", err)
	}
	pfd, err := poll.New(fd.File("signalfd"))
	if err != nil {
		return nil, fmt.Errorf("signalfd new: %w", err)
	}
	return &FD{pfd: pfd, set: set}, nil
}

// BlockThread blocks the signals of set on the calling OS thread
// (rt_sigprocmask(2) SIG_BLOCK, which affects that thread only) and
// returns a signalfd for them whose Read must run on the same thread.
// The calling goroutine must have called runtime.LockOSThread, and must
// end without unlocking while the signals stay blocked: the runtime then
// discards the thread and its pending signals, instead of running other
// goroutines on a thread with a changed mask. Close does not unblock
// anything (it may run on another thread).
//
// Besides SIGKILL and SIGSTOP, set must not hold the signals Go's runtime
// needs on each thread: SIGURG (preemption), 33 (which
// syscall.AllThreadsSyscall sends to every thread and would wait for
// forever, as glibc's setxid does in a cgo program), 32 and 34 (the C
// libraries' thread cancellation and musl's synchronous calls). Those and
// an empty set are errors matching fs.ErrInvalid. 34 is signal.RTMin,
// glibc's SIGRTMIN: real-time signals for a thread start at RTMin+1.
func BlockThread(set signal.Set) (*FD, error) {
	if err := check("block thread", set, true); err != nil {
		return nil, err
	}
	wfd, err := sys.Eventfd(0, sys.EFD_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("signalfd block thread: %w", err)
	}
	wake, err := poll.New(wfd.File("signalfd-wake"))
	if err != nil {
		return nil, fmt.Errorf("signalfd block thread: %w", err)
	}
	if _, err := sys.SigprocmaskBlock(uint64(set)); err != nil {
		wake.Close()
		return nil, fmt.Errorf("signalfd block thread: %w", err)
	}
	f, err := New(set)
	if err != nil {
		wake.Close()
		return nil, err
	}
	f.tid, f.wake = sys.Gettid(), wake
	return f, nil
}

// Signals returns the set the signalfd reads.
func (f *FD) Signals() signal.Set { return f.set }

// Thread returns the thread id of a BlockThread FD, the tid to direct
// signals at (tgkill(2) with os.Getpid()), and 0 for an FD from New.
func (f *FD) Thread() int { return f.tid }

// Read waits for one of the FD's signals, takes it from the pending
// signals and returns it. ctx cancels the wait (the error is ctx.Err()),
// and Close ends it with an error matching os.ErrClosed.
//
// An FD from New waits in the poller, from any goroutine. A BlockThread
// FD must be read on its thread (ErrWrongThread otherwise): it waits in
// poll(2) there, blocking the thread, which is locked to the caller
// anyway.
func (f *FD) Read(ctx context.Context) (Siginfo, error) {
	var s Siginfo
	var err error
	if f.tid == 0 {
		s, err = poll.ReadT(ctx, f.pfd, "read", readOne)
	} else {
		s, err = f.readThread(ctx)
	}
	if err != nil {
		return Siginfo{}, fmt.Errorf("signalfd read: %w", err)
	}
	return s, nil
}

// readOne reads and decodes one record; EAGAIN when none is pending.
func readOne(fd int) (Siginfo, error) {
	var b [Size]byte
	n, err := sys.SignalfdRead(fd, b[:])
	if err != nil {
		return Siginfo{}, err
	}
	return ParseSiginfo(b[:n])
}

// readThread is Read for a BlockThread FD.
func (f *FD) readThread(ctx context.Context) (Siginfo, error) {
	if tid := sys.Gettid(); tid != f.tid {
		return Siginfo{}, fmt.Errorf("%w (called on thread %d, the signals are blocked on thread %d: lock the goroutine with runtime.LockOSThread)", ErrWrongThread, tid, f.tid)
	}
	for {
		s, err := poll.ControlT(f.pfd, "read", readOne)
		if !errors.Is(err, syscall.EAGAIN) {
			return s, err
		}
		if err := ctx.Err(); err != nil {
			return Siginfo{}, err
		}
		stop := context.AfterFunc(ctx, f.wakeUp)
		err = f.pollThread()
		stop()
		if err != nil {
			return Siginfo{}, err
		}
	}
}

// pollThread waits in poll(2) on the calling thread until the signalfd
// or the wake eventfd is readable, and empties the latter. Both fds stay
// open meanwhile: Close waits for the Control calls to end.
func (f *FD) pollThread() error {
	_, err := poll.ControlT(f.pfd, "poll", func(fd int) (struct{}, error) {
		return poll.ControlT(f.wake, "poll", func(wake int) (struct{}, error) {
			ready, err := sys.PollInOrWake(fd, wake)
			if err == nil && !ready {
				_, err = sys.EventfdRead(wake)
				if errors.Is(err, syscall.EAGAIN) {
					err = nil // another reader emptied it
				}
			}
			return struct{}{}, err
		})
	})
	if f.closed.Load() {
		return &os.PathError{Op: "read", Path: "signalfd", Err: os.ErrClosed}
	}
	return err
}

// wakeUp ends a thread FD's poll(2).
func (f *FD) wakeUp() {
	poll.ControlT(f.wake, "write", func(fd int) (struct{}, error) {
		return struct{}{}, sys.EventfdWrite(fd, 1)
	})
}

// Close closes the signalfd; a blocked Read returns an error matching
// os.ErrClosed. It does not unblock signals (see BlockThread). Close is
// idempotent.
func (f *FD) Close() error {
	f.closed.Store(true)
	if f.wake != nil {
		f.wakeUp()
	}
	err := f.pfd.Close()
	if f.wake != nil {
		f.wake.Close()
	}
	return err
}

// SyscallConn returns the raw connection of the signalfd, for calls lx
// does not wrap. The fd is valid only inside Control; do not change its
// flags.
func (f *FD) SyscallConn() (syscall.RawConn, error) { return f.pfd.File().SyscallConn() }

// StartBlocked starts cmd (cmd.Start) with the signals of set blocked in
// its initial signal mask, which a program keeps across execve(2): a Go
// program started so keeps them blocked in every thread (for the signals
// the package documentation lists) and can read them with New. It forks
// from a locked OS thread that blocks set and is discarded afterwards;
// the calling thread's mask does not change. Go's os/exec gives the child
// the mask of the thread that forks (Go 1.10 and later).
func StartBlocked(cmd *exec.Cmd, set signal.Set) error {
	if err := check("start blocked", set, false); err != nil {
		return err
	}
	return thread.Run(func(t *thread.Thread) error {
		t.Taint()
		if _, err := sys.SigprocmaskBlock(uint64(set)); err != nil {
			return fmt.Errorf("signalfd start blocked: %w", err)
		}
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("signalfd start blocked: %w", err)
		}
		return nil
	})
}
