// Package spawn starts processes into new or existing namespaces, a
// cgroup, other credentials and resource limits, and returns a handle on
// a pidfd, without running any Go code in the child and without changing
// any thread that other goroutines use. (A child with a seccomp filter is
// the one exception: it starts as a fresh exec of the calling program,
// which loads the filter and execs the command; see Command.Seccomp.)
//
// # The model
//
// A [Command] describes the child: the program, its arguments,
// environment, working directory and files, and options. [Command.Start]
// turns the options into a plan of preparation steps in three places:
//
//   - on a disposable thread, before the fork (internal/thread, tainted
//     first, so that the runtime throws the thread away afterwards):
//     setns(2) into the namespaces to join, unshare(2) of a time
//     namespace whose offsets are written before its first process
//     exists, unshare(2) of a UTS namespace whose host name is set, the
//     capability bounding and inheritable sets and securebits,
//     prctl(PR_SET_NO_NEW_PRIVS), a Landlock restriction, and, for
//     CloseOtherFDs, a copy of the
//     fd table of the thread's own (unshare(CLONE_FILES)) in which every
//     fd is close-on-exec. The child inherits all of this from the
//     thread it is forked from;
//   - in syscall.SysProcAttr, which the standard library's fork path
//     carries out between clone(2) and execve(2) without running user
//     code: new namespaces (Cloneflags), id maps, CLONE_INTO_CGROUP,
//     setsid and the controlling terminal, credentials, the ambient
//     capabilities (raised after the credentials change, which would
//     clear them), the parent-death signal, the files and the working
//     directory;
//   - while the child is stopped after execve(2) and before its first
//     instruction (PTRACE_TRACEME through SysProcAttr.Ptrace; the forking
//     thread is the tracer): resource limits are set with prlimit(2),
//     then the tracer detaches.
//
// The fork always happens on a thread locked for the purpose (a pool
// thread that goes back to the pool when nothing was changed on it), never
// on the caller's: the child starts from the process's namespaces plus
// what the Command says, even when Start is called from a thread that
// has joined others (inside ns.Do, say). Use Command.Join for that.
//
// The returned [Process] holds the pidfd the clone itself returned
// (CLONE_PIDFD), adopted with pidfd.FromFileWithPID, so that it cannot
// name another process: Wait(ctx), Signal, Info and the rest of
// [pidfd.FD]. (With CloseOtherFDs the clone's pidfd is in the forking
// thread's private fd table: the Process then holds a pidfd opened with
// pidfd_open(2) right after the start, checked against the clone's.)
//
// # The Go-runtime traps, and what spawn does about them
//
//   - No user code may run between clone and exec in a multithreaded
//     program (golang/go#14180): everything the child needs is a
//     SysProcAttr field, state of the thread it is forked from, or done
//     to it from the parent while it is stopped.
//   - setns(2) and unshare(2) change only the calling thread, and Go
//     moves goroutines between threads: namespaces are joined on a
//     disposable thread, which is never given back to the runtime
//     (golang/go#20395), so no other goroutine ever runs in them. A mount
//     namespace can only be joined by a thread with its own filesystem
//     attributes: the thread calls unshare(CLONE_FS) first.
//   - A multithreaded process can neither join nor create a user
//     namespace (golang/go#22283), nor join a time namespace (EUSERS):
//     Join refuses both with an error matching errors.ErrUnsupported. A
//     child gets a new user namespace through its clone flags
//     (NewNamespaces with ns.CloneNewUser, and UIDMap, GIDMap), and a new
//     time namespace the same way or, with offsets, through unshare on
//     the thread. For a user namespace that outlives a child (idmapped
//     mounts), see ns.NewUser.
//   - A PID namespace created by unshare(CLONE_NEWPID) on a thread gets
//     as its init the first process forked there; since Go 1.23 the
//     first os.StartProcess of a program forks a probe child, which
//     would become that init and exit, after which every fork into the
//     namespace fails with ENOMEM. spawn never unshares a PID namespace:
//     a new one comes from CLONE_NEWPID in the clone, and a joined one
//     (setns) already has its init. spawn calls syscall.ForkExec, which
//     forks no probe child.
//   - The parent-death signal (PR_SET_PDEATHSIG) fires when the thread
//     that forked the child exits, not the process (golang/go#27505). A
//     disposable thread exits as soon as its work is done, and any pool
//     thread may exit later when a goroutine locked to it ends. So a child
//     with ParentDeathSignal is forked from a thread of its own that stays
//     locked and parked (blocked in poll(2) on the child's pidfd, using no CPU)
//     until the child has exited: the signal then comes exactly when the
//     process dies. That costs one OS thread per running child that asked
//     for the signal.
//   - Capability sets, no_new_privs and a Landlock restriction belong to
//     a thread, and capset(2), prctl(2) and landlock_restrict_self(2)
//     change the calling thread only (a Landlock restriction cannot be
//     undone): the disposable forking thread takes them, without
//     synchronising other threads, and the child inherits them at fork.
//   - The standard library does not run rlimit code in the child; a
//     process-wide setrlimit(2) around the fork would race with every
//     other goroutine's forks. spawn applies limits to the child
//     itself while it is stopped by ptrace before its first instruction;
//     see Command.Rlimits for what that costs and when it is refused.
//   - A seccomp filter on the forking thread would also filter the rest
//     of the fork path and whatever the runtime does on that thread, in
//     the caller's process: the child instead execs the calling program
//     as a helper that loads the filter on its own thread and execs the
//     command (Command.Seccomp).
//
// # Errors
//
// Invalid input gives an error matching fs.ErrInvalid before anything is
// started. Everything that fails afterwards is an [*Error] naming the
// [Step]. A failure inside the standard library's fork path comes back as
// a bare errno, whichever step caused it; spawn then finds the step by
// replaying the steps up to each one in a throwaway child that stops at a
// failing execve(2) (one fork per step, only after a failure).
//
// Minimum kernel: 5.3 (pidfd_open, CLONE_PIDFD); Process.Wait needs 5.4.
// Joining through a pidfd needs 5.8 (older kernels: one namespace at a
// time, see ns.OpenPidFD), Cgroup 5.7, time namespaces 5.6.
package spawn

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/lxgo/lx/cgroup"
	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/landlock"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/rlimit"
	"github.com/lxgo/lx/seccomp"
	"github.com/lxgo/lx/signal"
)

