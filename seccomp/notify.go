package seccomp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"strconv"
	"syscall"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// A Listener is the supervisor's end of seccomp user notification,
// seccomp_unotify(2) (Linux 5.0): every system call for which a filter
// installed with the listener returns RetUserNotif stops its thread (the
// target) until the supervisor, which holds the Listener, answers it.
//
// The filter applies to the thread that installs it (or, with
// AllThreads, to the process) and to every child created after it, so
// the supervisor must not be among its targets: it would wait for
// itself. Two shapes work:
//
//   - The target creates the listener and passes it to a supervisor
//     process: the target calls InstallListener (with AllThreads, if
//     every thread is to be supervised), sends the listener's descriptor
//     over a unix socket (SCM_RIGHTS; SyscallConn gives it) and the
//     supervisor adopts it with ListenerFromFile. pidfd_getfd(2) also
//     works.
//   - A supervisor that starts the targets calls InstallListener on a
//     disposable OS thread (a goroutine that calls runtime.LockOSThread
//     and returns without unlocking, so that the runtime terminates the
//     thread afterwards), starts the target processes with os/exec from
//     that thread (Go forks on the calling thread, and the child inherits
//     the filter), and keeps the Listener. lx's own tests work so.
//
// Closing the Listener (when no duplicate of its descriptor remains)
// makes every pending and future notified call fail with ENOSYS in the
// targets.
//
// A Listener is safe for concurrent use; Receive calls are served one at
// a time. Another Listener for the same listener (a duplicate, or one in
// another process) is not coordinated with: when two receive at once,
// one of them may block its OS thread in the kernel until the next
// notification.
type Listener struct {
	pfd  *poll.FD
	size int           // the kernel's struct seccomp_notif
	recv chan struct{} // held by the one Receive that may call RECV
}

// ErrNotificationGone is the error, matched with errors.Is, of
// IDValid, Respond and AddFD when a notification is no longer valid: its
// target died, or a signal interrupted the system call (the target then
// sees EINTR, or restarts the call as a new notification). The error
// also matches syscall.ENOENT.
var ErrNotificationGone = errors.New("notification no longer valid (the target died or its system call was interrupted)")

// InstallListener installs prog on the calling thread as Install does
// (same no_new_privs, options and errors) and returns a Listener for the
// RetUserNotif actions of this filter, seccomp(2) SECCOMP_SET_MODE_FILTER
// with SECCOMP_FILTER_FLAG_NEW_LISTENER (Linux 5.0, no privilege). A
// thread can have only one filter with a listener among its filters:
// EBUSY otherwise. With AllThreads the call needs Linux 5.7
// (SECCOMP_FILTER_FLAG_TSYNC_ESRCH) and fails with ESRCH, installing
// nothing, when a thread cannot take the filter.
//
// InstallListener makes a few system calls after the filter is in place
// (fcntl(2) and epoll_ctl(2), to register the listener with Go's poller),
// and every later system call of the thread goes through the filter: a
// filter that notifies on those blocks the thread for good. See Listener
// for the shapes that work. The Listener's descriptor is close-on-exec.
// Before 5.0 the error is a *kernel.FeatureError.
func InstallListener(prog Program, opts *InstallOptions) (*Listener, error) {
	filter, flags, err := prepare("install listener", prog, opts)
	if err != nil {
		return nil, err
	}
	allThreads := opts != nil && opts.AllThreads
	if allThreads {
		// With a listener the return value is the listener's descriptor,
		// so a thread that cannot sync must be reported as ESRCH.
		flags |= sys.SECCOMP_FILTER_FLAG_TSYNC_ESRCH
	}
	// Asked before the filter is in place, which could intercept it.
	sizes, err := sys.ProbeSeccompNotifSizes()
	if err != nil {
		if sys.IsNotSupported(err) {
			return nil, &kernel.FeatureError{Feature: "seccomp user notification", MinKernel: kernel.V(5, 0), Err: err}
		}
		return nil, fmt.Errorf("seccomp: install listener: %w", err)
	}
	if err := sys.SetNoNewPrivs(); err != nil {
		return nil, fmt.Errorf("seccomp: install listener: %w", err)
	}
	fd, err := sys.SeccompNewListener(filter, flags)
	if err != nil {
		if allThreads && errors.Is(err, syscall.EINVAL) && !kernelAtLeast(kernel.V(5, 7)) {
			return nil, &kernel.FeatureError{Feature: "SECCOMP_FILTER_FLAG_TSYNC_ESRCH", MinKernel: kernel.V(5, 7), Err: err}
		}
		return nil, fmt.Errorf("seccomp: install listener: %w", err)
	}
	return newListener(fd, int(sizes.Notif))
}

