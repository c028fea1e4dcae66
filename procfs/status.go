package procfs

import (
	"bytes"
	"io/fs"
	"runtime"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/seccomp"
	"github.com/lxgo/lx/signal"
)

// Status is /proc/PID/status (or /proc/PID/task/TID/status): the
// human-readable process summary, every field typed. Sizes are in bytes
// (the file's kB times 1024). A field the running kernel does not print is
// left zero: Umask needs Linux 4.7, NSTGID and friends 4.1, RssAnon/File/
// Shmem 4.5, CoreDumping 4.15, THPEnabled 5.0, SeccompFilters 5.9,
// X86ThreadFeatures 6.6, Kthread 6.9 (earlier, see Stat.Flags PFKthread),
// UntagMask needs an x86 CPU with LAM; the Vm* and Rss* lines are absent
// for kernel threads and zombies. Lines lx does not know are skipped; read
// them with StatusValue.
type Status struct {
	// Name is the command name. The file escapes it ("\n" and "\\");
	// Name holds the raw bytes again.
	Name  Comm
	Umask fs.FileMode // the process's umask (permission bits only)
	State State

	TGID      int       // thread group id, the process id
	NGID      int       // NUMA group id, 0 if none
	PID       int       // thread id
	PPID      int       // parent's process id
	TracerPID int       // the process tracing this one, 0 if none
	UID       cred.UIDs // real, effective, saved and filesystem user ids
	GID       cred.GIDs // real, effective, saved and filesystem group ids
	FDSize    int       // slots allocated in the file descriptor table

	// Groups are the supplementary group ids.
	Groups []cred.GID
	// NSTGID, NSPID, NSPGID and NSSID are the thread group id, thread id,
	// process group id and session id in each nested PID namespace the
	// task is in, outermost (the procfs mount's namespace) first.
	NSTGID, NSPID, NSPGID, NSSID []int

	Kthread bool // a kernel thread

	VmPeak       uint64 // peak virtual memory size
	VmSize       uint64 // virtual memory size
	VmLck        uint64 // locked memory (mlock)
	VmPin        uint64 // pinned memory
	VmHWM        uint64 // peak resident set size ("high water mark")
	VmRSS        uint64 // resident set size: RssAnon + RssFile + RssShmem
	RssAnon      uint64 // resident anonymous memory
	RssFile      uint64 // resident file mappings
	RssShmem     uint64 // resident shared memory (shmem, tmpfs, shared anonymous)
	VmData       uint64 // data + heap + private anonymous mappings
	VmStk        uint64 // stack
	VmExe        uint64 // text
	VmLib        uint64 // shared library code
	VmPTE        uint64 // page tables
	VmSwap       uint64 // swapped-out anonymous memory (shmem swap not included)
	HugetlbPages uint64 // hugetlb memory mapped

	CoreDumping bool   // the process is dumping core
	THPEnabled  bool   // transparent huge pages allowed (PR_SET_THP_DISABLE not set)
	UntagMask   uint64 // x86 LAM: the address bits kept by untagging (all ones without LAM)

	Threads int      // threads in the thread group
	SigQ    SigQueue // queued signals of the real user, and its limit

	SigPnd signal.Set // pending for the thread
	ShdPnd signal.Set // pending for the process (shared)
	SigBlk signal.Set // blocked
	SigIgn signal.Set // ignored
	SigCgt signal.Set // caught

	CapInh capability.Set // inheritable capabilities
	CapPrm capability.Set // permitted
	CapEff capability.Set // effective
	CapBnd capability.Set // bounding set
	CapAmb capability.Set // ambient (Linux 4.3+)

	NoNewPrivs     bool         // PR_SET_NO_NEW_PRIVS (Linux 4.10+)
	Seccomp        seccomp.Mode // (Linux 3.8+)
	SeccompFilters int          // filters attached (Linux 5.9+)

	SpeculationStoreBypass    SpecStoreBypass    // Linux 4.17+
	SpeculationIndirectBranch SpecIndirectBranch // Linux 5.1+

	// CPUsAllowed and MemsAllowed are the CPUs and NUMA nodes the task may
	// use (Cpus_allowed_list, Mems_allowed_list; the hex mask lines carry the
	// same sets).
	CPUsAllowed cpuset.Set
	MemsAllowed cpuset.Set

	VoluntaryCtxtSwitches    uint64
	NonvoluntaryCtxtSwitches uint64

	// X86ThreadFeatures and X86ThreadFeaturesLocked are the x86 user
	// shadow stack features enabled and locked (arch_prctl ARCH_SHSTK_*).
	X86ThreadFeatures       X86Features
	X86ThreadFeaturesLocked X86Features

	// raw list text of the last CPUsAllowed/MemsAllowed parsed by ReadStatus,
	// so that an unchanged list is not parsed (and allocated) again.
	cpusRaw, memsRaw []byte
}

// SigQueue is the SigQ line: signals queued for the task's real user id,
// and the RLIMIT_SIGPENDING limit.
type SigQueue struct {
	Queued, Limit uint64
}

// Status reads /proc/PID/status, or /proc/PID/task/TID/status for a thread.
// Any user may read it. It allocates for the slices (Groups, NS*) and CPU
// sets; ReadStatus reuses them.
func (p Proc) Status() (Status, error) {
	var st Status
	err := p.ReadStatus(&st)
	return st, err
}

// ReadStatus is Status into *st, reusing st's slices: a loop that keeps one
// Status allocates nothing in steady state (a changed CPU or memory list is
// parsed again). Slices previously read from st are overwritten.
func (p Proc) ReadStatus(st *Status) error {
	// About 1.4 KiB: read into a buffer on the stack, which spares the
	// buffer pool, in one call level for a path-based Proc (see ReadStat).
	var small [2048]byte
	var b []byte
	var bp *[]byte
	var err error
	if p.dir == nil && p.pid > 0 {
		var path [64]byte
		var fd, n int
		fd, n, err = sys.ReadOnceZ(p.fs.conf().at, p.appendPathZ(path[:0], "status"), 0, small[:])
		runtime.KeepAlive(p.fs.c) // see keepAlive; p.dir is nil
		if err != nil {
			return p.ioError("status", err)
		}
		if b = small[:n]; fd >= 0 {
			b, bp, err = p.readRest("status", b, fd)
		}
	} else {
		b, bp, err = p.readSmall("status", small[:])
	}
	if err != nil {
		return err
	}
	err = parseStatus(b, st)
	if bp != nil {
		putBuf(bp)
	}
	if err != nil {
		return withPath(p.path("status"), err)
	}
	return nil
}

// StatusValue returns the raw text of the line key in /proc/PID/status (the
// part after the tab), for lines Status does not know. ok is false if the
// kernel does not print key.
func (p Proc) StatusValue(key string) (value string, ok bool, err error) {
	err = p.withFile("status", false, func(b []byte) error {
		for len(b) > 0 {
			var line []byte
			line, b = parse.Line(b)
			k, v, found := bytes.Cut(line, []byte{':'})
			if found && string(k) == key {
				value, ok = string(bytes.TrimLeft(v, "\t ")), true
				return nil
			}
		}
		return nil
	})
	return value, ok, err
}