// Command is a process to start. The zero value of every option means
// "as the caller": same namespaces, cgroup, credentials, limits, session.
// A Command may be started more than once; Start does not change it.
type Command struct {
	// Path is the program, as execve(2) takes it: resolved by the kernel
	// in the child's mount namespace, relative to Dir if it has no
	// leading slash. There is no $PATH search (use exec.LookPath, which
	// looks in the caller's mount namespace).
	Path string
	// Args is the argument vector, Args[0] included; nil means
	// []string{Path}.
	Args []string
	// Env is the environment, "KEY=value" strings; nil means the
	// caller's (os.Environ), an empty non-nil slice an empty one.
	Env []string
	// Dir is the working directory, entered by the child (chdir(2), as
	// its final credentials) in its mount namespace; "" means the
	// caller's, or, when a mount namespace is joined, that namespace's
	// root.
	Dir string

	// Stdin, Stdout and Stderr become the child's fds 0, 1 and 2; nil
	// means /dev/null. ExtraFiles[i] becomes fd 3+i; a nil entry leaves
	// that number closed. The child gets the open file descriptions
	// themselves, so spawn, like os/exec, puts each in blocking mode
	// (os.File.Fd), which programs expect of their standard streams: the
	// caller's *os.File then no longer takes deadlines. Start does not
	// close them. Every other fd of the process stays out of the child
	// if it is close-on-exec, which every fd Go opens is; an fd the
	// program inherited without the flag (from its own parent) or made
	// without it (syscall.Dup, cgo) reaches the child too, as with
	// os/exec, unless CloseOtherFDs is set.
	Stdin, Stdout, Stderr *os.File
	ExtraFiles            []*os.File
	// CloseOtherFDs keeps every fd but Stdin, Stdout, Stderr and
	// ExtraFiles out of the child, close-on-exec or not. The forking
	// thread takes a copy of the fd table of its own (unshare(2)
	// CLONE_FILES) and marks every fd in it close-on-exec
	// (close_range(2) CLOSE_RANGE_CLOEXEC, Linux 5.11; before, fcntl(2)
	// on each fd listed in /proc/thread-self/fd), which leaves the
	// process's own table alone. The thread is then thrown away, which
	// costs a thread exit and, for the next start, the creation of a
	// thread (tens of microseconds on an idle machine, hundreds under
	// load; see docs/performance.md) when nothing else had it thrown
	// away already.
	CloseOtherFDs bool

	// NewNamespaces are the namespaces the child gets new (CLONE_NEW*
	// flags, any of the eight). They come from the clone itself
	// (clone(2), or clone3(2) for CLONE_NEWTIME), except a time
	// namespace with TimeOffsets and a UTS namespace with a Hostname,
	// which the forking thread creates (see there). A new user namespace
	// is created first, and owns the others the clone creates: an
	// unprivileged caller may create any of them together with
	// ns.CloneNewUser. Privilege otherwise: CAP_SYS_ADMIN in the caller's
	// user namespace.
	NewNamespaces ns.CloneFlags
	// UIDMap and GIDMap, with ns.CloneNewUser, map ids between the new
	// user namespace and the caller's (see ns.WriteUIDMap for who may
	// write what: an unprivileged caller may map only its own effective
	// uid and gid, one line each). They are written by the standard
	// library from the parent while the child waits, before it does
	// anything else. Empty means unmapped: every id is the overflow id
	// (65534) inside, and the child has no capabilities after execve.
	UIDMap, GIDMap ns.IDMap
	// Setgroups is the new user namespace's setgroups(2) policy, written
	// before GIDMap; the zero value means ns.SetgroupsDeny, the only
	// choice for an unprivileged caller. It matters only with a GIDMap.
	Setgroups ns.Setgroups
	// TimeOffsets, with ns.CloneNewTime, are the clock offsets of the new
	// time namespace. Offsets can be written only before a first process
	// enters the namespace, so the forking thread creates it
	// (unshare(CLONE_NEWTIME) makes it the thread's namespace for
	// children), writes /proc/TID/timens_offsets, and forks. The
	// namespace is then owned by the caller's user namespace, not by a
	// new one of the child's, and creating it needs CAP_SYS_ADMIN and
	// CAP_SYS_TIME there. It needs Linux 6.3, which let a vfork child
	// (Go's fork) start in a time namespace other than its parent's;
	// before, Start returns a *kernel.FeatureError. nil leaves the
	// offsets at zero and the namespace to the clone.
	TimeOffsets *ns.TimeOffsets
	// Hostname, with ns.CloneNewUTS, is the host name of the new UTS
	// namespace (at most 64 bytes; "" leaves the caller's). The forking
	// thread creates the namespace (unshare(CLONE_NEWUTS)) and sets the
	// name (sethostname(2)), since the child cannot: that needs
	// CAP_SYS_ADMIN in the caller's user namespace, and the namespace is
	// owned by it, so a child in a new user namespace cannot rename it.
	Hostname string

	// Join lists existing namespaces for the child to start in, at most
	// one of each type; see JoinProcess for a process's namespaces.
	// spawn borrows the handles during Start. The forking thread joins
	// them with setns(2) (after unshare(CLONE_FS) for a mount namespace,
	// which also makes its root the working directory Dir is relative
	// to); a PID namespace applies to the child only, which is what
	// setns does for pid_for_children. User and time namespaces cannot be
	// joined (see the package documentation): the error matches
	// errors.ErrUnsupported. A type cannot be both joined and new.
	// Privilege: CAP_SYS_ADMIN in the user namespace owning each
	// namespace, and, for a mount namespace, CAP_SYS_CHROOT and
	// CAP_SYS_ADMIN in the caller's.
	Join []*ns.Handle
	// JoinProcess joins namespaces of a running process, through its
	// pidfd; it combines with Join as long as no type is given twice.
	JoinProcess *JoinProcess

	// Cgroup is a cgroup v2 that the child starts in: clone3(2)
	// CLONE_INTO_CGROUP (Linux 5.7), so no instruction of the child runs
	// elsewhere. spawn borrows the handle during Start and does not close
	// it. The caller needs write permission on the cgroup's cgroup.procs
	// and on that of the common ancestor with its own cgroup, as for
	// moving a process (cgroup.Cgroup.MoveProcess). A cgroup with domain
	// controllers in its subtree_control cannot take processes (EBUSY),
	// and recent kernels kill every child started into a cgroup whose
	// cgroup.kill was ever written (see cgroup.Cgroup.DirFile). A kernel without CLONE_INTO_CGROUP is an
	// *Error at StepCgroup matching errors.ErrUnsupported, before
	// anything starts.
	Cgroup *cgroup.Cgroup
	// CgroupDir is Cgroup given as an open directory of a cgroup v2
	// (under the cgroup2 mount, such as /sys/fs/cgroup/unified/NAME on a
	// hybrid host), for a directory that did not come from package
	// cgroup (received from another process, say). spawn borrows the
	// file and does not close it. At most one of Cgroup and CgroupDir may
	// be set.
	CgroupDir *os.File

	// Credentials, when not nil, are the child's user and group ids and
	// supplementary groups: setgroups(2), setgid(2), setuid(2) in the
	// child, after the id maps and before chdir and execve. In a new
	// user namespace the ids are the namespace's own and must be mapped
	// by UIDMap and GIDMap (an error matching fs.ErrInvalid otherwise).
	// Privilege: CAP_SETUID and CAP_SETGID (in the child's user
	// namespace).
	Credentials *Credentials
	// Rlimits are set on the child before its program's first
	// instruction; resources not listed keep the caller's limits.
	//
	// Limits belong to a process and no code of the caller's may run in
	// the child, so spawn sets them from outside: the child is started
	// traced (SysProcAttr.Ptrace: PTRACE_TRACEME right before execve),
	// the kernel stops it with SIGTRAP once execve(2) has succeeded, and
	// the forking thread, its tracer, calls prlimit(2) for each resource
	// and detaches. A process-wide setrlimit(2) around the fork was
	// rejected: every other goroutine's children would inherit the
	// limits meanwhile. What that means:
	//
	//   - prlimit(2) needs the child to have the caller's user and group
	//     ids (no Credentials), or CAP_SYS_RESOURCE over the child's
	//     user namespace, which the caller has over a new one it made
	//     for the child. Raising a hard limit needs CAP_SYS_RESOURCE in
	//     the initial user namespace. A refusal is an *Error at
	//     StepRlimit naming the resource; the child is killed.
	//   - ptrace(2) must be allowed: a seccomp filter, or Yama's
	//     ptrace_scope 3 (2 without CAP_SYS_PTRACE), refuses
	//     PTRACE_TRACEME, which fails Start at StepTrace. spawn does not
	//     fall back, since no other way is race-free.
	//   - A set-user-ID or file-capability program started traced gets
	//     its privileges only if the caller has CAP_SYS_PTRACE over the
	//     child's user namespace, as with any traced execve(2).
	//   - Until the detach the child is traced by the caller: another
	//     debugger cannot attach, and a program that reaps every child
	//     (wait(-1)) must not do so meanwhile.
	Rlimits map[rlimit.Resource]rlimit.Limit
	// NoNewPrivs sets no_new_privs for the child (prctl(2)
	// PR_SET_NO_NEW_PRIVS, Linux 3.5): execve(2) grants it and its
	// descendants no privilege through set-user-ID bits or file
	// capabilities, for good. The flag is per thread and inherited over
	// fork: the forking thread sets it, and the runtime throws that thread
	// away afterwards. No privilege needed.
	NoNewPrivs bool
	// Capabilities, when not nil, are the child's bounding, inheritable
	// and ambient capability sets and securebits; see Capabilities for
	// how execve(2) turns them into the program's. The forking thread
	// changes its own sets, thread-scoped (capset(2) and prctl(2) act on
	// the calling thread only), and the runtime throws it away
	// afterwards: no other goroutine ever runs with them. Refused with
	// ns.CloneNewUser.
	Capabilities *Capabilities
	// Landlock, when not nil, restricts the child with the ruleset
	// (landlock_restrict_self(2), Linux 5.13; see landlock.Ruleset).
	// spawn borrows it during Start and does not close it. The forking
	// thread restricts itself last among its steps, right before the
	// fork, setting its no_new_privs first unless it has CAP_SYS_ADMIN;
	// the child inherits the restriction, and the runtime throws the
	// thread away afterwards. The child then execve(2)s under the ruleset:
	// it must allow executing Path (landlock.Execute) and reading the
	// program's loader and libraries (landlock.ReadFile), where it
	// handles those rights. The forking thread also writes a new user
	// namespace's id maps (/proc/PID/uid_map) after the fork, under the
	// ruleset: with UIDMap or GIDMap it must allow writing there, or
	// Start fails at StepUIDMap. Tracing the child for Rlimits, prlimit(2)
	// and CLONE_INTO_CGROUP are not affected. A closed ruleset fails Start
	// at StepLandlock (errors.Is os.ErrClosed) before anything is started;
	// one that restricts nothing (landlock.Ruleset.Restricts, a best-effort
	// ruleset on a kernel without Landlock) does nothing.
	Landlock *landlock.Ruleset
	// Seccomp, when not nil, is a seccomp filter (seccomp.Policy.Compile,
	// seccomp.ParseOCIProfile) the program starts under, with
	// no_new_privs (seccomp(2), Linux 3.5; no privilege needed). The
	// filter cannot be loaded on the forking thread like the options
	// above: it would apply to the rest of the fork path and to what the
	// Go runtime does on that thread until it is thrown away, where a
	// refusal could kill the caller. Instead the child execs the calling
	// program again (/proc/self/exe) as a helper, recognised by this
	// package's init function before main: it loads the filter on its
	// own locked thread and execve(2)s Path, which keeps that thread's
	// filter. Every other option applies to the helper and carries over
	// its exec (namespaces, credentials, capability sets and ambient
	// capabilities, rlimits, Landlock, files); so a Landlock ruleset must
	// also allow executing the calling program. Start returns once Path
	// is running, or with an *Error at StepSeccomp (loading failed) or
	// StepExec (execve of Path failed, its errno inside). The filter must
	// allow execve(2), which Start checks with seccomp.Program.Run before
	// anything starts (fs.ErrInvalid otherwise). The helper's argv[0] is
	// "lx-spawn-seccomp" and its environment has LX_SPAWN_SECCOMP, which
	// it removes: Path sees exactly Args and Env.
	Seccomp seccomp.Program
	// Session, when not nil, makes the child the leader of a new session
	// (setsid(2)), optionally with a controlling terminal.
	Session *Session
	// ParentDeathSignal, when not 0, is sent to the child when the caller
	// dies (PR_SET_PDEATHSIG). The child is forked from a thread that
	// stays parked until the child exits, so the signal does not fire
	// when some thread of the caller ends (see the package
	// documentation). A set-user-ID program clears the setting at exec.
	ParentDeathSignal signal.Signal
}