// ListenerFromFile returns a Listener for the listener descriptor of f,
// one received from the process that installed the filter (see
// Listener). It uses a duplicate: the caller keeps f and may close it. It
// sets O_NONBLOCK on the shared open file description, which changes
// nothing for the listener's ioctls. A descriptor that is not a listener
// is not detected here: the first Receive fails (ENOTTY), or waits if
// the descriptor is never readable.
func ListenerFromFile(f *os.File) (*Listener, error) {
	sizes, err := sys.ProbeSeccompNotifSizes()
	if err != nil {
		if sys.IsNotSupported(err) {
			return nil, &kernel.FeatureError{Feature: "seccomp user notification", MinKernel: kernel.V(5, 0), Err: err}
		}
		return nil, fmt.Errorf("seccomp: listener: %w", err)
	}
	var fd *sys.FD
	if err := sys.Control(f, func(raw int) (err error) {
		fd, err = sys.Dup(raw)
		return err
	}); err != nil {
		return nil, fmt.Errorf("seccomp: listener: %w", err)
	}
	return newListener(fd, int(sizes.Notif))
}

// newListener hands a listener fd to the poller: readable means a
// notification is pending.
func newListener(fd *sys.FD, size int) (*Listener, error) {
	if err := sys.SetNonblock(fd.Int()); err != nil {
		fd.Close()
		return nil, fmt.Errorf("seccomp: listener: %w", err)
	}
	pfd, err := poll.New(fd.File("seccomp-listener"))
	if err != nil {
		return nil, fmt.Errorf("seccomp: listener: %w", err)
	}
	return &Listener{pfd: pfd, size: size, recv: make(chan struct{}, 1)}, nil
}

// kernelAtLeast reports whether the running kernel is v or later; an
// unknown version counts as later, so that the kernel's own error is
// reported.
func kernelAtLeast(v kernel.Version) bool {
	running, err := kernel.Running()
	return err != nil || running.AtLeast(v)
}

// Close closes the listener descriptor; blocked Receive calls return an
// error matching os.ErrClosed. Close is idempotent.
func (l *Listener) Close() error { return l.pfd.Close() }

// SyscallConn returns the raw connection of the listener descriptor, for
// passing it to another process (SCM_RIGHTS). The fd is valid only inside
// Control; do not change its flags.
func (l *Listener) SyscallConn() (syscall.RawConn, error) { return l.pfd.File().SyscallConn() }

// SetSyncWakeup makes Respond wake the target on the CPU of the
// responding thread, ioctl(2) SECCOMP_IOCTL_NOTIF_SET_FLAGS with
// SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6): the scheduler then
// hands the CPU from supervisor to target and back, which shortens each
// round trip for a supervisor that answers at once. It stays set for the
// listener's life. Before 6.6 the error is a *kernel.FeatureError.
func (l *Listener) SetSyncWakeup() error {
	_, err := poll.ControlT(l.pfd, "ioctl SECCOMP_IOCTL_NOTIF_SET_FLAGS", func(fd int) (struct{}, error) {
		return struct{}{}, sys.SeccompNotifSetFlags(fd, sys.SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP)
	})
	if err != nil {
		if errors.Is(err, syscall.EINVAL) && !kernelAtLeast(kernel.V(6, 6)) {
			return &kernel.FeatureError{Feature: "SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP", MinKernel: kernel.V(6, 6), Err: err}
		}
		return fmt.Errorf("seccomp: listener: sync wake-up: %w", err)
	}
	return nil
}

