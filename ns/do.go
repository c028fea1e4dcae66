package ns

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/thread"
)

// Joining namespaces with setns(2). setns changes only the calling
// thread, and Go runs goroutines on a pool of threads, so both functions
// here do it on a disposable thread (internal/thread): a new goroutine
// locked to an OS thread that is marked tainted before the first setns,
// so that the runtime terminates it afterwards instead of giving it to
// other goroutines. The caller's goroutine and every other thread stay
// where they were.

// MultithreadedError is the refusal to enter a namespace that only a
// single-threaded process may enter, which a Go program never is (the
// runtime starts several threads before main): joining (setns(2)) or
// creating (unshare(2)) a user namespace, which the kernel refuses with
// EINVAL (golang/go#22283), and joining a time namespace, refused with
// EUSERS because the clock offsets are in the vDSO data of the whole
// address space. Do, DoPidFD and Unshare return it, and package spawn for
// a namespace a child should join, before any system call; the message
// says what to do instead. It matches errors.ErrUnsupported.
type MultithreadedError struct {
	// Type is User or Time.
	Type Type
}

func (e *MultithreadedError) Error() string {
	const prefix = "unsupported operation: "
	switch e.Type.Base() {
	case User:
		return prefix + "a user namespace can be joined (setns(2)) or created (unshare(2)) only by a " +
			"single-threaded process (the kernel says EINVAL), and a Go program always runs several " +
			"threads (golang/go#22283): start a process in a new one (CLONE_NEWUSER: NewNamespaces " +
			"with UIDMap and GIDMap in package spawn), or make one that outlives a process with ns.NewUser"
	case Time:
		return prefix + "a time namespace can be joined (setns(2)) only by a single-threaded process, " +
			"since its clock offsets are in the vDSO data of the whole address space (the kernel says " +
			"EUSERS), and a Go program always runs several threads: start a process in a new one " +
			"(CLONE_NEWTIME: NewNamespaces, with TimeOffsets, in package spawn)"
	}
	return prefix + "a " + e.Type.String() + " namespace needs a single-threaded process"
}

// Unwrap returns errors.ErrUnsupported.
func (e *MultithreadedError) Unwrap() error { return errors.ErrUnsupported }

// Joinable returns a *MultithreadedError for a user or time namespace (t
// or its Base), which a Go program cannot join, and nil for the other
// types.
func Joinable(t Type) error {
	switch t.Base() {
	case User, Time:
		return &MultithreadedError{Type: t.Base()}
	}
	return nil
}

// Do runs fn on a disposable thread that has joined the namespaces of
// handles (setns(2)), and returns fn's error or the error of joining.
//
// The thread is locked to fn and thrown away when fn returns (the runtime
// terminates it), so no other goroutine ever runs in the joined
// namespaces, and the caller's thread is untouched. What fn does on its own
// goroutine happens in the namespaces: open a socket in a network
// namespace, read a file in a mount namespace, start a process (os/exec
// forks from the calling thread, so the child inherits them). But
// goroutines that fn starts run on other threads, in the process's own
// namespaces, and fn runs on a goroutine of its own: a testing.T's
// FailNow inside it makes Do return an error instead of ending the test.
//
// At most one handle of each type may be given. For a mount namespace the
// thread first detaches from the filesystem attributes (root, working
// directory, umask) it shares with the other threads (unshare(CLONE_FS)),
// which setns(2) requires; fn starts at the new namespace's root. A PID
// namespace changes only where fn's children go (pid_for_children); the
// thread itself keeps its PID. User and time namespaces cannot be joined
// by a multithreaded process, which a Go program always is: they give an
// error matching errors.ErrUnsupported that says so, without starting
// anything.
//
// Privilege: CAP_SYS_ADMIN in the user namespace that owns each target
// namespace, and for a mount namespace CAP_SYS_CHROOT and CAP_SYS_ADMIN in
// the caller's own (setns(2)); otherwise an error matching
// fs.ErrPermission. Learning each handle's type needs NS_GET_NSTYPE (Linux
// 4.11).
func Do(fn func() error, handles ...*Handle) error {
	types := make([]Type, len(handles))
	var all CloneFlags
	for i, h := range handles {
		if h == nil {
			return fmt.Errorf("ns do: handle %d is nil: %w", i, fs.ErrInvalid)
		}
		t, err := h.Type()
		if err != nil {
			return fmt.Errorf("ns do: %w", err)
		}
		if err := Joinable(t); err != nil {
			return fmt.Errorf("ns do: join %v namespace %s: %w", t, h.name(), err)
		}
		if all&t.CloneFlag() != 0 {
			return fmt.Errorf("ns do: two %v namespaces given: %w", t, fs.ErrInvalid)
		}
		types[i], all = t, all|t.CloneFlag()
	}
	return thread.Run(func(th *thread.Thread) error {
		th.Taint()
		if all&CloneNewNS != 0 {
			if err := sys.Unshare(sys.CLONE_FS); err != nil {
				return fmt.Errorf("ns do: %w", err)
			}
		}
		for i, h := range handles {
			if err := h.control("setns", func(fd int) error {
				return sys.Setns(fd, int(types[i].CloneFlag()))
			}); err != nil {
				return fmt.Errorf("ns do: join %v namespace %s: %w", types[i], h.name(), err)
			}
		}
		return fn()
	})
}

