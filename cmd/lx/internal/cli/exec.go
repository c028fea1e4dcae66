package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/lxgo/lx/cgroup"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/pidfd"
	lxsignal "github.com/lxgo/lx/signal"
	"github.com/lxgo/lx/spawn"
)

func init() { register(func() Command { return &execCommand{cgroups: cgroup.Default()} }) }

// execCommand is `lx exec`: unshare(1) and nsenter(1) in one, with a
// cgroup.
type execCommand struct {
	cgroups cgroup.FS

	newNS    nsTypeList // --ns
	joinPID  int        // --join; 0 for none
	joinNS   nsTypeList // --join-ns
	mapRoot  bool       // --map-root
	cgroup   string     // --cgroup
	hostname string     // --hostname
}

func (c *execCommand) SetFlags(fs *flag.FlagSet) {
	fs.Var(&c.newNS, "ns", "give the command new namespaces of these `types` (comma-separated; repeatable): cgroup, ipc, mnt, net, pid, time, user, uts")
	fs.IntVar(&c.joinPID, "join", 0, "start the command in the namespaces of the process `pid` (those that differ from lx's, or --join-ns)")
	fs.Var(&c.joinNS, "join-ns", "with --join, join exactly these namespace `types` of the process (comma-separated; repeatable)")
	fs.BoolVar(&c.mapRoot, "map-root", false, "a new user namespace (implies --ns user) where the command is root: lx's uid and gid map to 0")
	fs.StringVar(&c.cgroup, "cgroup", "", "start the command in this cgroup v2: a `path` such as /a/b, or its directory under the cgroup2 mount")
	fs.StringVar(&c.hostname, "hostname", "", "the host `name` of a new UTS namespace (implies --ns uts)")
}

func (*execCommand) Name() string { return "exec" }
func (*execCommand) Synopsis() string {
	return "run a command in new or joined namespaces and a cgroup, with its exit status"
}
func (*execCommand) Usage() string { return "[flags] [--] <command> [arguments]" }
func (*execCommand) runsCommand()  {}
func (*execCommand) Help() string {
	return `Runs a command in new namespaces, in the namespaces of another process, or
both, and in a cgroup, as unshare(1) and nsenter(1) do, and exits with its
status. Flags end at the command: 'lx exec --ns net ip link' gives ip its
own arguments, and '--' may separate them too.

New namespaces: --ns takes the namespace types of /proc/PID/ns: cgroup,
ipc, mnt, net, pid, time, user, uts (comma-separated or repeated). They
come from the clone that starts the command (clone3 for time). A new user
namespace comes first and owns the others, so that any user may create
them all together with it ('--ns user,net,mnt', unprivileged user
namespaces permitting). --map-root makes one in which the command is root
(like 'unshare -r'): lx's effective uid and gid map to 0, with
setgroups denied; without it the command's ids there are the overflow
ids (65534) and it has no capabilities after exec. --hostname sets the
host name of a new UTS namespace (implied): lx creates the namespace on
the thread that forks the command and sets the name there. In a new PID
namespace the command is PID 1, its init: see Signals below.

Joining: --join PID starts the command in the namespaces of process PID,
through a pidfd opened for it (setns(2) on the pidfd, Linux 5.8: all at
once, as they are at that moment; before 5.8 one namespace at a time).
Without --join-ns lx joins each of the process's cgroup, ipc, mnt, net,
pid and uts namespaces that differs from its own and is not among --ns.
A Go program cannot join a user or time namespace (it is multithreaded;
the kernel allows that only to a single-threaded process): when the
process is in other ones, lx says so on stderr and the command stays in
lx's. --join-ns names the types to join exactly (user and time are
refused). Joining a mount namespace makes the command start at that
namespace's root directory; a command name without a slash is then
looked up in $PATH under /proc/PID/root. Joining needs CAP_SYS_ADMIN
over the namespaces (root, in practice).

Cgroup: --cgroup starts the command in an existing cgroup v2 directly
(clone3 CLONE_INTO_CGROUP, Linux 5.7): no instruction of it runs
elsewhere. The path is the cgroup's path in the v2 hierarchy as
/proc/PID/cgroup shows it ("/a/b"), or its directory below the cgroup2
mount ("/sys/fs/cgroup/unified/a/b" on a hybrid host). It needs write
access to the cgroup's cgroup.procs. 'lx cgroup run' makes a fresh
cgroup with limits instead.

The command: without a slash it is looked up in $PATH, as a shell does.
It gets lx's standard input, output and error, its environment and
working directory, and stays in lx's process group and session, so that
it is the terminal's foreground job as lx was.

Exit status: the command's exit code; 128+N when signal N killed it, as
shells report it (143 for SIGTERM, 137 for SIGKILL, 130 for SIGINT). When
lx cannot run the command the status is 127 if it was not found, 126 if
it could not be executed (no permission, not an executable), and 125 for
any other failure or a wrong lx command line, as env(1) does; the
message on stderr names the step that failed ("join namespaces",
"clone", "enter cgroup", "write uid map", "exec", ...).

Signals: while the command runs, lx does not die of SIGINT, SIGQUIT,
SIGTERM or SIGHUP; it waits for the command and exits with its status.
Ctrl-C and Ctrl-\ on a terminal reach the command directly (the terminal
signals its foreground process group, which the command shares with
lx), so lx leaves SIGINT and SIGQUIT to it and does not send them again.
SIGTERM and SIGHUP, usually sent to lx alone (kill(1), a supervisor, a
hang-up), lx passes on to the command. The init of a new PID namespace
(--ns pid) gets only the signals it has a handler for, SIGKILL aside
(pid_namespaces(7)): a command that does not handle SIGINT or SIGTERM
does not stop for them there. If lx itself is killed with SIGKILL, the
command goes on running.

--json changes nothing: lx exec prints only what the command prints.`
}