// JoinProcess names namespaces of a running process.
type JoinProcess struct {
	// PidFD is the process, a *pidfd.FD or an *os.File holding a pidfd;
	// spawn borrows it during Start. setns(2) on a pidfd (Linux 5.8)
	// joins all of Namespaces at once, as they are at that moment.
	PidFD ns.PidFD
	// PID, used when PidFD is nil, is the process's id (1..2^31-1): Start
	// opens a pidfd for it first, so a PID reused before that moment
	// names the new process, as any PID would.
	PID int
	// Namespaces are the types to join, CLONE_NEW* flags; not
	// ns.CloneNewUser or ns.CloneNewTime. For a PID namespace the
	// process's own (not its pid_for_children) becomes the child's.
	Namespaces ns.CloneFlags
}

// Credentials are the ids the child runs as.
type Credentials struct {
	UID cred.UID
	GID cred.GID
	// Groups are the supplementary groups; empty clears them, unless
	// KeepGroups is set.
	Groups []cred.GID
	// KeepGroups leaves the supplementary groups as they are (no
	// setgroups(2) call), for a caller without CAP_SETGID. Groups must
	// then be empty. In a new user namespace whose setgroups policy is
	// "deny" setgroups(2) cannot work: there Groups must be empty, and
	// the groups are always left as they are (shown as the overflow gid
	// inside unless mapped).
	KeepGroups bool
}

