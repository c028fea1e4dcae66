package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/procfs"
)

func init() { register(func() Command { return &procCommand{fs: procfs.Default()} }) }

// procCommand is `lx proc PID`.
type procCommand struct {
	fs procfs.FS
	// loc is the time zone of the start time; nil means time.Local.
	loc *time.Location
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
PSS, swap, ...), command line and environment.

lx opens a pidfd for the process (pidfd_open, Linux 5.3) and reads
/proc/PID through a directory handle checked against that pidfd, so every
value describes that one process even if it exits and its PID is reused
while lx reads ("anchored": true). On kernels without pidfd_open lx reads
/proc/PID by path ("anchored": false). The pidfs id (Linux 6.9) is the
process's identity for the lifetime of the system; older kernels have none.

Each section is read on its own. A section that cannot be read (the
environment, namespaces, open files and memory of another user's process
need ptrace access, i.e. the same user or CAP_SYS_PTRACE) is shown as
unavailable with the reason; lx still prints the rest and exits with 0.
A process that does not exist is an error (exit code 1); a PID that is not
a positive number is a usage error (exit code 2).

With --json the same data is one JSON object with the sections "identity",
"credentials", "cgroups", "namespaces", "limits", "capabilities",
"seccomp", "threads", "fds", "memory", "cmdline" and "environ". Sizes are
bytes ("_bytes"), times nanoseconds ("_ns"), the start time RFC 3339.
Limits are strings: a number in the resource's "unit", or "unlimited". A
section (or item) that could not be read is null, and "unavailable" maps
its dotted key ("environ", "fds.open", "identity.pidfs_id") to the reason.
Strings are the kernel's bytes; bytes that are not UTF-8 come out as
U+FFFD, and then "cmdline_base64" or "environ_base64" holds each entry
exactly, base64 encoded.`
}

// procReport is the output of `lx proc PID --json`. A nil section could
// not be read; Unavailable says why.
type procReport struct {
	Identity     procIdentity      `json:"identity"`
	Credentials  *procCredentials  `json:"credentials"`
	Cgroups      []procCgroup      `json:"cgroups"`
	Namespaces   map[string]uint64 `json:"namespaces"`
	Limits       []procLimit       `json:"limits"`
	Capabilities *procCapabilities `json:"capabilities"`
	Seccomp      *procSeccomp      `json:"seccomp"`
	Threads      *procThreads      `json:"threads"`
	FDs          procFDs           `json:"fds"`
	Memory       *procMemory       `json:"memory"`
	Cmdline      []string          `json:"cmdline"`
	// CmdlineBase64 and EnvironBase64 hold the entries exactly when one
	// of them is not valid UTF-8.
	CmdlineBase64 []string `json:"cmdline_base64,omitempty"`
	Environ       []string `json:"environ"`
	EnvironBase64 []string `json:"environ_base64,omitempty"`
	// Unavailable maps the dotted key of each section or item that could
	// not be read to the reason.
	Unavailable map[string]string `json:"unavailable"`
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
	Policy       string        `json:"sched_policy"`
	LastCPU      int           `json:"last_cpu"`
}

type procIDs struct {
	Real      uint32 `json:"real"`
	Effective uint32 `json:"effective"`
	Saved     uint32 `json:"saved"`
	FS        uint32 `json:"fs"`
}

type procCredentials struct {
	UID    procIDs  `json:"uid"`
	GID    procIDs  `json:"gid"`
	Groups []uint32 `json:"groups"`
}

type procCgroup struct {
	HierarchyID int      `json:"hierarchy_id"` // 0 for cgroup v2
	Controllers []string `json:"controllers"`
	Path        string   `json:"path"`
	Deleted     bool     `json:"deleted"`
}

type procLimit struct {
	Resource string            `json:"resource"` // "RLIMIT_NOFILE"
	Soft     procfs.LimitValue `json:"soft"`
	Hard     procfs.LimitValue `json:"hard"`
	Unit     string            `json:"unit"` // "count", "bytes", "seconds", "microseconds"
}

type procCapabilities struct {
	Inheritable []string `json:"inheritable"`
	Permitted   []string `json:"permitted"`
	Effective   []string `json:"effective"`
	Bounding    []string `json:"bounding"`
	Ambient     []string `json:"ambient"`
}

type procSeccomp struct {
	Mode       string `json:"mode"` // "disabled", "strict" or "filter"
	Filters    int    `json:"filters"`
	NoNewPrivs bool   `json:"no_new_privs"`
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
	n, err := strconv.ParseUint(args[0], 10, 31) // digits only, fits a pid_t
	pid := int(n)
	if err != nil || pid <= 0 {
		return Usagef("invalid process id %q: want a positive decimal number", args[0])
	}
	loc := c.loc
	if loc == nil {
		loc = time.Local
	}
	r, err := gatherProc(c.fs, pid, loc)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if env.JSON {
		return writeJSON(env.Stdout, r)
	}
	return renderProc(env.Stdout, r)
}

// errNoProcess is the error for a PID that names no process.
func errNoProcess(pid int) error { return fmt.Errorf("process %d: no such process", pid) }

// openProc opens pid through a pidfd and returns a Proc anchored to it,
// and the pidfd (nil when the kernel has no pidfd_open and the Proc reads
// by path). The caller closes both.
func openProc(fsys procfs.FS, pid int) (procfs.Proc, *pidfd.FD, error) {
	fd, err := pidfd.Open(pid, nil)
	switch {
	case errors.Is(err, errors.ErrUnsupported):
		// Before Linux 5.3: read by path, unanchored.
		p, err := fsys.Proc(pid)
		return p, nil, err
	case errors.Is(err, syscall.ESRCH):
		return procfs.Proc{}, nil, errNoProcess(pid)
	case err != nil:
		// A thread id is not a process id; say whose thread it is.
		if tp, perr := fsys.Proc(pid); perr != nil {
			return procfs.Proc{}, nil, err
		} else if st, serr := tp.Status(); serr == nil && st.TGID != pid {
			return procfs.Proc{}, nil, fmt.Errorf("process %d: no such process (%d is a thread of process %d)", pid, pid, st.TGID)
		}
		return procfs.Proc{}, nil, err
	}
	p, err := fsys.ProcFromPidFD(fd)
	if err != nil {
		fd.Close()
		if errors.Is(err, os.ErrProcessDone) {
			return procfs.Proc{}, nil, errNoProcess(pid)
		}
		return procfs.Proc{}, nil, err
	}
	return p, fd, nil
}

// gatherProc reads everything about pid. Only a process that does not
// exist (or whose stat cannot be read) is an error; every other section
// that fails is recorded in Unavailable.
func gatherProc(fsys procfs.FS, pid int, loc *time.Location) (procReport, error) {
	r := procReport{Unavailable: map[string]string{}}
	p, fd, err := openProc(fsys, pid)
	if err != nil {
		return r, err
	}
	defer p.Close()
	if fd != nil {
		defer fd.Close()
	}
	miss := func(key string, err error) { r.Unavailable[key] = err.Error() }

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
		Nice: st.Nice, Policy: st.Policy.String(), LastCPU: st.Processor,
	}
	if fd == nil {
		miss("identity.pidfs_id", errors.New("unsupported: no pidfd_open (Linux 5.3)"))
	} else if id, err := fd.ID(); err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			err = fmt.Errorf("unsupported: %w", err)
		}
		miss("identity.pidfs_id", err)
	} else {
		v := uint64(id)
		r.Identity.PidfsID = &v
	}
	if ks, err := fsys.KernelStat(); err != nil {
		miss("identity.start_time", err)
	} else {
		t := st.StartedAt(ks.BootTime.In(loc))
		r.Identity.Start = &t
	}

	if status, err := p.Status(); err != nil {
		for _, key := range []string{"credentials", "capabilities", "seccomp"} {
			miss(key, err)
		}
	} else {
		if status.Kthread {
			r.Identity.KernelThread = true
		}
		ids := func(v procfs.IDs) procIDs { return procIDs{v.Real, v.Effective, v.Saved, v.FS} }
		r.Credentials = &procCredentials{UID: ids(status.UID), GID: ids(status.GID),
			Groups: append([]uint32{}, status.Groups...)}
		r.Capabilities = &procCapabilities{
			Inheritable: capNames(status.CapInh), Permitted: capNames(status.CapPrm),
			Effective: capNames(status.CapEff), Bounding: capNames(status.CapBnd),
			Ambient: capNames(status.CapAmb),
		}
		r.Seccomp = &procSeccomp{Mode: status.Seccomp.String(), Filters: status.SeccompFilters,
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

	if ns, err := p.Namespaces(); err != nil {
		miss("namespaces", err)
	} else {
		r.Namespaces = make(map[string]uint64, len(ns))
		for t, ino := range ns {
			r.Namespaces[t.String()] = ino
		}
	}

	if lims, err := p.Limits(); err != nil {
		miss("limits", err)
	} else {
		r.Limits = make([]procLimit, 0, len(lims))
		for i, l := range lims {
			res := procfs.Rlimit(i)
			r.Limits = append(r.Limits, procLimit{Resource: res.String(), Soft: l.Soft, Hard: l.Hard,
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
	case st.State == procfs.StateZombie || st.State == procfs.StateDead:
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
		r.CmdlineBase64 = base64IfInvalid(args)
	}
	if noMM != nil {
		miss("environ", noMM)
	} else if env, err := p.Environ(); err != nil {
		miss("environ", err)
	} else {
		r.Environ = append([]string{}, env.Strings()...)
		r.EnvironBase64 = base64IfInvalid(r.Environ)
	}
	return r, nil
}

// capNames returns the names of the capabilities in s, never nil.
func capNames(s procfs.CapSet) []string {
	names := []string{}
	for c := range s.Caps() {
		names = append(names, c.String())
	}
	return names
}

// renderProc writes r for people: a table of facts, then the namespaces,
// limits, open files and environment.
func renderProc(w io.Writer, r procReport) error {
	// why returns the reason key is unavailable.
	why := func(key string) string { return "unavailable: " + r.Unavailable[key] }
	id := r.Identity

	t := newTable(w)
	t.Row("pid", strconv.Itoa(id.PID))
	if id.PidfsID != nil {
		t.Row("pidfs id", strconv.FormatUint(*id.PidfsID, 10))
	} else {
		t.Row("pidfs id", why("identity.pidfs_id"))
	}
	if !id.Anchored {
		t.Row("anchored", "no: read /proc by path (no pidfd)")
	}
	t.Row("comm", printable(id.Comm))
	state := id.State + " (" + id.StateName + ")"
	if id.KernelThread {
		state += ", kernel thread"
	}
	t.Row("state", state)
	t.Row("parent", strconv.Itoa(id.PPID))
	t.Row("pgid, sid", strconv.Itoa(id.PGID)+", "+strconv.Itoa(id.SID))
	if id.Start != nil {
		t.Row("started", id.Start.Format("2006-01-02 15:04:05.00 MST"))
	} else {
		t.Row("started", why("identity.start_time"))
	}
	t.Row("cpu time", fmt.Sprintf("%s user, %s system", id.UserTime, id.SystemTime))
	t.Row("scheduling", fmt.Sprintf("%s, nice %d, last on CPU %d", id.Policy, id.Nice, id.LastCPU))
	switch {
	case r.Cmdline == nil:
		t.Row("command", why("cmdline"))
	case len(r.Cmdline) == 0:
		t.Row("command", "none ["+printable(id.Comm)+"]")
	default:
		t.Row("command", quoteArgs(r.Cmdline))
	}

	if c := r.Credentials; c != nil {
		t.Row("uid", fmtIDs(c.UID))
		t.Row("gid", fmtIDs(c.GID))
		groups := make([]string, len(c.Groups))
		for i, g := range c.Groups {
			groups[i] = strconv.FormatUint(uint64(g), 10)
		}
		t.Row("groups", joinOr(groups, " ", "none"))
	} else {
		t.Row("credentials", why("credentials"))
	}
	if c := r.Capabilities; c != nil {
		for _, s := range []struct {
			name string
			caps []string
		}{{"effective", c.Effective}, {"permitted", c.Permitted}, {"inheritable", c.Inheritable},
			{"bounding", c.Bounding}, {"ambient", c.Ambient}} {
			t.Row("caps "+s.name, joinOr(s.caps, " ", "none"))
		}
	} else {
		t.Row("capabilities", why("capabilities"))
	}
	if s := r.Seccomp; s != nil {
		line := s.Mode
		if s.Mode == "filter" {
			line += fmt.Sprintf(" (%d filters)", s.Filters)
		}
		if s.NoNewPrivs {
			line += ", no_new_privs"
		}
		t.Row("seccomp", line)
	} else {
		t.Row("seccomp", why("seccomp"))
	}
	if r.Cgroups == nil {
		t.Row("cgroups", why("cgroups"))
	} else {
		for i, cg := range r.Cgroups {
			label := ""
			if i == 0 {
				label = "cgroups"
			}
			name := joinOr(cg.Controllers, ",", "(v2)")
			line := fmt.Sprintf("%d:%s %s", cg.HierarchyID, name, printable(cg.Path))
			if cg.Deleted {
				line += " (deleted)"
			}
			t.Row(label, line)
		}
	}
	if th := r.Threads; th != nil {
		tids := make([]string, len(th.TIDs))
		for i, tid := range th.TIDs {
			tids[i] = strconv.Itoa(tid)
		}
		t.Row("threads", fmt.Sprintf("%d: %s", th.Count, strings.Join(tids, " ")))
	} else {
		t.Row("threads", why("threads"))
	}
	if r.FDs.Count != nil {
		t.Row("open fds", strconv.Itoa(*r.FDs.Count))
	} else {
		t.Row("open fds", why("fds.count"))
	}
	if m := r.Memory; m != nil {
		t.Row("memory", fmt.Sprintf("rss %s, pss %s (anon %s, file %s, shmem %s), swap %s",
			formatBytes(m.RSS), formatBytes(m.PSS), formatBytes(m.PSSAnon), formatBytes(m.PSSFile),
			formatBytes(m.PSSShmem), formatBytes(m.Swap)))
		t.Row("", fmt.Sprintf("private %s clean, %s dirty; shared %s clean, %s dirty; locked %s",
			formatBytes(m.PrivateClean), formatBytes(m.PrivateDirty), formatBytes(m.SharedClean),
			formatBytes(m.SharedDirty), formatBytes(m.Locked)))
	} else {
		t.Row("memory", why("memory"))
	}
	if r.Namespaces == nil {
		t.Row("namespaces", why("namespaces"))
	}
	if r.Limits == nil {
		t.Row("limits", why("limits"))
	}
	if r.FDs.Open == nil {
		t.Row("fd list", why("fds.open"))
	}
	if r.Environ == nil {
		t.Row("environment", why("environ"))
	}
	if err := t.Flush(); err != nil {
		return err
	}

	if len(r.Namespaces) > 0 {
		fmt.Fprintln(w)
		t = newTable(w)
		t.Row("NAMESPACE", "INODE")
		for _, name := range slices.Sorted(maps.Keys(r.Namespaces)) {
			t.Row(name, strconv.FormatUint(r.Namespaces[name], 10))
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	if len(r.Limits) > 0 {
		fmt.Fprintln(w)
		t = newTable(w)
		t.Row("RESOURCE", "SOFT", "HARD", "UNIT")
		for _, l := range r.Limits {
			t.Row(l.Resource, l.Soft.String(), l.Hard.String(), l.Unit)
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	if len(r.FDs.Open) > 0 {
		fmt.Fprintln(w)
		t = newTable(w)
		t.Row("FD", "KIND", "TARGET")
		for _, f := range r.FDs.Open {
			t.Row(strconv.Itoa(f.FD), f.Kind, printable(f.Target))
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	if len(r.Environ) > 0 {
		fmt.Fprintf(w, "\nENVIRONMENT\n")
		for _, e := range r.Environ {
			fmt.Fprintln(w, printable(e))
		}
	}
	return nil
}

// fmtIDs formats the four ids.
func fmtIDs(v procIDs) string {
	if v.Real == v.Effective && v.Real == v.Saved && v.Real == v.FS {
		return fmt.Sprintf("%d (real, effective, saved, fs)", v.Real)
	}
	return fmt.Sprintf("%d real, %d effective, %d saved, %d fs", v.Real, v.Effective, v.Saved, v.FS)
}

// joinOr joins ss with sep, or returns empty when there are none.
func joinOr(ss []string, sep, empty string) string {
	if len(ss) == 0 {
		return empty
	}
	return strings.Join(ss, sep)
}