// joinAll are the namespaces --join joins without --join-ns, when they
// differ from lx's.
var joinAll = []ns.Type{ns.Cgroup, ns.IPC, ns.Mnt, ns.Net, ns.PID, ns.UTS}

func (c *execCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return Usagef("no command to run")
	}
	cmd := &spawn.Command{Args: args, NewNamespaces: c.newNS.cloneFlags()}
	if c.mapRoot {
		cmd.NewNamespaces |= ns.CloneNewUser
		cmd.UIDMap = ns.IDMap{{Inside: 0, Outside: uint32(os.Geteuid()), Count: 1}}
		cmd.GIDMap = ns.IDMap{{Inside: 0, Outside: uint32(os.Getegid()), Count: 1}}
		cmd.Setgroups = ns.SetgroupsDeny
	}
	if c.hostname != "" {
		cmd.NewNamespaces |= ns.CloneNewUTS
		cmd.Hostname = c.hostname
	}
	if c.joinNS.cloneFlags() != 0 && c.joinPID == 0 {
		return Usagef("--join-ns needs --join PID")
	}
	if bad := c.joinNS.cloneFlags() & (ns.CloneNewUser | ns.CloneNewTime); bad != 0 {
		return Usagef("--join-ns: lx cannot join user or time namespaces (%v): a multithreaded process may not, and a Go program is one; --ns user or --ns time gives the command new ones", bad)
	}
	var mntOf int // the process whose mount namespace the command starts in
	if c.joinPID != 0 {
		if err := kernel.CheckPID(c.joinPID); err != nil {
			return Usagef("--join: %v", err)
		}
		if both := c.joinNS.cloneFlags() & cmd.NewNamespaces; both != 0 {
			return Usagef("--join-ns and --ns (or --map-root, --hostname) both name %v", both)
		}
		fd, err := pidfd.Open(c.joinPID, nil)
		if err != nil {
			return fmt.Errorf("--join: %w", err)
		}
		defer fd.Close()
		flags := c.joinNS.cloneFlags()
		if flags == 0 {
			if flags, err = c.differing(env, fd, cmd.NewNamespaces); err != nil {
				return err
			}
		}
		if flags != 0 {
			cmd.JoinProcess = &spawn.JoinProcess{PidFD: fd, Namespaces: flags}
		}
		if flags&ns.CloneNewNS != 0 {
			mntOf = c.joinPID
		}
	}
	if c.cgroup != "" {
		cg, err := openCgroupArg(c.cgroups, "--cgroup", c.cgroup)
		if err != nil {
			return err
		}
		defer cg.Close()
		cmd.Cgroup = cg
	}
	path, err := lookPath(args[0], mntOf)
	if err != nil {
		return &exitError{code: ExitNotFound, err: err}
	}
	cmd.Path = path
	r := &childRun{env: env, sigs: takeSignals()}
	defer r.sigs.release()
	defer r.finish()
	st, err := r.runToEnd(cmd)
	if err != nil {
		return err
	}
	return &exitError{code: statusCode(st)}
}

