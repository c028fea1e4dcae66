package cli

// The --json form of `lx proc`: an envelope whose sections are the lx
// library's own values (procfs.Stat, procfs.Status, procfs.IO,
// rlimit.Limits, ...), so that the JSON has the library's field names,
// units and text forms and no parallel report type can drift from the
// library. Every enumeration and flag set of those values marshals by
// name itself; TestProcJSONTypes fails when a section gains one that
// would print as lx's private number.

import (
	"time"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/procfs"
	"github.com/lxgo/lx/rlimit"
)

// procReport is the output of `lx proc PID --json`. A nil section could
// not be read; Unavailable says why.
type procReport struct {
	PID int `json:"pid"`
	// Anchored is true when the reads went through a pidfd-checked
	// /proc/PID directory handle.
	Anchored bool `json:"anchored"`
	// PidfsID is the pidfs inode number (Linux 6.9).
	PidfsID *pidfd.ID `json:"pidfs_id"`
	// StartTime is the boot time (kernel.BootTime) plus Stat.StartTime.
	StartTime *time.Time `json:"start_time"`
	// KernelThread: PF_KTHREAD in Stat.Flags, or Kthread in Status.
	KernelThread bool `json:"kernel_thread"`
	// TTY is the name of the controlling terminal ("pts/3"), "" for none.
	TTY *string `json:"tty"`
	// UserNames and GroupNames name the ids of Status (the four user
	// ids; the four group ids and the supplementary groups) that have an
	// entry in lx's /etc/passwd and /etc/group.
	UserNames  map[cred.UID]string `json:"user_names"`
	GroupNames map[cred.GID]string `json:"group_names"`

	Stat        procfs.Stat         `json:"stat"`
	Status      *procfs.Status      `json:"status"`
	Statm       *procfs.Statm       `json:"statm"`
	SmapsRollup *procfs.SmapsRollup `json:"smaps_rollup"`
	IO          *procfs.IO          `json:"io"`
	OOMScore    *int                `json:"oom_score"`
	OOMScoreAdj *int                `json:"oom_score_adj"`
	// WChan is the kernel function the process sleeps in, "" for none.
	WChan   *string        `json:"wchan"`
	Exe     *procfs.Link   `json:"exe"`
	Cwd     *procfs.Link   `json:"cwd"`
	Root    *procfs.Link   `json:"root"`
	Limits  *rlimit.Limits `json:"limits"`
	Cgroups procfs.Cgroups `json:"cgroups"`
	// CgroupLimits are the memory, CPU and pids limits and use of the
	// process's cgroups, v2 or v1 (procCgroupLimits); nil when its
	// cgroups could not be read.
	CgroupLimits *procCgroupLimits `json:"cgroup_limits"`
	Namespaces   procfs.Namespaces `json:"namespaces"`
	// Threads are the thread ids.
	Threads []int          `json:"threads"`
	FDCount *int           `json:"fd_count"`
	FDs     []procfs.FD    `json:"fds"`
	Cmdline []string       `json:"cmdline"`
	Environ procfs.Environ `json:"environ"`
	// Unavailable maps the key of each section or item that could not be
	// read ("io", "namespaces.net") to the reason.
	Unavailable map[string]error `json:"unavailable"` // encoded as messages

	// released are the namespaces a zombie has released, sorted: they
	// are missing from Namespaces, with a reason in Unavailable.
	released []ns.Type
	// allCaps are the capabilities of the running kernel
	// (capability.Full), for the table's "all (N)"; 0 when unknown.
	allCaps capability.Set
}
