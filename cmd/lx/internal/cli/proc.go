package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/procfs"
	"github.com/lxgo/lx/rlimit"
	"github.com/lxgo/lx/sched"
	"github.com/lxgo/lx/seccomp"
)

func init() { register(func() Command { return &procCommand{fs: procfs.Default()} }) }

// procCommand is `lx proc PID`.
type procCommand struct {
	fs procfs.FS
	// loc is the time zone of the start time; nil means time.Local.
	loc *time.Location
	// env is --env: read and show the environment.
	env bool
	// midRead, when set, runs after the identity section is read. Tests
	// make the process exit there.
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
session, command name, state, start and CPU time), credentials (the real,
effective, saved and filesystem user and group ids, supplementary groups),
cgroups, namespaces (type and inode), resource limits, capability sets,
seccomp mode, threads, open file descriptors, memory (smaps_rollup: RSS,
PSS, swap, ...), command line and, with --env, environment. The
environment is left out unless asked for because it often holds tokens
and passwords that would end up in pasted output.

lx opens a pidfd for the process (pidfd_open, Linux 5.3) and reads
/proc/PID through a directory handle checked against that pidfd, so every
value describes that one process even if it exits and its PID is reused
while lx reads ("anchored": true). On kernels without pidfd_open lx reads
/proc/PID by path ("anchored": false). The pidfs id (Linux 6.9) is the
process's identity for the lifetime of the system; older kernels have none.

Each section is read on its own. A section that cannot be read is shown
as unavailable with the reason; lx still prints the rest and exits with 0.
The environment, namespaces, open files and memory need what the kernel
calls ptrace read access (PTRACE_MODE_READ_FSCREDS, ptrace(2) "Ptrace
access mode checking"), granted when the process is lx itself, or when
all of these hold:
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
capabilities root lacks. A zombie has released its memory, environment
and most namespaces (recent kernels also refuse its descriptors and
namespaces to anyone without CAP_SYS_PTRACE); a kernel thread has no
memory or environment.

A process that does not exist is an error (exit code 1), and so is one
that exits while lx reads it: what lx read would mix a live process with a
dead one. A PID that is not a number in 1..2147483647 is a usage error
(exit code 2).

With --json the same data is one JSON object with the sections "identity",
"credentials", "cgroups", "namespaces", "limits", "capabilities",
"seccomp", "threads", "fds", "memory", "cmdline" and "environ". Sizes are
bytes ("_bytes"), times nanoseconds ("_ns"), the start time RFC 3339.
A limit is a number in the resource's "unit", or "unlimited". A section
(or item) that could not be read is null, and "unavailable" maps its
dotted key ("environ", "fds.open", "namespaces.net") to the reason;
without --env, "environ" is null with the reason "not shown without
--env".
Command names, arguments, the environment, paths and descriptor targets
are the kernel's exact bytes, as 'lx help json' describes.`
}

// procReport is the output of `lx proc PID --json`. A nil section could
// not be read; Unavailable says why.
type procReport struct {
	Identity     procIdentity        `json:"identity"`
	Credentials  *procCredentials    `json:"credentials"`
	Cgroups      []procCgroup        `json:"cgroups"`
	Namespaces   map[ns.Type]*uint64 `json:"namespaces"` // null: unavailable
	Limits       []procLimit         `json:"limits"`
	Capabilities *procCapabilities   `json:"capabilities"`
	Seccomp      *procSeccomp        `json:"seccomp"`
	Threads      *procThreads        `json:"threads"`
	FDs          procFDs             `json:"fds"`
	Memory       *procMemory         `json:"memory"`
	Cmdline      []string            `json:"cmdline"`
	Environ      []string            `json:"environ"`
	// Unavailable maps the dotted key of each section or item that could
	// not be read to the reason.
	Unavailable map[string]error `json:"unavailable"` // encoded as messages
}