// allFlags are the namespace flags setns(2) takes with a pidfd.
const allFlags = CloneNewTime | CloneNewNS | CloneNewCgroup | CloneNewUTS | CloneNewIPC |
	CloneNewUser | CloneNewPID | CloneNewNet

// DoPidFD runs fn on a disposable thread that has joined the namespaces
// named by flags of the process p refers to, and returns fn's error or the
// error of joining. It is Do for another process's namespaces, with the
// same rules, and race-free against PID reuse.
//
// Since Linux 5.8 one setns(2) on the pidfd joins all of them at once:
// either every namespace is joined or none is, and all are the process's
// at the same moment. For the PID namespace that is the process's own (not
// its pid_for_children), which becomes the thread's pid_for_children. When
// a mount namespace is among them the thread leaves the shared
// filesystem attributes first (unshare(CLONE_FS)), as for Do; this also
// matters for correctness, not only for the kernel's check: a setns(2) of
// several namespaces including the mount namespace through a pidfd is
// accepted while the thread shares its root and working directory with the
// other threads, and then moves all of them to the new namespace's root.
//
// On older kernels DoPidFD opens each namespace with OpenPidFD (which
// needs Linux 6.11 or a PID() method on p, see there) and joins them one
// by one as Do does. flags must not be empty and must hold only
// CLONE_NEW* flags (an error matching fs.ErrInvalid otherwise); user and
// time namespaces cannot be joined (see Do). A process that has exited
// gives an error matching os.ErrProcessDone.
func DoPidFD(p PidFD, flags CloneFlags, fn func() error) error {
	if flags == 0 || flags&^allFlags != 0 {
		return fmt.Errorf("ns do: invalid namespace flags %v: %w", flags, fs.ErrInvalid)
	}
	for t := Cgroup; t <= numTypes; t++ {
		if t.Base() == t && flags&t.CloneFlag() != 0 {
			if err := Joinable(t); err != nil {
				return fmt.Errorf("ns do: join %v namespace: %w", t, err)
			}
		}
	}
	if err := feature.SetnsPidfd.Check(); errors.Is(err, errors.ErrUnsupported) {
		return doOpened(p, flags, fn)
	}
	rc, err := p.SyscallConn()
	if err != nil {
		return fmt.Errorf("ns do: %w", err)
	}
	return thread.Run(func(th *thread.Thread) error {
		th.Taint()
		if flags&CloneNewNS != 0 {
			if err := sys.Unshare(sys.CLONE_FS); err != nil {
				return fmt.Errorf("ns do: %w", err)
			}
		}
		var err error
		if cerr := rc.Control(func(fd uintptr) { err = sys.Setns(int(fd), int(flags)) }); cerr != nil {
			err = cerr
		}
		if err != nil {
			if sys.Errno(err) == sys.ESRCH {
				err = fmt.Errorf("%w (%w)", os.ErrProcessDone, err)
			}
			return fmt.Errorf("ns do: join %v of pidfd: %w", flags, err)
		}
		return fn()
	})
}

// doOpened is DoPidFD before Linux 5.8: open, then Do.
func doOpened(p PidFD, flags CloneFlags, fn func() error) error {
	var handles []*Handle
	defer func() {
		for _, h := range handles {
			h.Close()
		}
	}()
	for t := Cgroup; t <= numTypes; t++ {
		if t.Base() == t && flags&t.CloneFlag() != 0 {
			h, err := OpenPidFD(p, t)
			if err != nil {
				return fmt.Errorf("ns do: %w", err)
			}
			handles = append(handles, h)
		}
	}
	return Do(fn, handles...)
}