// A Notification is one intercepted system call, waiting for an answer.
type Notification struct {
	// ID is the kernel's cookie for the notification, unique for the
	// filter's life.
	ID uint64
	// PID is the target thread's id in the listener's PID namespace,
	// 0 if the thread is not visible there.
	PID int
	// Data is the system call as the filter saw it: number, ABI,
	// instruction pointer and arguments. Policy.Evaluate takes it.
	Data

	l *Listener
}

// String describes n for logs.
func (n *Notification) String() string {
	name, ok := n.Arch.Name(n.Nr)
	if !ok {
		name = "syscall " + n.Nr.String()
	}
	return "notification " + strconv.FormatUint(n.ID, 10) + ": pid " + strconv.Itoa(n.PID) + " " + name + " (" + n.Arch.String() + ")"
}

// Receive waits for the next notification, ioctl(2)
// SECCOMP_IOCTL_NOTIF_RECV, on Go's poller: a waiting Receive parks its
// goroutine, not a thread. It returns ctx.Err() when ctx ends first, an
// error matching os.ErrClosed after Close, and one matching
// os.ErrProcessDone once no task uses the filter any more, so that no
// notification can come (Linux 5.8; before, Receive waits for ctx then).
// A notification whose target went away before it was received is
// skipped.
//
// The notification must be answered (Respond, or AddFD with Send): until
// then its target thread stays stopped in the system call, in an
// interruptible sleep.
func (l *Listener) Receive(ctx context.Context) (*Notification, error) {
	select {
	case l.recv <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-l.recv }()
	n, err := poll.ReadT(ctx, l.pfd, "ioctl SECCOMP_IOCTL_NOTIF_RECV", func(fd int) (abi.SeccompNotif, error) {
		// RECV itself waits whatever O_NONBLOCK says: it is called only
		// when the poll says a notification is pending, and only here.
		pending, hup, err := sys.SeccompNotifPending(fd)
		switch {
		case err != nil:
			return abi.SeccompNotif{}, err
		case !pending && hup:
			return abi.SeccompNotif{}, os.ErrProcessDone
		case !pending:
			return abi.SeccompNotif{}, syscall.EAGAIN
		}
		n, err := sys.SeccompNotifRecv(fd, l.size)
		if errors.Is(err, syscall.ENOENT) {
			// Its target was interrupted after the poll.
			return abi.SeccompNotif{}, syscall.EAGAIN
		}
		return n, err
	})
	if errors.Is(err, os.ErrProcessDone) {
		return nil, fmt.Errorf("seccomp: receive: no task uses the filter any more: %w", os.ErrProcessDone)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		return nil, fmt.Errorf("seccomp: receive: %w", err)
	}
	return &Notification{
		ID:  n.ID,
		PID: int(n.PID),
		Data: Data{
			Nr:                 Syscall(uint32(n.Data.Nr)),
			Arch:               Arch(n.Data.Arch),
			InstructionPointer: n.Data.InstructionPointer,
			Args:               n.Data.Args,
		},
		l: l,
	}, nil
}

// gone turns ENOENT from a listener ioctl into ErrNotificationGone.
func gone(op string, id uint64, err error) error {
	if errors.Is(err, syscall.ENOENT) {
		return fmt.Errorf("seccomp: %s notification %d: %w (%w)", op, id, ErrNotificationGone, err)
	}
	return fmt.Errorf("seccomp: %s notification %d: %w", op, id, err)
}

