package cli

// The --json form of `lx proc`: an envelope whose sections are the lx
// library's own values (procfs.Stat, procfs.Status, procfs.IO, ...), so
// that the JSON has the library's field names, units and text forms and
// no parallel report type can drift from the library. The few fields
// whose Go type has no text form of its own (an enumeration that would
// otherwise be lx's private number) are shadowed in the envelope by a
// field of the same name that marshals by name; TestProcJSONTypes fails
// when a section gains such a field without a shadow.

import (
	"fmt"
	"strconv"
	"time"

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

	Stat        procStat            `json:"stat"`
	Status      *procStatus         `json:"status"`
	Statm       *procfs.Statm       `json:"statm"`
	SmapsRollup *procfs.SmapsRollup `json:"smaps_rollup"`
	IO          *procfs.IO          `json:"io"`
	OOMScore    *int                `json:"oom_score"`
	OOMScoreAdj *int                `json:"oom_score_adj"`
	// WChan is the kernel function the process sleeps in, "" for none.
	WChan      *string                       `json:"wchan"`
	Exe        *procfs.Link                  `json:"exe"`
	Cwd        *procfs.Link                  `json:"cwd"`
	Root       *procfs.Link                  `json:"root"`
	Limits     map[rlimit.Resource]procLimit `json:"limits"`
	Cgroups    procfs.Cgroups                `json:"cgroups"`
	Namespaces procfs.Namespaces             `json:"namespaces"`
	// Threads are the thread ids.
	Threads []int          `json:"threads"`
	FDCount *int           `json:"fd_count"`
	FDs     []procFD       `json:"fds"`
	Cmdline []string       `json:"cmdline"`
	Environ procfs.Environ `json:"environ"`
	// Unavailable maps the key of each section or item that could not be
	// read ("io", "namespaces.net") to the reason.
	Unavailable map[string]error `json:"unavailable"` // encoded as messages

	// released are the namespaces a zombie has released, sorted: they
	// are missing from Namespaces, with a reason in Unavailable.
	released []ns.Type
}

// procStat is procfs.Stat with its enumerations marshaled by name.
type procStat struct {
	procfs.Stat
	State    stateText               `json:"State"`
	Flags    named[procfs.TaskFlags] `json:"Flags"`
	RSSLimit limitValue              `json:"RSSLimit"`
}

func newProcStat(st procfs.Stat) procStat {
	return procStat{Stat: st, State: stateText(st.State), Flags: named[procfs.TaskFlags]{st.Flags},
		RSSLimit: limitValue(st.RSSLimit)}
}

// procStatus is procfs.Status with its enumerations marshaled by name.
type procStatus struct {
	procfs.Status
	State                     stateText                        `json:"State"`
	SpeculationStoreBypass    named[procfs.SpecStoreBypass]    `json:"SpeculationStoreBypass"`
	SpeculationIndirectBranch named[procfs.SpecIndirectBranch] `json:"SpeculationIndirectBranch"`
	X86ThreadFeatures         named[procfs.X86Features]        `json:"X86ThreadFeatures"`
	X86ThreadFeaturesLocked   named[procfs.X86Features]        `json:"X86ThreadFeaturesLocked"`
}

func newProcStatus(st procfs.Status) *procStatus {
	return &procStatus{Status: st, State: stateText(st.State),
		SpeculationStoreBypass:    named[procfs.SpecStoreBypass]{st.SpeculationStoreBypass},
		SpeculationIndirectBranch: named[procfs.SpecIndirectBranch]{st.SpeculationIndirectBranch},
		X86ThreadFeatures:         named[procfs.X86Features]{st.X86ThreadFeatures},
		X86ThreadFeaturesLocked:   named[procfs.X86Features]{st.X86ThreadFeaturesLocked}}
}

// procFD is a procfs.FD with its Kind marshaled by name ("path").
type procFD struct {
	procfs.FD
	Kind named[procfs.FDKind] `json:"Kind"`
}

// procLimit is an rlimit.Limit whose values marshal as numbers.
type procLimit struct {
	Soft, Hard limitValue
}

// stateText is a procfs.State that marshals as the kernel's letter, "S",
// the form of /proc/PID/stat (procfs.State has no text form; its String
// is the word of /proc/PID/status, "sleeping", and loses an unknown
// letter).
type stateText procfs.State

func (s stateText) MarshalText() ([]byte, error) { return []byte{byte(s)}, nil }

// named is a value that marshals as its String: the kernel's words for
// a library type that has no MarshalText of its own.
type named[T fmt.Stringer] struct{ v T }

func (n named[T]) MarshalText() ([]byte, error) { return []byte(n.v.String()), nil }

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