// Session says how the child's new session is set up.
type Session struct {
	// Terminal, when not nil, becomes the controlling terminal of the
	// new session (ioctl TIOCSCTTY, stealing it from another session if
	// the caller has CAP_SYS_ADMIN). It must be one of the child's files
	// (Stdin, Stdout, Stderr or in ExtraFiles), and a terminal.
	Terminal *os.File
}

// Process is a started child. It embeds the pidfd opened for it, owned
// by the Process: every method of pidfd.FD applies (Wait(ctx) to reap it
// and get its pidfd.ExitStatus, Signal, Kill, Info, PID, Namespace,
// Close, ...). Closing it does not affect the child; reap the child with
// Wait, or it stays a zombie until the caller exits.
type Process struct {
	*pidfd.FD
}

// Start starts the child and returns a handle on it; see the package
// documentation for how, and Command's fields for each option. It blocks
// until execve(2) has succeeded in the child (or failed), and, with
// Rlimits, until the limits are set.
func (c *Command) Start() (*Process, error) {
	p, err := c.plan()
	var e *Error
	if errors.As(err, &e) {
		return nil, err // it names the program and the step
	}
	if err != nil {
		return nil, fmt.Errorf("spawn %s: %w", c.Path, err)
	}
	defer p.close()
	return p.start()
}

// checkString rejects a string that cannot cross into C: a NUL byte.
func checkString(what, s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("%s %q holds a NUL byte: %w", what, s, fs.ErrInvalid)
	}
	return nil
}