// IDValid checks that notification id is still valid, ioctl(2)
// SECCOMP_IOCTL_NOTIF_ID_VALID (Linux 5.0): nil if its target still waits
// for the answer, an error matching ErrNotificationGone if not.
//
// It is the second half of the time-of-check/time-of-use rule: a
// supervisor that reads the target's memory (ReadMemory) calls IDValid
// after reading and before acting on what it read. Without the check,
// the target may have died and its PID been reused by another process,
// whose memory was read instead.
func (l *Listener) IDValid(id uint64) error {
	_, err := poll.ControlT(l.pfd, "ioctl SECCOMP_IOCTL_NOTIF_ID_VALID", func(fd int) (struct{}, error) {
		return struct{}{}, sys.SeccompNotifIDValid(fd, id)
	})
	if err != nil {
		return gone("check", id, err)
	}
	return nil
}

// IDValid is n's listener's IDValid(n.ID).
func (n *Notification) IDValid() error { return n.l.IDValid(n.ID) }

// responseKind tells the kinds of Response apart.
type responseKind uint8

const (
	respValue responseKind = iota
	respErrno
	respContinue
)

// A Response is the answer to a notification: Value, Errno or Continue.
// The zero Response is Value(0).
type Response struct {
	kind  responseKind
	value int64
	errno syscall.Errno
}

// Value answers that the system call returns v without being run.
func Value(v int64) Response { return Response{kind: respValue, value: v} }

// Errno answers that the system call fails with e without being run; e
// must be 1..4095 (MAX_ERRNO).
func Errno(e syscall.Errno) Response { return Response{kind: respErrno, errno: e} }

// Continue answers that the kernel runs the system call as if the
// filter had allowed it (SECCOMP_USER_NOTIF_FLAG_CONTINUE, Linux 5.5).
//
// Never use Continue to allow a call after checking what its pointer
// arguments point to: the target's other threads (or another process
// sharing the memory) can change the memory after the check and before
// the kernel reads it, so the call runs with arguments the supervisor
// never saw. seccomp_unotify(2) says so too. Continue is safe only for a
// decision that does not depend on the target's memory; for the others,
// the supervisor performs the call itself on the target's behalf (from
// the memory it read) and answers with Value, Errno or AddFD.
func Continue() Response { return Response{kind: respContinue} }

// String returns "continue", "errno(13)" or "value(3)", in the manner of
// Action's text form.
func (r Response) String() string {
	switch r.kind {
	case respContinue:
		return "continue"
	case respErrno:
		return "errno(" + strconv.FormatUint(uint64(r.errno), 10) + ")"
	}
	return "value(" + strconv.FormatInt(r.value, 10) + ")"
}

// Respond answers notification id with r, ioctl(2)
// SECCOMP_IOCTL_NOTIF_SEND (Linux 5.0): the target's system call returns.
// Errors match ErrNotificationGone when the notification is no longer
// valid, fs.ErrInvalid for an Errno out of range, and are a
// *kernel.FeatureError for Continue before Linux 5.5.
func (l *Listener) Respond(id uint64, r Response) error {
	resp := abi.SeccompNotifResp{ID: id}
	switch r.kind {
	case respValue:
		resp.Val = r.value
	case respErrno:
		if r.errno == 0 || r.errno > 4095 {
			return fmt.Errorf("seccomp: respond to notification %d: errno %d not 1..4095: %w", id, uint64(r.errno), fs.ErrInvalid)
		}
		resp.Error = -int32(r.errno)
	case respContinue:
		resp.Flags = sys.SECCOMP_USER_NOTIF_FLAG_CONTINUE
	}
	_, err := poll.ControlT(l.pfd, "ioctl SECCOMP_IOCTL_NOTIF_SEND", func(fd int) (struct{}, error) {
		return struct{}{}, sys.SeccompNotifSend(fd, resp)
	})
	if err != nil {
		if r.kind == respContinue && errors.Is(err, syscall.EINVAL) && !kernelAtLeast(kernel.V(5, 5)) {
			return &kernel.FeatureError{Feature: "SECCOMP_USER_NOTIF_FLAG_CONTINUE", MinKernel: kernel.V(5, 5), Err: err}
		}
		return gone("respond to", id, err)
	}
	return nil
}