// differing returns the namespaces --join joins by default: those of
// joinAll in which the process behind fd is not where lx is, leaving out
// the types in skip (new ones). It notes on stderr a user or time
// namespace lx cannot join.
func (c *execCommand) differing(env *Env, fd *pidfd.FD, skip ns.CloneFlags) (ns.CloneFlags, error) {
	var flags ns.CloneFlags
	for _, t := range append(joinAll, ns.User, ns.Time) {
		if skip&t.CloneFlag() != 0 {
			continue
		}
		same, err := sameNamespace(fd, t)
		if errors.Is(err, fs.ErrNotExist) && t == ns.Time {
			continue // a kernel without time namespaces
		}
		if err != nil {
			return 0, fmt.Errorf("--join: %w", err)
		}
		switch {
		case same:
		case t == ns.User || t == ns.Time:
			fmt.Fprintf(env.Stderr, "lx exec: process %d is in another %v namespace, which lx cannot join "+
				"(a multithreaded process may not): the command stays in lx's\n", c.joinPID, t)
		default:
			flags |= t.CloneFlag()
		}
	}
	return flags, nil
}

// sameNamespace reports whether the process behind fd is in lx's own
// namespace of type t.
func sameNamespace(fd *pidfd.FD, t ns.Type) (bool, error) {
	theirs, err := ns.OpenPidFD(fd, t)
	if err != nil {
		return false, err
	}
	defer theirs.Close()
	ours, err := ns.OpenPID(os.Getpid(), t)
	if err != nil {
		return false, err
	}
	defer ours.Close()
	a, err := theirs.ID()
	if err != nil {
		return false, err
	}
	b, err := ours.ID()
	if err != nil {
		return false, err
	}
	return a == b, nil
}

// lookPath finds the program name as a shell would: a name with a slash
// is a path; otherwise the first executable file of that name in a
// directory of $PATH. With mntOf, a process whose mount namespace the
// program starts in, the directories are looked up under its
// /proc/PID/root, and the path returned is the one inside.
func lookPath(name string, mntOf int) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	if mntOf == 0 {
		p, err := exec.LookPath(name)
		if errors.Is(err, exec.ErrDot) {
			return p, nil // a shell runs it too
		}
		if err != nil {
			return "", fmt.Errorf("%s: command not found in $PATH", quoteArg(name))
		}
		return p, nil
	}
	root := "/proc/" + strconv.Itoa(mntOf) + "/root"
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if !strings.HasPrefix(dir, "/") {
			continue
		}
		p := filepath.Join(dir, name)
		if st, err := os.Stat(root + p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: command not found in $PATH under %s", quoteArg(name), root)
}

// openCgroupArg opens the cgroup v2 that a command-line argument names:
// a path in the hierarchy ("/a/b"), or a directory below the cgroup2
// mount ("/sys/fs/cgroup/unified/a/b").
func openCgroupArg(fsys cgroup.FS, flagName, arg string) (*cgroup.Cgroup, error) {
	if !strings.HasPrefix(arg, "/") {
		return nil, Usagef("%s %s: want a cgroup path such as /a/b, or a directory below the cgroup2 mount", flagName, quoteArg(arg))
	}
	m, err := fsys.UnifiedMount()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flagName, err)
	}
	p := arg
	if rest, ok := strings.CutPrefix(filepath.Clean(arg), m.Point); ok && (rest == "" || rest[0] == '/') {
		p = filepath.Join(m.Root, rest)
	}
	cg, err := fsys.Open(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flagName, err)
	}
	return cg, nil
}

// takenSignals are the signals lx handles itself while it runs a
// command (see 'lx help exec'): taken over before anything is set up, so
// that a hang-up cannot kill lx between creating something (a cgroup, a
// child) and cleaning it up.
type takenSignals chan os.Signal

func takeSignals() takenSignals {
	s := make(takenSignals, 8)
	signal.Notify(s, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGHUP)
	return s
}

