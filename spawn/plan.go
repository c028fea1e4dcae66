package spawn

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"sync"
	"syscall"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/thread"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/pidfd"
)

// A plan is what Start does for one Command, in the three places the
// package documentation describes. Each option adds its part in a
// prepareX method, listed in prepare; a new option is one more such
// method, which checks its input (errors matching fs.ErrInvalid) and
// adds any of:
//
//   - a threadStep, run in order on the forking thread before the fork,
//     for state the child inherits from the thread that forks it; one
//     that changes the thread for good sets taint. Capabilities (capset
//     and PR_CAPBSET_DROP are per thread), a seccomp filter loaded
//     without TSYNC and a landlock ruleset (landlock_restrict_self) are
//     such steps: the child inherits them over fork, and, on a tainted
//     thread, nothing else runs under them. A seccomp filter applies to
//     the rest of the fork path too (clone, the standard library's
//     child code up to execve, the steps below), so it is loaded last,
//     after no_new_privs.
//   - SysProcAttr fields in attr (AmbientCaps, for one), which the
//     standard library applies in the child between clone and execve;
//     diagnose then needs a stage for any that can fail.
//   - a stoppedStep, run in order on the child, by PID, while it is
//     stopped after execve and before its first instruction, for what
//     can be done to another process (prlimit).
//
// Errors of a step are reported as *Error with its Step; a new kind of
// step gets a Step constant.
type plan struct {
	path string
	argv []string
	env  []string
	dir  string
	// files are the child's fds by number; nil entries are closed.
	files []*os.File

	// attr is given to syscall.ForkExec; PidFD and the cgroup fd are
	// filled in at the fork.
	attr   syscall.SysProcAttr
	cgroup sys.SyscallConner // Cgroup or CgroupDir, borrowed
	// joined are the kinds of namespace the child joins.
	joined ns.CloneFlags
	// timeOffsets: the child starts in the forking thread's new time
	// namespace for children (TimeOffsets).
	timeOffsets bool

	// taint: a thread step changes the thread for good.
	taint bool
	// thread runs in order on the forking thread before the fork.
	thread []threadStep
	// stopped runs in order while the child is stopped after execve;
	// any makes attr.Ptrace true.
	stopped []stoppedStep
	// park keeps the forking thread until the child has exited
	// (ParentDeathSignal).
	park bool
	// landlock: the forking thread is restricted by a Landlock ruleset.
	landlock bool
	// seccomp: the child is the helper that loads Command.Seccomp and
	// execs the program (prepareSeccomp); status is the write end of its
	// report pipe during the fork, -1 otherwise.
	seccomp bool
	status  int
	// isolate gives the forking thread an fd table of its own, where
	// every fd not passed is close-on-exec (CloseOtherFDs).
	isolate bool

	// closers are what plan opened (/dev/null, pidfds, handles), closed
	// after the fork.
	closers []io.Closer
}

// threadStep is a preparation on the forking thread, which the child
// inherits.
type threadStep struct {
	step Step
	run  func(t *thread.Thread) error
}

// stoppedStep is a preparation applied to the child, by PID, while it is
// stopped after execve(2) and before its first instruction.
type stoppedStep struct {
	step Step
	run  func(pid int) error
}

