package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/procfs"
)

func init() { register(func() Command { return &procCommand{fs: procfs.Default()} }) }

// procCommand is `lx proc PID`.
type procCommand struct {
	fs procfs.FS
	// loc is the time zone of the start time; nil means time.Local.
	loc *time.Location
	// env is --env: read and show the environment.
	env bool
	// midRead, when set, runs after stat, the pidfs id and the start
	// time are read. Tests make the process exit there.
	midRead func()
}

func (c *procCommand) SetFlags(fs *flag.FlagSet) {
	fs.BoolVar(&c.env, "env", false, "also show the environment (it often holds secrets: left out by default)")
}

func (*procCommand) Name() string { return "proc" }
func (*procCommand) Synopsis() string {
	return "everything about one process: ids, credentials, cgroups, namespaces, limits, capabilities, memory, ..."
}
func (*procCommand) Usage() string { return "[flags] <pid>" }
func (*procCommand) Help() string {
	return `Shows one process: its identity (pid, pidfs id, parent, process group,
session, controlling terminal, command name, state, start and CPU time,
scheduling), command line, executable, current and root directory,
credentials (the real, effective, saved and filesystem user and group ids
with their names, supplementary groups), capability sets, seccomp mode,
the CPUs and memory nodes it may run on, context switches, the kernel
function it sleeps in (wchan), OOM score, cgroups, threads, open file
descriptors, memory, I/O counters, namespaces, resource limits and, with
--env, environment. The environment is left out unless asked for because
it often holds tokens and passwords that would end up in pasted output.

lx opens a pidfd for the process (pidfd_open, Linux 5.3) and reads
/proc/PID through a directory handle checked against that pidfd, so every
value describes that one process even if it exits and its PID is reused
while lx reads ("anchored": true). On kernels without pidfd_open lx reads
/proc/PID by path ("anchored": false). The pidfs id (Linux 6.9) is the
process's identity for the lifetime of the system; older kernels have none.

The table: the start time is to the second with the zone (--json has it
to the clock tick: the boot time comes from the clocks, not from
/proc/stat's whole seconds). "exe", "cwd" and "root" are paths escaped as
'lx help text' describes, followed by " (deleted)" when the file no longer
has a name (a name that itself ends in " (deleted)" shows that space as
\x20). "tty" is the controlling terminal as ps names it ("pts/3"), or
none. "wchan" is none when the process is not sleeping in the kernel, and
also when lx may not see it (the kernel hides it without ptrace read
access). Ids show their names from /etc/passwd and /etc/group, as id(1)
does: "1000(alice)". A capability set is a list of libcap's names, or
"none", or "all (N)" when it holds every capability the kernel has, or
"all but NAME... (N)" when it lacks fewer than it holds, or "same as
NAME" when it equals a set above it. lx asks the running kernel which
capabilities it has (prctl PR_CAPBSET_READ, the number that
/proc/sys/kernel/cap_last_cap shows), so "all" counts capabilities newer
than lx too; if the kernel cannot be asked, sets are listed in full.
Memory shows what /proc/PID/status gives anyone (resident: anonymous,
file, shared memory; peak; virtual; swap; locked), then the proportional
sizes and sharing of /proc/PID/smaps_rollup. I/O
shows /proc/PID/io under the kernel's names: bytes passed to read and
write calls (rchar, wchar; caches and pipes included), the calls
(syscr, syscw), and bytes read from and written to storage.

Each section is read on its own. A section that cannot be read is shown
once as unavailable with the reason; lx still prints the rest and exits
with 0. The executable, current and root directory, environment,
namespaces, open files, I/O counters and the smaps_rollup breakdown need
what the kernel calls ptrace read access (PTRACE_MODE_READ_FSCREDS,
ptrace(2) "Ptrace access mode checking"), granted when the process is lx
itself, or when all of these hold:
  - lx's filesystem user id equals the process's real, effective and
    saved user ids, and lx's filesystem group id its real, effective and
    saved group ids, or lx has CAP_SYS_PTRACE in the process's user
    namespace;
  - the process is dumpable (not after a setuid or setgid exec, not after
    prctl(PR_SET_DUMPABLE, 0)), or lx has CAP_SYS_PTRACE in that user
    namespace;
  - the process's permitted capabilities are a subset of lx's effective
    ones (in the same user namespace), or lx has CAP_SYS_PTRACE there;
and a security module (SELinux, AppArmor, Smack) allows it. So an
ordinary user cannot read them for another user's process, nor for a
process of its own that runs with capabilities (a daemon that kept some),
and even root without CAP_SYS_PTRACE is refused a process with
capabilities root lacks. A zombie has released its memory, executable,
environment, directories and most namespaces (recent kernels also refuse
its descriptors and namespaces to anyone without CAP_SYS_PTRACE); a
kernel thread has no memory, executable or environment.

A process that does not exist is an error (exit code 1), and so is one
that exits while lx reads it: what lx read would mix a live process with a
dead one. A PID that is not a number in 1..2147483647 is a usage error
(exit code 2).

With --json the output is one object: an envelope whose sections are the
values the lx library returns, under the library's own field names
(documented with the Go types: go doc github.com/lxgo/lx/procfs.Status):

  pid, anchored       the process id; whether the reads were anchored
  pidfs_id            the pidfs id (pidfd.ID), a number
  start_time          RFC 3339, to the clock tick
  kernel_thread       true for a kernel thread
  tty                 the controlling terminal's name, "" for none
  user_names          {"0": "root"}: the names of status's user ids, and
  group_names         of its group ids and groups (ids without a name
                      are left out)
  stat                procfs.Stat: /proc/PID/stat ("Comm", "State", "PPID",
                      "UTime", "StartTime" since boot, "Flags", ...)
  status              procfs.Status: /proc/PID/status ("UID", "GID",
                      "Groups", "CapEff", "CPUsAllowed", "VmRSS",
                      "VoluntaryCtxtSwitches", ...)
  statm               procfs.Statm; smaps_rollup  procfs.SmapsRollup
  io                  procfs.IO ("RChar", "ReadBytes", ...)
  oom_score, oom_score_adj   numbers; wchan   a string, "" for none
  exe, cwd, root      procfs.Link: {"Target": ..., "Deleted": ...}, where
                      Target is the kernel's exact bytes, " (deleted)"
                      included when the kernel appended it
  limits              rlimit.Limits: {"RLIMIT_CPU": {"Soft": "unlimited",
                      "Hard": "unlimited"}, ..., "RLIMIT_NOFILE": {"Soft":
                      1024, "Hard": 4096}, ...}, in resource order
  cgroups             procfs.Cgroups: [{"HierarchyID", "Controllers",
                      "Path", "Deleted"}]
  cgroup_limits       {"memory": {"from", "max", "current_bytes"}, "cpu":
                      {"from", "max", "usage"}, "pids": {"from", "max",
                      "current"}}: each from the process's v2 cgroup where
                      the controller has its files there, else ("from":
                      "v1", on hybrid hosts) its v1 cgroup; "max" is the
                      kernel's text (cgroup.Max: "max" or "67108864";
                      cgroup.CPUMax: "max 100000", "50000 100000"); a
                      controller with neither (a root cgroup) is left
                      out, with its reason in unavailable
  namespaces          procfs.Namespaces: {"net": inode, ...}
  threads             the thread ids
  fd_count, fds       the number of descriptors; procfs.FD for each
                      ({"Num", "Target", "Kind", "Name", "Inode", "Deleted"})
  cmdline             the arguments
  environ             procfs.Environ: [{"Name", "Value", "HasValue"}]
  unavailable         {"io": "reason", ...}

Values keep the library's units: sizes in bytes, durations (UTime,
StartTime, ...) in nanoseconds, ids as numbers. Enumerations are their
names: "SCHED_OTHER", "filter", "RLIMIT_NOFILE", capability and signal
sets as comma-separated lists ("cap_chown,cap_kill", "SIGINT,SIGTERM"),
CPU sets as lists ("0-3,8"); "State" is the state letter ("S"), "Flags"
the PF_* names ("PF_KTHREAD|PF_NOFREEZE", "0" for none), stat's "TTY"
the terminal's device number "major:minor" ("136:3", "0:0" for none),
the speculation and x86 feature lines of status the kernel's words
("thread vulnerable", "shstk wrss"), an fd's "Kind" its kind ("path",
"socket", "pipe", "anon_inode", ...). A limit, and stat's "RSSLimit", is
a number in the resource's unit (RLIMIT_CPU seconds, RLIMIT_RTTIME
microseconds, RLIMIT_AS, RLIMIT_CORE, RLIMIT_DATA, RLIMIT_FSIZE,
RLIMIT_MEMLOCK, RLIMIT_MSGQUEUE, RLIMIT_RSS and RLIMIT_STACK bytes, the
others counts), or "unlimited". Inside a section a list the library left
empty may be null.

A section or item that could not be read is null, or for a namespace
absent, and "unavailable" maps its key ("io", "namespaces.net") to the
reason; without --env, "environ" is null with the reason "not shown
without --env". Command names, arguments, the environment, paths and
descriptor targets are the kernel's exact bytes, as 'lx help json'
describes. The keys of the envelope and of the sections are a stable
interface: a section's keys are the Go field names of its library type,
which follows Go's compatibility rules (fields are added, never renamed
or removed).`
}