// release gives the signals back to their default handling (SIGINT and
// SIGTERM to cli.Program's context).
func (s takenSignals) release() { signal.Stop(s) }

// interrupted returns an error with exit code 128+N when signal N came
// before the command started: lx gives up and reports it as the shell
// would report being killed by it.
func (s takenSignals) interrupted() error {
	select {
	case sig := <-s:
		n := sig.(syscall.Signal)
		return &exitError{code: 128 + int(n), err: fmt.Errorf("%v before the command started", lxsignal.Signal(n))}
	default:
		return nil
	}
}

// childRun is a command that lx runs with its own standard streams
// (env's, through a pipe when they are not files) and waits for,
// handling the taken signals as 'lx help exec' describes.
type childRun struct {
	env    *Env
	sigs   takenSignals
	copies sync.WaitGroup // copying the command's output to env's writers
}

// start starts cmd. An error is a failure to start, with lx's exit code
// (an *exitError).
func (r *childRun) start(cmd *spawn.Command) (*spawn.Process, error) {
	if err := r.sigs.interrupted(); err != nil {
		return nil, err
	}
	cmd.Stdin = os.Stdin
	var closeAfter []*os.File
	defer func() {
		for _, w := range closeAfter {
			w.Close() // the child has its own copy
		}
	}()
	for _, s := range []struct {
		w   io.Writer
		dst **os.File
	}{{r.env.Stdout, &cmd.Stdout}, {r.env.Stderr, &cmd.Stderr}} {
		if f, ok := s.w.(*os.File); ok {
			*s.dst = f
			continue
		}
		pr, pw, err := os.Pipe()
		if err != nil {
			return nil, &exitError{code: ExitCannotRun, err: err}
		}
		*s.dst = pw
		closeAfter = append(closeAfter, pw)
		r.copies.Go(func() {
			io.Copy(s.w, pr)
			pr.Close()
		})
	}
	p, err := cmd.Start()
	if err != nil {
		return nil, startError(err)
	}
	return p, nil
}

// wait waits for p to end, passing SIGTERM and SIGHUP on to it.
func (r *childRun) wait(p *spawn.Process) (pidfd.ExitStatus, error) {
	done := make(chan struct{})
	var forwarder sync.WaitGroup
	forwarder.Go(func() {
		for {
			select {
			case s := <-r.sigs:
				// SIGINT and SIGQUIT come from the terminal to the
				// whole process group, the child included.
				if s == syscall.SIGTERM || s == syscall.SIGHUP {
					p.Signal(lxsignal.Signal(s.(syscall.Signal)), nil)
				}
			case <-done:
				return
			}
		}
	})
	st, err := p.Wait(context.Background())
	close(done)
	forwarder.Wait()
	if err != nil {
		return pidfd.ExitStatus{}, &exitError{code: ExitCannotRun, err: fmt.Errorf("wait for the command: %w", err)}
	}
	return st, nil
}

// finish waits until the command's output has been copied: until every
// process that has the pipes (the command's descendants too) has ended.
func (r *childRun) finish() { r.copies.Wait() }

// runToEnd starts cmd and waits for its end (start and wait).
func (r *childRun) runToEnd(cmd *spawn.Command) (pidfd.ExitStatus, error) {
	p, err := r.start(cmd)
	if err != nil {
		return pidfd.ExitStatus{}, err
	}
	defer p.Close()
	return r.wait(p)
}

// startError gives a failed start its exit code: 127 when the program
// does not exist, 126 when it cannot be executed, 125 otherwise.
func startError(err error) error {
	var se *spawn.Error
	code := ExitCannotRun
	if errors.As(err, &se) && se.Step == spawn.StepExec {
		code = ExitCannotExec
		if errors.Is(err, fs.ErrNotExist) {
			code = ExitNotFound
		}
	}
	return &exitError{code: code, err: err}
}

// statusCode is the exit code that reports st as a shell does: the exit
// code, or 128 plus the signal that killed the process.
func statusCode(st pidfd.ExitStatus) int {
	switch st.Reason {
	case pidfd.Exited:
		return st.Code
	case pidfd.Killed, pidfd.Dumped:
		return 128 + int(st.Signal)
	}
	return ExitCannotRun
}