// plan checks c and builds its plan. Errors are about c's contents and
// match fs.ErrInvalid, or come from opening what c names (a PID).
func (c *Command) plan() (*plan, error) {
	p := &plan{path: c.Path, argv: c.Args, env: c.Env, dir: c.Dir, status: -1}
	err := p.prepare(c)
	if err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// prepare runs every option's preparation.
func (p *plan) prepare(c *Command) error {
	for _, prepare := range []func(*Command) error{
		p.prepareProgram,
		p.prepareFiles,
		p.prepareJoin,
		p.prepareNamespaces,
		p.prepareCgroup,
		p.prepareCredentials,
		p.prepareSession,
		p.prepareCapabilities,
		p.prepareNoNewPrivs,
		p.prepareLandlock,
		p.prepareRlimits,
		p.prepareParentDeathSignal,
		p.prepareSeccomp,
	} {
		if err := prepare(c); err != nil {
			return err
		}
	}
	return nil
}

// pathMax and nameMax are the kernel's PATH_MAX (a path with its NUL)
// and the VFS's longest path component (NAME_MAX).
const (
	pathMax = 4096
	nameMax = 255
)

// prepareProgram checks the program, its arguments, environment and
// directory.
func (p *plan) prepareProgram(c *Command) error {
	if c.Path == "" {
		return fmt.Errorf("no program path: %w", fs.ErrInvalid)
	}
	if err := checkString("program path", c.Path); err != nil {
		return err
	}
	if p.argv == nil {
		p.argv = []string{c.Path}
	}
	for _, a := range p.argv {
		if err := checkString("argument", a); err != nil {
			return err
		}
	}
	if p.env == nil {
		p.env = os.Environ()
	}
	for _, e := range p.env {
		if err := checkString("environment entry", e); err != nil {
			return err
		}
	}
	// A directory within the kernel's limits cannot make chdir(2) fail
	// with ENAMETOOLONG, which diagnose relies on.
	if err := checkString("directory", c.Dir); err != nil {
		return err
	}
	if len(c.Dir) >= pathMax {
		return fmt.Errorf("directory of %d bytes, the kernel takes less than %d: %w", len(c.Dir), pathMax, fs.ErrInvalid)
	}
	for _, part := range splitPath(c.Dir) {
		if len(part) > nameMax {
			return fmt.Errorf("directory %q has a component of %d bytes, the kernel takes at most %d: %w", c.Dir, len(part), nameMax, fs.ErrInvalid)
		}
	}
	return nil
}

// splitPath returns the components of a slash-separated path.
func splitPath(path string) []string {
	var parts []string
	for start := 0; start < len(path); {
		end := start
		for end < len(path) && path[end] != '/' {
			end++
		}
		if end > start {
			parts = append(parts, path[start:end])
		}
		start = end + 1
	}
	return parts
}

// prepareFiles lays out the child's fds, opening /dev/null for missing
// standard streams.
func (p *plan) prepareFiles(c *Command) error {
	p.files = make([]*os.File, 0, 3+len(c.ExtraFiles))
	var null *os.File
	for _, f := range []*os.File{c.Stdin, c.Stdout, c.Stderr} {
		if f == nil {
			if null == nil {
				var err error
				if null, err = os.OpenFile(os.DevNull, os.O_RDWR, 0); err != nil {
					return err
				}
				p.closers = append(p.closers, null)
			}
			f = null
		}
		p.files = append(p.files, f)
	}
	p.files = append(p.files, c.ExtraFiles...)
	if c.CloseOtherFDs {
		p.isolate, p.taint = true, true
	}
	return nil
}

// prepareParentDeathSignal sets the signal and parks the forking thread.
func (p *plan) prepareParentDeathSignal(c *Command) error {
	if c.ParentDeathSignal == 0 {
		return nil
	}
	if c.ParentDeathSignal < 1 || c.ParentDeathSignal > 64 {
		return fmt.Errorf("parent death signal %d is not a signal (1..64): %w", int(c.ParentDeathSignal), fs.ErrInvalid)
	}
	p.attr.Pdeathsig = c.ParentDeathSignal.Sys()
	p.park = true
	return nil
}

// close closes what the plan opened.
func (p *plan) close() {
	for _, c := range p.closers {
		c.Close()
	}
	p.closers = nil
}

// started is the outcome of the forking thread's work, for Start. With
// an error, proc (if not nil) is closed by Start.
type started struct {
	proc *Process
	err  error
}

// openRequest asks Start's goroutine to open the child's pidfd, for a
// forking thread whose fd table is its own (CloseOtherFDs): an fd it
// opened would not exist for the rest of the process.
type openRequest struct {
	pid   int
	reply chan<- openResult
}

type openResult struct {
	fd  *pidfd.FD
	err error
}

// start runs the plan on a locked thread: the thread steps, the fork,
// the stopped steps, and the pidfd. With park, the thread then waits for
// the child to exit, after Start has returned.
func (p *plan) start() (*Process, error) {
	out := make(chan started, 1)
	var opens chan openRequest
	if p.isolate {
		opens = make(chan openRequest)
		startPoller()
	}
	body := func(t *thread.Thread) error {
		if p.taint {
			t.Taint()
		}
		c, err := p.run(t, opens)
		out <- started{c.proc, err}
		if err == nil && p.park {
			c.waitExit()
		}
		if c.clone >= 0 {
			sys.CloseRaw(c.clone)
		}
		return nil
	}
	if opens == nil && !p.park {
		_ = thread.Run(body)
	} else {
		go func() { _ = thread.Run(body) }()
	}
	for {
		select {
		case r := <-opens:
			fd, err := pidfd.Open(r.pid, nil)
			r.reply <- openResult{fd, err}
		case s := <-out:
			if s.err != nil && s.proc != nil {
				s.proc.Close()
				s.proc = nil
			}
			return s.proc, s.err
		}
	}
}

// startPoller makes sure the runtime's network poller exists before a
// thread takes a private fd table: the runtime creates its epoll and
// wakeup fds on whatever thread first needs them (the first pollable file,
// or the first timer), and fds created in a private table would not exist
// for the rest of the process. A pipe, opened and closed, starts it.
var startPoller = sync.OnceFunc(func() {
	if r, w, err := os.Pipe(); err == nil {
		r.Close()
		w.Close()
	}
})

// child is a started child as the forking thread knows it.
type child struct {
	proc  *Process
	pid   int
	clone int // the clone's pidfd, in the forking thread's fd table; -1 if none
}

// waitExit blocks the forking thread until the child has ended, without
// reaping it; the thread may then end and, only now, fire the
// parent-death signal of a child that no longer runs.
//
// It polls the clone's pidfd, which becomes readable when the child has
// exited (Linux 5.3): the Process shares its open file description in
// non-blocking mode, so a blocking waitid(2) on it would return EAGAIN.
func (c child) waitExit() {
	if c.clone >= 0 && sys.WaitReadable(c.clone) == nil {
		return
	}
	// No pidfd from the clone. The child cannot be reaped before it has
	// exited, so its PID names it until this wait returns.
	sys.WaitExitedNoReap(sys.P_PID, c.pid)
}

// run does the plan's work on the forking thread t. The caller closes
// c.clone, on this thread.
func (p *plan) run(t *thread.Thread, opens chan<- openRequest) (c child, err error) {
	c.clone = -1
	for _, s := range p.thread {
		if err := s.run(t); err != nil {
			return c, &Error{Path: p.path, Step: s.step, Err: err}
		}
	}
	if p.isolate {
		// From here on the thread has an fd table of its own, where
		// every fd but those the child gets is closed at exec.
		if err := sys.Unshare(sys.CLONE_FILES); err != nil {
			return c, &Error{Path: p.path, Step: StepFiles, Err: err}
		}
		if err := sys.CloexecFrom(3); err != nil {
			return c, &Error{Path: p.path, Step: StepFiles, Err: err}
		}
	}
	p.attr.Ptrace = len(p.stopped) > 0
	report := -1
	if p.seccomp {
		// The pipe is made here, in the table of fds the fork copies
		// (a private one with CloseOtherFDs), and read on this thread.
		if report, p.status, err = seccompPipe(); err != nil {
			return c, &Error{Path: p.path, Step: StepFiles, Err: err}
		}
	}
	path := p.path
	if p.seccomp {
		path = seccompHelperPath
	}
	pid, clone, err := p.fork(path, &p.attr, p.files)
	if p.status >= 0 {
		sys.CloseRaw(p.status)
		p.status = -1
	}
	if err != nil {
		if report >= 0 {
			sys.CloseRaw(report)
		}
		var e *Error
		if errors.As(err, &e) {
			return c, e
		}
		step := p.diagnose(err)
		return c, &Error{Path: p.path, Step: step, Err: landlockMapError(p.landlock, step, timeNamespaceError(p.timeOffsets, err))}
	}
	c.pid, c.clone = pid, clone
	if p.attr.Ptrace {
		if err := p.whileStopped(pid); err != nil {
			if report >= 0 {
				sys.CloseRaw(report)
			}
			abandon(pid, clone)
			return c, err
		}
	}
	if report >= 0 {
		if e := p.seccompResult(report); e != nil {
			abandon(pid, clone)
			return c, e
		}
	}
	fd, err := p.adopt(&c, opens)
	if fd != nil {
		c.proc = &Process{FD: fd}
	}
	if err != nil {
		abandon(pid, c.clone)
		return c, &Error{Path: p.path, Step: StepPidFD, Err: err}
	}
	return c, nil
}

// adopt returns the pidfd of the started child c for its Process. In the
// process's fd table that is the clone's own pidfd, whose PID is known:
// the Process takes it, and c.clone becomes the forking thread's
// duplicate when the thread stays parked (ParentDeathSignal), -1
// otherwise. In a private fd table (CloseOtherFDs) Start's goroutine
// opens a pidfd with pidfd_open(2) instead, which checkChild proves to
// name the child.
func (p *plan) adopt(c *child, opens chan<- openRequest) (*pidfd.FD, error) {
	if opens != nil || c.clone < 0 {
		var fd *pidfd.FD
		var err error
		if opens == nil {
			fd, err = pidfd.Open(c.pid, nil)
		} else {
			reply := make(chan openResult)
			opens <- openRequest{c.pid, reply}
			r := <-reply
			fd, err = r.fd, r.err
		}
		if err == nil {
			err = checkChild(c.pid, c.clone)
		}
		return fd, err
	}
	clone := c.clone
	if p.park {
		// The parked thread waits on its own descriptor (with poll(2):
		// the description becomes non-blocking).
		dup, err := sys.Dup(clone)
		if err != nil {
			return nil, err
		}
		c.clone = dup.Release()
	} else {
		c.clone = -1
	}
	return pidfd.FromFileWithPID(os.NewFile(uintptr(clone), "pidfd"), c.pid)
}

// fork calls syscall.ForkExec with the plan's directory, environment and
// the given program, attributes and files, on the calling thread. It
// returns the child's PID and the clone's pidfd (-1 if the kernel gave
// none), which the caller closes. A failure in the standard library's
// fork path is returned as the bare errno; other errors are *Error.
func (p *plan) fork(path string, attr *syscall.SysProcAttr, files []*os.File) (int, int, error) {
	fds := make([]uintptr, len(files), len(files)+1)
	for i, f := range files {
		fds[i] = ^uintptr(0) // -1: closed in the child
		if f == nil {
			continue
		}
		// Blocking mode, as os.StartProcess does: the child shares the
		// open file description (see Command.Stdin).
		if fds[i] = f.Fd(); fds[i] == ^uintptr(0) {
			return 0, -1, &Error{Path: p.path, Step: StepFiles, Err: fmt.Errorf("child fd %d (%s): %w", i, f.Name(), os.ErrClosed)}
		}
	}
	if p.status >= 0 {
		fds = append(fds, uintptr(p.status))
	}
	a := *attr
	clone := -1
	a.PidFD = &clone
	var pid int
	var err error
	forkExec := func() {
		pid, err = syscall.ForkExec(path, p.argv, &syscall.ProcAttr{Dir: p.dir, Env: p.env, Files: fds, Sys: &a})
	}
	if p.cgroup != nil && a.UseCgroupFD {
		// The cgroup's fd stays open (borrowed) for the fork.
		rc, rerr := p.cgroup.SyscallConn()
		if rerr != nil {
			return 0, -1, &Error{Path: p.path, Step: StepCgroup, Err: rerr}
		}
		if cerr := rc.Control(func(fd uintptr) { a.CgroupFD = int(fd); forkExec() }); cerr != nil {
			return 0, -1, &Error{Path: p.path, Step: StepCgroup, Err: cerr}
		}
	} else {
		forkExec()
	}
	runtime.KeepAlive(files)
	if err != nil {
		return 0, -1, err
	}
	return pid, clone, nil
}

// checkChild proves that the pidfd just opened for pid names the child:
// pidfd_open(2) of a child that has not been reaped cannot name another
// process, and signal 0 through the clone's own pidfd afterwards shows
// that nothing reaped it in between (a SIGCHLD set to SIG_IGN reaps
// children as they exit, and an init-like program may reap every child).
func checkChild(pid, clone int) error {
	if clone < 0 {
		return nil
	}
	if err := sys.PidfdSendSignal(clone, 0, nil, 0); err != nil && sys.Errno(err) != sys.EPERM {
		return fmt.Errorf("child %d was reaped before its pidfd was open: %w", pid, err)
	}
	return nil
}

// abandon kills and reaps a child that Start gives up on.
func abandon(pid, clone int) {
	if clone < 0 || sys.PidfdSendSignal(clone, syscall.SIGKILL, nil, 0) != nil {
		sys.Kill(pid, syscall.SIGKILL)
	}
	sys.Waitid(sys.P_PID, pid, sys.WEXITED|sys.WALL)
}

// timeNamespaceError makes the fork's EINVAL, on a kernel before 6.3
// and for a child of a thread with a new time namespace for children
// (TimeOffsets), a *kernel.FeatureError: before 6.3 copy_process refused
// CLONE_VM (Go's vfork) when the child's time namespace is not the
// forking thread's. A kernel that has the change backported forks, and
// never gets here.
func timeNamespaceError(timeOffsets bool, err error) error {
	if !timeOffsets || sys.Errno(err) != sys.EINVAL {
		return err
	}
	if running, verr := kernel.Running(); verr != nil || running.AtLeast(kernel.V(6, 3)) {
		return err
	}
	return &kernel.FeatureError{Feature: "starting a child in a time namespace with offsets (a vfork into the forking thread's time namespace for children)", MinKernel: kernel.V(6, 3), Err: err}
}