// Respond is n's listener's Respond(n.ID, r).
func (n *Notification) Respond(r Response) error { return n.l.Respond(n.ID, r) }

// AddFDOptions are AddFD's optional settings. nil means the defaults:
// the lowest free descriptor number, not close-on-exec, no answer.
type AddFDOptions struct {
	// SetFD installs the file at number FD in the target
	// (SECCOMP_ADDFD_FLAG_SETFD), closing what was open there, as
	// dup2(2) does.
	SetFD bool
	// FD is the target's descriptor number with SetFD, 0..math.MaxInt32.
	FD int
	// CloseOnExec sets the target descriptor's close-on-exec flag.
	CloseOnExec bool
	// Send also answers the notification, atomically: the target's
	// system call returns the new descriptor number
	// (SECCOMP_ADDFD_FLAG_SEND, Linux 5.14). Do not Respond after it.
	// Without Send the notification still waits for Respond, and the
	// target cannot know the number unless the answer tells it.
	Send bool
}

// AddFD installs a duplicate of f in notification id's target, ioctl(2)
// SECCOMP_IOCTL_NOTIF_ADDFD (Linux 5.9), and returns its descriptor
// number in the target. f stays the caller's. This is how a supervisor
// that performs an open(2) or socket(2) on the target's behalf hands it
// the result. Errors match ErrNotificationGone when the notification is
// no longer valid, fs.ErrInvalid for an FD out of range, and are a
// *kernel.FeatureError before 5.9 (5.14 with Send); the target's
// RLIMIT_NOFILE may fail it with EMFILE or EBADF.
func (l *Listener) AddFD(id uint64, f *os.File, opts *AddFDOptions) (int, error) {
	if opts == nil {
		opts = &AddFDOptions{}
	}
	a := abi.SeccompNotifAddfd{ID: id}
	if opts.SetFD {
		if opts.FD < 0 || opts.FD > math.MaxInt32 {
			return -1, fmt.Errorf("seccomp: add fd to notification %d: target fd %d not 0..%d: %w", id, opts.FD, math.MaxInt32, fs.ErrInvalid)
		}
		a.Flags |= sys.SECCOMP_ADDFD_FLAG_SETFD
		a.Newfd = uint32(opts.FD)
	}
	if opts.CloseOnExec {
		a.NewfdFlags = syscall.O_CLOEXEC
	}
	if opts.Send {
		a.Flags |= sys.SECCOMP_ADDFD_FLAG_SEND
	}
	var n int
	err := sys.Control(f, func(src int) error {
		a.Srcfd = uint32(src)
		var err error
		n, err = poll.ControlT(l.pfd, "ioctl SECCOMP_IOCTL_NOTIF_ADDFD", func(fd int) (int, error) {
			return sys.SeccompNotifAddfd(fd, a)
		})
		return err
	})
	if err != nil {
		if errors.Is(err, syscall.EINVAL) {
			if !kernelAtLeast(kernel.V(5, 9)) {
				return -1, &kernel.FeatureError{Feature: "SECCOMP_IOCTL_NOTIF_ADDFD", MinKernel: kernel.V(5, 9), Err: err}
			}
			if opts.Send && !kernelAtLeast(kernel.V(5, 14)) {
				return -1, &kernel.FeatureError{Feature: "SECCOMP_ADDFD_FLAG_SEND", MinKernel: kernel.V(5, 14), Err: err}
			}
		}
		return -1, gone("add fd to", id, err)
	}
	return n, nil
}

// AddFD is n's listener's AddFD(n.ID, f, opts).
func (n *Notification) AddFD(f *os.File, opts *AddFDOptions) (int, error) {
	return n.l.AddFD(n.ID, f, opts)
}