func (c *procCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) != 1 {
		return Usagef("want one process id, got %d arguments", len(args))
	}
	pid, err := parsePID(args[0])
	if err != nil {
		return err
	}
	loc := c.loc
	if loc == nil {
		loc = time.Local
	}
	r, err := c.gather(pid, loc)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if env.JSON {
		return writeJSON(env.Stdout, r)
	}
	return renderProc(env.Stdout, r, env.Width)
}

// parsePID parses a process id given on the command line: decimal digits,
// optionally after a minus sign, in the range kernel.CheckPID accepts. A
// wrong one is a *UsageError naming it.
func parsePID(s string) (int, error) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, Usagef("invalid process id %q: not a decimal number", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n != int64(int(n)) { // beyond int64, or beyond a 32-bit int
		return 0, Usagef("invalid process id %s: want 1..%d", s, kernel.MaxPID)
	}
	if err := kernel.CheckPID(int(n)); err != nil {
		var r *kernel.RangeError
		if errors.As(err, &r) {
			r.What = "process id"
		}
		return 0, &UsageError{Msg: err.Error()}
	}
	return int(n), nil
}

// errNoProcess is the error for a PID that names no process.
func errNoProcess(pid int) error { return fmt.Errorf("process %d: no such process", pid) }

// openError words an error of procfs.FS.OpenProc for people: a pid that
// names no process is "no such process", and a thread id says whose
// thread it is (procfs.NoProcessError.ThreadOf).
func openError(pid int, err error) error {
	var np *procfs.NoProcessError
	switch {
	case !errors.As(err, &np):
		return err
	case np.ThreadOf != 0:
		return fmt.Errorf("process %d: no such process (%d is a thread of process %d)", pid, pid, np.ThreadOf)
	}
	return errNoProcess(pid)
}