type procIdentity struct {
	PID int `json:"pid"`
	// PidfsID is the pidfs inode number (Linux 6.9); null when the kernel
	// has none.
	PidfsID *uint64 `json:"pidfs_id"`
	// Anchored is true when the reads went through a pidfd-checked
	// /proc/PID directory handle.
	Anchored     bool          `json:"anchored"`
	PPID         int           `json:"ppid"`
	PGID         int           `json:"pgid"`
	SID          int           `json:"sid"`
	Comm         string        `json:"comm"`
	State        string        `json:"state"`      // the letter, "S"
	StateName    string        `json:"state_name"` // "sleeping"
	KernelThread bool          `json:"kernel_thread"`
	Start        *time.Time    `json:"start_time"`
	UserTime     time.Duration `json:"user_time_ns"`
	SystemTime   time.Duration `json:"system_time_ns"`
	Nice         int           `json:"nice"`
	Policy       sched.Policy  `json:"sched_policy"` // "SCHED_OTHER"
	LastCPU      int           `json:"last_cpu"`
}

type procIDs struct {
	Real      uint32 `json:"real"`
	Effective uint32 `json:"effective"`
	Saved     uint32 `json:"saved"`
	FS        uint32 `json:"fs"`
}

type procCredentials struct {
	UID    procIDs    `json:"uid"`
	GID    procIDs    `json:"gid"`
	Groups []cred.GID `json:"groups"`
}

type procCgroup struct {
	HierarchyID int      `json:"hierarchy_id"` // 0 for cgroup v2
	Controllers []string `json:"controllers"`
	Path        string   `json:"path"`
	Deleted     bool     `json:"deleted"`
}

type procLimit struct {
	Resource rlimit.Resource `json:"resource"` // "RLIMIT_NOFILE"
	Soft     limitValue      `json:"soft"`
	Hard     limitValue      `json:"hard"`
	Unit     string          `json:"unit"` // "count", "bytes", "seconds", "microseconds"
}

// limitValue is a resource limit in --json: a number in the resource's
// unit, or the string "unlimited" for RLIM_INFINITY. (rlimit.Value's own
// text form would make every number a string.)
type limitValue rlimit.Value

func (v limitValue) MarshalJSON() ([]byte, error) {
	if rlimit.Value(v).IsUnlimited() {
		return []byte(`"unlimited"`), nil
	}
	return strconv.AppendUint(nil, uint64(v), 10), nil
}

type procCapabilities struct {
	Inheritable []string `json:"inheritable"`
	Permitted   []string `json:"permitted"`
	Effective   []string `json:"effective"`
	Bounding    []string `json:"bounding"`
	Ambient     []string `json:"ambient"`
}

type procSeccomp struct {
	Mode       seccomp.Mode `json:"mode"` // "disabled", "strict" or "filter"
	Filters    int          `json:"filters"`
	NoNewPrivs bool         `json:"no_new_privs"`
}

type procThreads struct {
	Count int   `json:"count"`
	TIDs  []int `json:"tids"`
}

type procFDs struct {
	Count *int     `json:"count"`
	Open  []procFD `json:"open"`
}

type procFD struct {
	FD     int    `json:"fd"`
	Kind   string `json:"kind"` // "path", "socket", "pipe", "anon_inode", ...
	Target string `json:"target"`
}

