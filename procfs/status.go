package procfs

import (
	"bytes"
	"errors"
	"io/fs"
	"strconv"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/parse"
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

	TGID      int // thread group id, the process id
	NGID      int // NUMA group id, 0 if none
	PID       int // thread id
	PPID      int // parent's process id
	TracerPID int // the process tracing this one, 0 if none
	UID, GID  IDs
	FDSize    int // slots allocated in the file descriptor table

	// Groups are the supplementary group ids.
	Groups []uint32
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

	SigPnd SignalSet // pending for the thread
	ShdPnd SignalSet // pending for the process (shared)
	SigBlk SignalSet // blocked
	SigIgn SignalSet // ignored
	SigCgt SignalSet // caught

	CapInh CapSet // inheritable capabilities
	CapPrm CapSet // permitted
	CapEff CapSet // effective
	CapBnd CapSet // bounding set
	CapAmb CapSet // ambient (Linux 4.3+)

	NoNewPrivs     bool        // PR_SET_NO_NEW_PRIVS (Linux 4.10+)
	Seccomp        SeccompMode // (Linux 3.8+)
	SeccompFilters int         // filters attached (Linux 5.9+)

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

// IDs are the four user or group ids of a task.
type IDs struct {
	Real, Effective, Saved, FS uint32
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
	return p.readSingle("status", func(b []byte) error { return parseStatus(b, st) })
}

// StatusValue returns the raw text of the line key in /proc/PID/status (the
// part after the tab), for lines Status does not know. ok is false if the
// kernel does not print key.
func (p Proc) StatusValue(key string) (value string, ok bool, err error) {
	err = p.readFile("status", func(b []byte) error {
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

// StatusKeyError reports a bad value in /proc/PID/status.
type StatusKeyError struct {
	Key string
	Err error
}

func (e *StatusKeyError) Error() string { return "status " + e.Key + ": " + e.Err.Error() }
func (e *StatusKeyError) Unwrap() error { return e.Err }

var errSyntax = errors.New("syntax error")

// parseStatus parses a status file into st, keeping st's slices and CPU
// set caches for reuse.
func parseStatus(b []byte, st *Status) error {
	groups, nstgid, nspid, nspgid, nssid := st.Groups[:0], st.NSTGID[:0], st.NSPID[:0], st.NSPGID[:0], st.NSSID[:0]
	cpus, mems, cpusRaw, memsRaw := st.CPUsAllowed, st.MemsAllowed, st.cpusRaw, st.memsRaw
	*st = Status{}
	var err error
	hint := 0
	for len(b) > 0 && err == nil {
		// The kernel prints the keys in a fixed order: try the key that
		// follows the previous one first, which spares the search for ':'.
		// Otherwise find the ':' by hand (keys are short).
		k := skUnknown
		var key, raw []byte
		if h := hint; h < len(statusKeys) && len(b) > len(statusKeys[h]) &&
			string(b[:len(statusKeys[h])]) == statusKeys[h] && b[len(statusKeys[h])] == ':' {
			k, key, raw = h, b[:len(statusKeys[h])], b[len(statusKeys[h])+1:]
			hint = h + 1
		} else {
			i := 0
			for i < len(b) && b[i] != ':' && b[i] != '\n' {
				i++
			}
			if i == len(b) {
				break
			}
			if b[i] == '\n' {
				b = b[i+1:]
				continue
			}
			key, raw = b[:i], b[i+1:]
			k = statusKey(key, &hint)
		}
		// The line's end: values can be long (Mems_allowed has 288 bytes).
		if nl := bytes.IndexByte(raw, '\n'); nl >= 0 {
			raw, b = raw[:nl], raw[nl+1:]
		} else {
			b = nil
		}
		if k == skName {
			// The name is everything after the one tab, spaces and all.
			if len(raw) > 0 && raw[0] == '\t' {
				raw = raw[1:]
			}
			unescapeComm(&st.Name, raw)
			continue
		}
		v := trimBlank(raw)
		switch k {
		case skUmask:
			var u uint64
			u, err = parse.UintBase(v, 8)
			st.Umask = fs.FileMode(u) & fs.ModePerm
		case skState:
			if len(v) == 0 {
				err = errSyntax
				break
			}
			st.State = State(v[0])
		case skTgid:
			st.TGID, err = statusInt(v)
		case skNgid:
			st.NGID, err = statusInt(v)
		case skPid:
			st.PID, err = statusInt(v)
		case skPPid:
			st.PPID, err = statusInt(v)
		case skTracerPid:
			st.TracerPID, err = statusInt(v)
		case skUid:
			st.UID, err = parseIDs(v)
		case skGid:
			st.GID, err = parseIDs(v)
		case skFDSize:
			st.FDSize, err = statusInt(v)
		case skGroups:
			groups, err = appendUint32s(groups, v)
		case skNStgid:
			nstgid, err = appendInts(nstgid, v)
		case skNSpid:
			nspid, err = appendInts(nspid, v)
		case skNSpgid:
			nspgid, err = appendInts(nspgid, v)
		case skNSsid:
			nssid, err = appendInts(nssid, v)
		case skKthread:
			st.Kthread, err = statusBool(v)
		case skVmPeak:
			st.VmPeak, err = parse.KB(v)
		case skVmSize:
			st.VmSize, err = parse.KB(v)
		case skVmLck:
			st.VmLck, err = parse.KB(v)
		case skVmPin:
			st.VmPin, err = parse.KB(v)
		case skVmHWM:
			st.VmHWM, err = parse.KB(v)
		case skVmRSS:
			st.VmRSS, err = parse.KB(v)
		case skRssAnon:
			st.RssAnon, err = parse.KB(v)
		case skRssFile:
			st.RssFile, err = parse.KB(v)
		case skRssShmem:
			st.RssShmem, err = parse.KB(v)
		case skVmData:
			st.VmData, err = parse.KB(v)
		case skVmStk:
			st.VmStk, err = parse.KB(v)
		case skVmExe:
			st.VmExe, err = parse.KB(v)
		case skVmLib:
			st.VmLib, err = parse.KB(v)
		case skVmPTE:
			st.VmPTE, err = parse.KB(v)
		case skVmSwap:
			st.VmSwap, err = parse.KB(v)
		case skHugetlbPages:
			st.HugetlbPages, err = parse.KB(v)
		case skCoreDumping:
			st.CoreDumping, err = statusBool(v)
		case skTHPEnabled:
			st.THPEnabled, err = statusBool(v)
		case skUntagMask:
			if len(v) > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X') {
				v = v[2:]
			}
			st.UntagMask, err = parse.Hex(v)
		case skThreads:
			st.Threads, err = statusInt(v)
		case skSigQ:
			q, l, ok := bytes.Cut(v, []byte{'/'})
			if !ok {
				err = errSyntax
				break
			}
			if st.SigQ.Queued, err = parse.Uint(q); err == nil {
				st.SigQ.Limit, err = parse.Uint(l)
			}
		case skSigPnd:
			st.SigPnd, err = parseSignalSet(v)
		case skShdPnd:
			st.ShdPnd, err = parseSignalSet(v)
		case skSigBlk:
			st.SigBlk, err = parseSignalSet(v)
		case skSigIgn:
			st.SigIgn, err = parseSignalSet(v)
		case skSigCgt:
			st.SigCgt, err = parseSignalSet(v)
		case skCapInh:
			st.CapInh, err = parseCapSet(v)
		case skCapPrm:
			st.CapPrm, err = parseCapSet(v)
		case skCapEff:
			st.CapEff, err = parseCapSet(v)
		case skCapBnd:
			st.CapBnd, err = parseCapSet(v)
		case skCapAmb:
			st.CapAmb, err = parseCapSet(v)
		case skNoNewPrivs:
			st.NoNewPrivs, err = statusBool(v)
		case skSeccomp:
			var n int
			n, err = statusInt(v)
			st.Seccomp = SeccompMode(n)
		case skSeccompFilters:
			st.SeccompFilters, err = statusInt(v)
		case skSpeculation_Store_Bypass:
			st.SpeculationStoreBypass = parseSpecStoreBypass(v)
		case skSpeculationIndirectBranch:
			st.SpeculationIndirectBranch = parseSpecIndirectBranch(v)
		case skCpusAllowedList:
			cpus, cpusRaw, err = parseSetCached(v, cpus, cpusRaw)
		case skMemsAllowedList:
			mems, memsRaw, err = parseSetCached(v, mems, memsRaw)
		case skVoluntaryCtxtSwitches:
			st.VoluntaryCtxtSwitches, err = parse.Uint(v)
		case skNonvoluntaryCtxtSwitches:
			st.NonvoluntaryCtxtSwitches, err = parse.Uint(v)
		case skX86_ThreadFeatures:
			st.X86ThreadFeatures = parseX86Features(v)
		case skX86_ThreadFeaturesLocked:
			st.X86ThreadFeaturesLocked = parseX86Features(v)
		}
		if err != nil {
			err = &StatusKeyError{Key: string(key), Err: err}
		}
	}
	st.Groups, st.NSTGID, st.NSPID, st.NSPGID, st.NSSID = groups, nstgid, nspid, nspgid, nssid
	st.CPUsAllowed, st.MemsAllowed, st.cpusRaw, st.memsRaw = cpus, mems, cpusRaw, memsRaw
	return err
}

// statusKeys are the keys of /proc/PID/status in the order the kernel
// prints them (fs/proc/array.c proc_pid_status), so that statusKey finds
// each with one comparison against the key after the previous one.
var statusKeys = [...]string{"Name", "Umask", "State", "Tgid", "Ngid", "Pid", "PPid", "TracerPid", "Uid", "Gid", "FDSize", "Groups", "NStgid", "NSpid", "NSpgid", "NSsid", "Kthread", "VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem", "VmData", "VmStk", "VmExe", "VmLib", "VmPTE", "VmSwap", "HugetlbPages", "CoreDumping", "THP_enabled", "untag_mask", "Threads", "SigQ", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp", "Seccomp_filters", "Speculation_Store_Bypass", "SpeculationIndirectBranch", "Cpus_allowed", "Cpus_allowed_list", "Mems_allowed", "Mems_allowed_list", "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches", "x86_Thread_features", "x86_Thread_features_locked"}

// Indexes into statusKeys.
const skUnknown = -1

const (
	skName = iota
	skUmask
	skState
	skTgid
	skNgid
	skPid
	skPPid
	skTracerPid
	skUid
	skGid
	skFDSize
	skGroups
	skNStgid
	skNSpid
	skNSpgid
	skNSsid
	skKthread
	skVmPeak
	skVmSize
	skVmLck
	skVmPin
	skVmHWM
	skVmRSS
	skRssAnon
	skRssFile
	skRssShmem
	skVmData
	skVmStk
	skVmExe
	skVmLib
	skVmPTE
	skVmSwap
	skHugetlbPages
	skCoreDumping
	skTHPEnabled
	skUntagMask
	skThreads
	skSigQ
	skSigPnd
	skShdPnd
	skSigBlk
	skSigIgn
	skSigCgt
	skCapInh
	skCapPrm
	skCapEff
	skCapBnd
	skCapAmb
	skNoNewPrivs
	skSeccomp
	skSeccompFilters
	skSpeculation_Store_Bypass
	skSpeculationIndirectBranch
	skCpusAllowed
	skCpusAllowedList
	skMemsAllowed
	skMemsAllowedList
	skVoluntaryCtxtSwitches
	skNonvoluntaryCtxtSwitches
	skX86_ThreadFeatures
	skX86_ThreadFeaturesLocked
)

// statusKey returns the index of key in statusKeys, or skUnknown, and
// sets *hint to the index after it.
func statusKey(key []byte, hint *int) int {
	for i, k := range statusKeys {
		if string(key) == k {
			*hint = i + 1
			return i
		}
	}
	return skUnknown
}

// parseSetCached parses a CPU or node list unless it is the same text as
// last time, in which case the previous set is kept (sets are never
// modified in place, so sharing it is safe).
func parseSetCached(v []byte, prev cpuset.Set, prevRaw []byte) (cpuset.Set, []byte, error) {
	if prevRaw != nil && bytes.Equal(v, prevRaw) {
		return prev, prevRaw, nil
	}
	s, err := cpuset.ParseBytes(v)
	if err != nil {
		return cpuset.Set{}, nil, err
	}
	// A fresh copy, never written again: copies of a Status share it.
	return s, append([]byte(nil), v...), nil
}

func trimBlank(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

func statusInt(v []byte) (int, error) {
	n, err := parse.Int(v)
	return int(n), err
}

func statusBool(v []byte) (bool, error) {
	switch string(v) {
	case "0":
		return false, nil
	case "1":
		return true, nil
	}
	return false, errSyntax
}

func parseIDs(v []byte) (IDs, error) {
	var ids [4]uint32
	for i := range ids {
		var f []byte
		f, v = parse.Field(v)
		n, err := parse.Uint(f)
		if err != nil {
			return IDs{}, err
		}
		if n > 1<<32-1 {
			return IDs{}, strconv.ErrRange
		}
		ids[i] = uint32(n)
	}
	return IDs{Real: ids[0], Effective: ids[1], Saved: ids[2], FS: ids[3]}, nil
}

func appendUint32s(dst []uint32, v []byte) ([]uint32, error) {
	for {
		var f []byte
		f, v = parse.Field(v)
		if len(f) == 0 {
			return dst, nil
		}
		n, err := parse.Uint(f)
		if err != nil {
			return dst, err
		}
		if n > 1<<32-1 {
			return dst, strconv.ErrRange
		}
		dst = append(dst, uint32(n))
	}
}

func appendInts(dst []int, v []byte) ([]int, error) {
	for {
		var f []byte
		f, v = parse.Field(v)
		if len(f) == 0 {
			return dst, nil
		}
		n, err := parse.Int(f)
		if err != nil {
			return dst, err
		}
		dst = append(dst, int(n))
	}
}

// unescapeComm stores the status Name value into c, undoing the kernel's
// escapes: "\n" and "\\" (seq_escape_str with ESCAPE_SPACE|ESCAPE_SPECIAL,
// Linux 5.x and later) and octal "\NNN" (seq_escape, some older kernels).
func unescapeComm(c *Comm, v []byte) {
	n := 0
	for i := 0; i < len(v) && n < commMax; i++ {
		ch := v[i]
		if ch == '\\' && i+1 < len(v) {
			switch e := v[i+1]; {
			case e == 'n':
				ch, i = '\n', i+1
			case e == '\\':
				ch, i = '\\', i+1
			case e == 't':
				ch, i = '\t', i+1
			case i+3 < len(v) && e-'0' <= 3 && v[i+2]-'0' <= 7 && v[i+3]-'0' <= 7:
				ch, i = (e-'0')<<6|(v[i+2]-'0')<<3|(v[i+3]-'0'), i+3
			}
		}
		c.b[n] = ch
		n++
	}
	c.n = uint8(n)
}

// SeccompMode is a task's seccomp mode (Seccomp line; seccomp(2)).
type SeccompMode uint8

// Seccomp modes.
const (
	SeccompDisabled SeccompMode = 0 // SECCOMP_MODE_DISABLED
	SeccompStrict   SeccompMode = 1 // SECCOMP_MODE_STRICT: read, write, _exit, sigreturn only
	SeccompFilter   SeccompMode = 2 // SECCOMP_MODE_FILTER: BPF filters
)

// String returns "disabled", "strict" or "filter".
func (m SeccompMode) String() string {
	switch m {
	case SeccompDisabled:
		return "disabled"
	case SeccompStrict:
		return "strict"
	case SeccompFilter:
		return "filter"
	}
	return "SeccompMode(" + strconv.Itoa(int(m)) + ")"
}

// SpecStoreBypass is the Speculation_Store_Bypass line: the task's
// Speculative Store Bypass (Spectre v4) mitigation state, as
// prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS) reports it.
type SpecStoreBypass uint8

// Speculative Store Bypass states; String returns the kernel's words.
const (
	SSBUnknown              SpecStoreBypass = iota // "unknown"
	SSBNotVulnerable                               // "not vulnerable"
	SSBThreadForceMitigated                        // "thread force mitigated"
	SSBThreadMitigated                             // "thread mitigated"
	SSBThreadVulnerable                            // "thread vulnerable"
	SSBGloballyMitigated                           // "globally mitigated"
	SSBVulnerable                                  // "vulnerable"
)

var ssbNames = [...]string{"unknown", "not vulnerable", "thread force mitigated",
	"thread mitigated", "thread vulnerable", "globally mitigated", "vulnerable"}

// String returns the text the kernel prints for the state.
func (s SpecStoreBypass) String() string {
	if int(s) < len(ssbNames) {
		return ssbNames[s]
	}
	return "SpecStoreBypass(" + strconv.Itoa(int(s)) + ")"
}

func parseSpecStoreBypass(v []byte) SpecStoreBypass {
	for i, n := range ssbNames {
		if string(v) == n {
			return SpecStoreBypass(i)
		}
	}
	return SSBUnknown
}

// SpecIndirectBranch is the SpeculationIndirectBranch line: the task's
// indirect branch speculation (Spectre v2 user) state, as
// prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_INDIRECT_BRANCH) reports it.
type SpecIndirectBranch uint8

// Indirect branch speculation states; String returns the kernel's words.
const (
	IBUnknown                  SpecIndirectBranch = iota // "unknown"
	IBUnsupported                                        // "unsupported"
	IBNotAffected                                        // "not affected"
	IBConditionalForceDisabled                           // "conditional force disabled"
	IBConditionalDisabled                                // "conditional disabled"
	IBConditionalEnabled                                 // "conditional enabled"
	IBAlwaysEnabled                                      // "always enabled"
	IBAlwaysDisabled                                     // "always disabled"
)

var ibNames = [...]string{"unknown", "unsupported", "not affected", "conditional force disabled",
	"conditional disabled", "conditional enabled", "always enabled", "always disabled"}

// String returns the text the kernel prints for the state.
func (s SpecIndirectBranch) String() string {
	if int(s) < len(ibNames) {
		return ibNames[s]
	}
	return "SpecIndirectBranch(" + strconv.Itoa(int(s)) + ")"
}

func parseSpecIndirectBranch(v []byte) SpecIndirectBranch {
	for i, n := range ibNames {
		if string(v) == n {
			return SpecIndirectBranch(i)
		}
	}
	return IBUnknown
}

// X86Features are the x86 user shadow stack features of a thread
// (x86_Thread_features lines, Linux 6.6+).
type X86Features uint8

// x86 thread features.
const (
	X86ShadowStack X86Features = 1 << iota // "shstk": user shadow stack enabled
	X86WRSS                                // "wrss": WRSS instruction enabled
)

// String returns the kernel's words, space-separated: "shstk wrss".
func (f X86Features) String() string {
	switch f {
	case 0:
		return ""
	case X86ShadowStack:
		return "shstk"
	case X86WRSS:
		return "wrss"
	case X86ShadowStack | X86WRSS:
		return "shstk wrss"
	}
	return "X86Features(" + strconv.Itoa(int(f)) + ")"
}

// parseX86Features reads the words it knows and ignores others.
func parseX86Features(v []byte) X86Features {
	var f X86Features
	for {
		var w []byte
		w, v = parse.Field(v)
		if len(w) == 0 {
			return f
		}
		switch string(w) {
		case "shstk":
			f |= X86ShadowStack
		case "wrss":
			f |= X86WRSS
		}
	}
}