// pidfdOf returns a pidfd of p's process, for its pidfs id and to tell
// whether it has exited, or an error saying why there is none (a Proc
// read by path, before Linux 5.3). The caller closes it.
func pidfdOf(p procfs.Proc) (*pidfd.FD, error) {
	f, err := p.PidFD()
	if err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			return nil, errors.New("unsupported: no pidfd_open (Linux 5.3)")
		}
		return nil, err
	}
	return pidfd.FromFile(f) // takes f
}

// The reasons lx gives for what a process does not have.
var (
	// errEnvNotShown: the environment, without --env.
	errEnvNotShown = errors.New("not shown without --env")
	// errZombieNS: a zombie's namespace links; exit_task_namespaces
	// released all but pid and user.
	errZombieNS = errors.New("zombie: namespace released at exit")
	// errZombieFS: a zombie's cwd and root; exit_fs released them.
	errZombieFS = errors.New("zombie: released at exit")
	// errKthreadMM and errZombieMM: the memory, environment and
	// executable of a process without a user address space.
	errKthreadMM = errors.New("kernel thread: no user address space")
	errZombieMM  = errors.New("zombie: address space already released")
	// errNoLink: a link the kernel has none for (procfs's zero Link).
	errNoLink = errors.New("none")
)

// gather reads everything about pid. A process that does not exist, or
// whose stat cannot be read, or that exits while lx reads it, is an
// error; every other section that fails is recorded in Unavailable.
func (c *procCommand) gather(pid int, loc *time.Location) (procReport, error) {
	fsys := c.fs
	r := procReport{PID: pid, Unavailable: map[string]error{}}
	p, err := fsys.OpenProc(pid)
	if err != nil {
		return r, openError(pid, err)
	}
	defer p.Close()
	r.Anchored = p.Anchored()
	fd, fdErr := pidfdOf(p)
	if fd != nil {
		defer fd.Close()
	}
	miss := func(key string, err error) { r.Unavailable[key] = err }

	st, err := p.Stat()
	if errors.Is(err, os.ErrProcessDone) {
		return r, errNoProcess(pid)
	}
	if err != nil {
		return r, fmt.Errorf("process %d: %w", pid, err)
	}
	r.Stat = st
	r.KernelThread = st.Flags.Has(procfs.PFKthread)
	zombie := st.State == procfs.StateZombie || st.State == procfs.StateDead
	if fd == nil {
		miss("pidfs_id", fdErr)
	} else if id, err := fd.ID(); err != nil {
		miss("pidfs_id", err)
	} else {
		r.PidfsID = &id
	}
	// The boot time from the clocks, not /proc/stat's btime: that is
	// whole seconds, up to one second early.
	if boot, err := kernel.BootTime(); err != nil {
		miss("start_time", err)
	} else {
		t := st.StartedAt(boot).In(loc)
		r.StartTime = &t
	}
	if c.midRead != nil {
		c.midRead()
	}

	if status, err := p.Status(); err != nil {
		miss("status", err)
	} else {
		r.Status = &status
		// Without the kernel's capabilities the table lists each set in
		// full rather than collapsing it to "all".
		r.allCaps, _ = capability.Full()
		r.KernelThread = r.KernelThread || status.Kthread
	}
	// A kernel thread has no user address space and a zombie has released
	// its own: smaps_rollup and environ then fail with ESRCH or read as
	// empty, and exe has no target.
	var noMM error
	switch {
	case r.KernelThread:
		noMM = errKthreadMM
	case zombie:
		noMM = errZombieMM
	}
	c.names(&r)
	c.tty(&r)

	if m, err := p.Statm(); err != nil {
		miss("statm", err)
	} else {
		r.Statm = &m
	}
	if noMM != nil {
		miss("smaps_rollup", noMM)
	} else if m, err := p.SmapsRollup(); err != nil {
		miss("smaps_rollup", err)
	} else {
		r.SmapsRollup = &m
	}
	if io, err := p.IO(); err != nil {
		miss("io", err)
	} else {
		r.IO = &io
	}
	if v, err := p.OOMScore(); err != nil {
		miss("oom_score", err)
	} else {
		r.OOMScore = &v
	}
	if v, err := p.OOMScoreAdj(); err != nil {
		miss("oom_score_adj", err)
	} else {
		r.OOMScoreAdj = &v
	}
	if w, err := p.WChan(); err != nil {
		miss("wchan", err)
	} else {
		r.WChan = &w
	}

	// procfs gives the zero Link for a link the process has none for;
	// lx says why instead. The executable belongs to the address space
	// (mm->exe_file); a zombie's directories went with exit_fs.
	noLink := errNoLink
	if zombie {
		noLink = errZombieFS
	}
	for _, l := range []struct {
		key  string
		read func() (procfs.Link, error)
		dst  **procfs.Link
	}{{"exe", p.Exe, &r.Exe}, {"cwd", p.Cwd, &r.Cwd}, {"root", p.Root, &r.Root}} {
		if l.key == "exe" && noMM != nil {
			miss(l.key, noMM)
			continue
		}
		link, err := l.read()
		switch {
		case err != nil:
			miss(l.key, err)
		case link == procfs.Link{}:
			miss(l.key, noLink)
		default:
			*l.dst = &link
		}
	}

	if lims, err := p.Limits(); err != nil {
		miss("limits", err)
	} else {
		r.Limits = &lims
	}
	if cgs, err := p.Cgroups(); err != nil {
		miss("cgroups", err)
		miss("cgroup_limits", err)
	} else {
		r.Cgroups = cgs
		r.CgroupLimits = cgroupLimits(pid, miss)
	}
	if nss, err := p.Namespaces(); err != nil {
		miss("namespaces", err)
	} else {
		r.Namespaces = nss
		if zombie {
			// The links of a zombie's released namespaces cannot be read
			// and procfs leaves them out. Name each one this kernel has
			// (lx's own) as unavailable instead of omitting it.
			if self, err := fsys.Self().Namespaces(); err == nil {
				for _, t := range slices.Sorted(maps.Keys(self)) {
					if _, ok := nss[t]; !ok {
						r.released = append(r.released, t)
						miss("namespaces."+t.String(), errZombieNS)
					}
				}
			}
		}
	}

	tids := []int{}
	for t, err := range p.Threads() {
		if err != nil {
			miss("threads", err)
			tids = nil
			break
		}
		tids = append(tids, t.TID())
	}
	r.Threads = tids
	if n, err := p.FDCount(); err != nil {
		miss("fd_count", err)
	} else {
		r.FDCount = &n
	}
	if fds, err := p.FDs(); err != nil {
		miss("fds", err)
	} else {
		r.FDs = fds
	}

	if args, err := p.Cmdline(); err != nil {
		miss("cmdline", err)
	} else {
		if args == nil {
			args = []string{} // none: a kernel thread, a zombie
		}
		r.Cmdline = args
	}
	switch {
	case !c.env:
		miss("environ", errEnvNotShown)
	case noMM != nil:
		miss("environ", noMM)
	default:
		if env, err := p.Environ(); err != nil {
			miss("environ", err)
		} else {
			if env == nil {
				env = procfs.Environ{} // an empty environment
			}
			r.Environ = env
		}
	}

	if !zombie && exitedSince(p, fd, &st) {
		return procReport{}, fmt.Errorf("process %d exited while lx was reading it", pid)
	}
	return r, nil
}