// procMemory is smaps_rollup, in bytes.
type procMemory struct {
	RSS           uint64 `json:"rss_bytes"`
	PSS           uint64 `json:"pss_bytes"`
	PSSAnon       uint64 `json:"pss_anon_bytes"`
	PSSFile       uint64 `json:"pss_file_bytes"`
	PSSShmem      uint64 `json:"pss_shmem_bytes"`
	SharedClean   uint64 `json:"shared_clean_bytes"`
	SharedDirty   uint64 `json:"shared_dirty_bytes"`
	PrivateClean  uint64 `json:"private_clean_bytes"`
	PrivateDirty  uint64 `json:"private_dirty_bytes"`
	Anonymous     uint64 `json:"anonymous_bytes"`
	AnonHugePages uint64 `json:"anon_huge_pages_bytes"`
	Swap          uint64 `json:"swap_bytes"`
	SwapPSS       uint64 `json:"swap_pss_bytes"`
	Locked        uint64 `json:"locked_bytes"`
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
// thread it is (the thread's /proc/TID exists, hidden from listings, and
// its status names the thread group).
func openError(fsys procfs.FS, pid int, err error) error {
	if !errors.Is(err, syscall.ESRCH) {
		return err
	}
	if tp, perr := fsys.Proc(pid); perr == nil {
		if st, serr := tp.Status(); serr == nil && st.TGID != pid {
			return fmt.Errorf("process %d: no such process (%d is a thread of process %d)", pid, pid, st.TGID)
		}
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

// errEnvNotShown is the reason the environment is missing without --env.
var errEnvNotShown = errors.New("not shown without --env")

// errZombieNS is the reason a zombie's namespace links cannot be read:
// exit_task_namespaces released them (only pid and user remain).
var errZombieNS = errors.New("zombie: namespace released at exit")

// gather reads everything about pid. A process that does not exist, or
// whose stat cannot be read, or that exits while lx reads it, is an
// error; every other section that fails is recorded in Unavailable.
func (c *procCommand) gather(pid int, loc *time.Location) (procReport, error) {
	fsys := c.fs
	r := procReport{Unavailable: map[string]error{}}
	p, err := fsys.OpenProc(pid)
	if err != nil {
		return r, openError(fsys, pid, err)
	}
	defer p.Close()
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
	r.Identity = procIdentity{
		PID: pid, Anchored: p.Anchored(),
		PPID: st.PPID, PGID: st.PGRP, SID: st.Session, Comm: st.Comm.String(),
		State: string(rune(st.State)), StateName: st.State.String(),
		KernelThread: st.Flags.Has(procfs.PFKthread),
		UserTime:     st.UTime, SystemTime: st.STime,
		Nice: st.Nice, Policy: st.Policy, LastCPU: st.Processor,
	}
	if fd == nil {
		miss("identity.pidfs_id", fdErr)
	} else if id, err := fd.ID(); err != nil {
		miss("identity.pidfs_id", err)
	} else {
		v := uint64(id)
		r.Identity.PidfsID = &v
	}
	if ks, err := fsys.KernelStat(); err != nil {
		miss("identity.start_time", err)
	} else {
		t := startTime(&st, ks.BootTime.In(loc))
		r.Identity.Start = &t
	}
	zombie := st.State == procfs.StateZombie || st.State == procfs.StateDead
	if c.midRead != nil {
		c.midRead()
	}

	if status, err := p.Status(); err != nil {
		for _, key := range []string{"credentials", "capabilities", "seccomp"} {
			miss(key, err)
		}
	} else {
		if status.Kthread {
			r.Identity.KernelThread = true
		}
		u, g := status.UID, status.GID
		r.Credentials = &procCredentials{
			UID:    procIDs{uint32(u.Real), uint32(u.Effective), uint32(u.Saved), uint32(u.FS)},
			GID:    procIDs{uint32(g.Real), uint32(g.Effective), uint32(g.Saved), uint32(g.FS)},
			Groups: append([]cred.GID{}, status.Groups...)}
		r.Capabilities = &procCapabilities{
			Inheritable: capNames(status.CapInh), Permitted: capNames(status.CapPrm),
			Effective: capNames(status.CapEff), Bounding: capNames(status.CapBnd),
			Ambient: capNames(status.CapAmb),
		}
		r.Seccomp = &procSeccomp{Mode: status.Seccomp, Filters: status.SeccompFilters,
			NoNewPrivs: status.NoNewPrivs}
	}

	if cgs, err := p.Cgroups(); err != nil {
		miss("cgroups", err)
	} else {
		r.Cgroups = make([]procCgroup, 0, len(cgs))
		for _, cg := range cgs {
			r.Cgroups = append(r.Cgroups, procCgroup{HierarchyID: cg.HierarchyID,
				Controllers: append([]string{}, cg.Controllers...), Path: cg.Path, Deleted: cg.Deleted})
		}
	}

	if nss, err := p.Namespaces(); err != nil {
		miss("namespaces", err)
	} else {
		r.Namespaces = make(map[ns.Type]*uint64, len(nss))
		for t, ino := range nss {
			r.Namespaces[t] = &ino
		}
		if zombie {
			// The links of a zombie's released namespaces cannot be read
			// and procfs leaves them out. Name each one this kernel has
			// (lx's own) as unavailable instead of omitting it.
			if self, err := fsys.Self().Namespaces(); err == nil {
				for t := range self {
					if _, ok := nss[t]; !ok {
						r.Namespaces[t] = nil
						miss("namespaces."+t.String(), errZombieNS)
					}
				}
			}
		}
	}

	if lims, err := p.Limits(); err != nil {
		miss("limits", err)
	} else {
		r.Limits = make([]procLimit, 0, len(lims))
		for res, l := range lims.All() {
			r.Limits = append(r.Limits, procLimit{Resource: res, Soft: limitValue(l.Soft), Hard: limitValue(l.Hard),
				Unit: res.Unit().String()})
		}
	}

	tids := []int{}
	var terr error
	for t, err := range p.Threads() {
		if err != nil {
			terr = err
			break
		}
		tids = append(tids, t.TID())
	}
	if terr != nil {
		miss("threads", terr)
	} else {
		r.Threads = &procThreads{Count: len(tids), TIDs: tids}
	}

	if n, err := p.FDCount(); err != nil {
		miss("fds.count", err)
	} else {
		r.FDs.Count = &n
	}
	if fds, err := p.FDs(); err != nil {
		miss("fds.open", err)
	} else {
		r.FDs.Open = make([]procFD, 0, len(fds))
		for _, f := range fds {
			r.FDs.Open = append(r.FDs.Open, procFD{FD: f.Num, Kind: f.Kind.String(), Target: f.Target})
		}
	}

	// A kernel thread has no user address space and a zombie has released
	// its own: smaps_rollup and environ then fail with ESRCH, which would
	// read as "the process has exited".
	var noMM error
	switch {
	case r.Identity.KernelThread:
		noMM = errors.New("kernel thread: no user address space")
	case zombie:
		noMM = errors.New("zombie: address space already released")
	}
	if noMM != nil {
		miss("memory", noMM)
	} else if m, err := p.SmapsRollup(); err != nil {
		miss("memory", err)
	} else {
		r.Memory = &procMemory{RSS: m.Rss, PSS: m.Pss, PSSAnon: m.PssAnon, PSSFile: m.PssFile,
			PSSShmem: m.PssShmem, SharedClean: m.SharedClean, SharedDirty: m.SharedDirty,
			PrivateClean: m.PrivateClean, PrivateDirty: m.PrivateDirty, Anonymous: m.Anonymous,
			AnonHugePages: m.AnonHugePages, Swap: m.Swap, SwapPSS: m.SwapPss, Locked: m.Locked}
	}

	if args, err := p.Cmdline(); err != nil {
		miss("cmdline", err)
	} else {
		r.Cmdline = append([]string{}, args...)
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
			r.Environ = append([]string{}, env.Strings()...)
		}
	}

	if !zombie && exitedSince(p, fd, &st) {
		return procReport{}, fmt.Errorf("process %d exited while lx was reading it", pid)
	}
	return r, nil
}

// exitedSince reports whether the process of p, whose stat was st when lx
// began and which was not a zombie then, has exited since: its pidfd
// says so, or (read by path, without a pidfd) its stat is gone (procfs
// says os.ErrProcessDone once /proc/PID has vanished), belongs
// to a process that started at another time (a reused PID), or shows a
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

// capNames returns the names of the capabilities in s, never nil: libcap's
// names, "cap_sys_admin".
func capNames(s capability.Set) []string {
	names := []string{}
	for c := range s.All() {
		names = append(names, c.String())
	}
	return names
}