// names fills in the names of the user and group ids of r.Status from
// the user database of c's file system root (the one lx runs on, as ps
// shows them). An id without an entry has no name.
func (c *procCommand) names(r *procReport) {
	r.UserNames, r.GroupNames = map[cred.UID]string{}, map[cred.GID]string{}
	if r.Status == nil {
		return // no ids to name
	}
	db, err := cred.LoadDatabase(&cred.DatabaseOptions{Root: c.fs.Root()})
	if err != nil {
		r.UserNames, r.GroupNames = nil, nil
		r.Unavailable["user_names"], r.Unavailable["group_names"] = err, err
		return
	}
	u, g := r.Status.UID, r.Status.GID
	for _, id := range []cred.UID{u.Real, u.Effective, u.Saved, u.FS} {
		if e, err := db.LookupUID(id); err == nil {
			r.UserNames[id] = e.Name
		}
	}
	for _, id := range append([]cred.GID{g.Real, g.Effective, g.Saved, g.FS}, r.Status.Groups...) {
		if e, err := db.LookupGID(id); err == nil {
			r.GroupNames[id] = e.Name
		}
	}
}

// tty names the controlling terminal of r.Stat, as ps's TTY column does.
func (c *procCommand) tty(r *procReport) {
	dev := r.Stat.TTY
	if dev == (procfs.Dev{}) {
		none := ""
		r.TTY = &none
		return
	}
	drivers, err := c.fs.TTYDrivers()
	if err != nil {
		r.Unavailable["tty"] = err
		return
	}
	name, ok := drivers.Name(dev)
	if !ok {
		r.Unavailable["tty"] = fmt.Errorf("terminal %v: no driver in /proc/tty/drivers serves it", dev)
		return
	}
	r.TTY = &name
}

// exitedSince reports whether the process of p, whose stat was st when lx
// began and which was not a zombie then, has exited since: its pidfd
// says so, or (read by path, without a pidfd) its stat is gone (procfs
// says os.ErrProcessDone once /proc/PID has vanished), belongs to a
// process that started at another time (a reused PID), or shows a
// zombie.
func exitedSince(p procfs.Proc, fd *pidfd.FD, st *procfs.Stat) bool {
	if fd != nil {
		exited, err := fd.Exited()
		return err == nil && exited
	}
	now, err := p.Stat()
	return errors.Is(err, os.ErrProcessDone) ||
		err == nil && (now.StartTime != st.StartTime || now.State == procfs.StateZombie || now.State == procfs.StateDead)
}
