package procfs

import (
	"bytes"
	"encoding/binary"
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
	st.Groups, st.NSTGID, st.NSPID, st.NSPGID, st.NSSID = groups, nstgid, nspid, nspgid, nssid
	st.CPUsAllowed, st.MemsAllowed, st.cpusRaw, st.memsRaw = cpus, mems, cpusRaw, memsRaw
	var err error
	hint := 0
	for len(b) > 0 && err == nil {
		// The kernel prints the keys in a fixed order: try the key that
		// follows the previous one first, which spares the search for ':'.
		// Otherwise find the ':' by hand (keys are short).
		k := skUnknown
		var key, raw []byte
		if h := hint; h < len(statusKeys) && statusKeyAt(b, h) {
			n := len(statusKeys[h])
			k, key, raw = h, b[:n], b[n+1:]
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
		// Fast paths for the common value forms, which consume the line
		// in one pass; anything unusual falls through to the general code
		// below, which also reports errors.
		if k >= 0 {
			switch statusKinds[k] {
			case kindDec, kindBool:
				if v, n, ok := scanDec(raw); ok && (v <= 1 || statusKinds[k] == kindDec) {
					st.setDec(k, v)
					b = raw[n:]
					continue
				}
			case kindKB:
				if v, n, ok := scanKB(raw); ok {
					*st.kbField(k) = v
					b = raw[n:]
					continue
				}
			case kindHex:
				if v, n, ok := scanHex(raw); ok {
					st.setHex(k, v)
					b = raw[n:]
					continue
				}
			}
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
		err = st.parseValue(k, trimBlank(raw))
		if err != nil {
			err = &StatusKeyError{Key: string(key), Err: err}
		}
	}
	return err
}

// parseValue parses the value v (trimmed) of key k into st: the general
// path of parseStatus.
func (st *Status) parseValue(k int, v []byte) (err error) {
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
		st.Groups, err = appendUint32s(st.Groups, v)
	case skNStgid:
		st.NSTGID, err = appendInts(st.NSTGID, v)
	case skNSpid:
		st.NSPID, err = appendInts(st.NSPID, v)
	case skNSpgid:
		st.NSPGID, err = appendInts(st.NSPGID, v)
	case skNSsid:
		st.NSSID, err = appendInts(st.NSSID, v)
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
		st.CPUsAllowed, st.cpusRaw, err = parseSetCached(v, st.CPUsAllowed, st.cpusRaw)
	case skMemsAllowedList:
		st.MemsAllowed, st.memsRaw, err = parseSetCached(v, st.MemsAllowed, st.memsRaw)
	case skVoluntaryCtxtSwitches:
		st.VoluntaryCtxtSwitches, err = parse.Uint(v)
	case skNonvoluntaryCtxtSwitches:
		st.NonvoluntaryCtxtSwitches, err = parse.Uint(v)
	case skX86_ThreadFeatures:
		st.X86ThreadFeatures = parseX86Features(v)
	case skX86_ThreadFeaturesLocked:
		st.X86ThreadFeaturesLocked = parseX86Features(v)
	}
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

// statusKeyWords holds the first 8 bytes of each "key:" (little-endian,
// zero-padded) and a mask of its length, so that statusKeyAt compares most
// keys with one load instead of a memequal call.
var statusKeyWords = func() (t [len(statusKeys)]struct{ word, mask uint64 }) {
	for i, k := range statusKeys {
		var w [8]byte
		n := copy(w[:], k+":")
		t[i].word = binary.LittleEndian.Uint64(w[:])
		t[i].mask = 1<<(8*n) - 1
		if n == 8 {
			t[i].mask = 1<<64 - 1
		}
	}
	return t
}()

// statusKeyAt reports whether b starts with statusKeys[h] and ':'.
func statusKeyAt(b []byte, h int) bool {
	key := statusKeys[h]
	if len(b) <= len(key) {
		return false
	}
	if len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&statusKeyWords[h].mask != statusKeyWords[h].word {
			return false
		}
		if len(key) < 8 {
			return true
		}
		return string(b[8:len(key)]) == key[8:] && b[len(key)] == ':'
	}
	return string(b[:len(key)]) == key && b[len(key)] == ':'
}

// Value forms with a fast path in parseStatus.
const (
	kindOther = iota
	kindDec   // a decimal number (or a 0/1 flag)
	kindKB    // "   1234 kB"
	kindHex   // 16 hex digits: signal and capability sets
	kindBool  // 0 or 1
)

var statusKinds = func() (t [len(statusKeys)]uint8) {
	for _, k := range []int{skTgid, skNgid, skPid, skPPid, skTracerPid, skFDSize, skThreads, skSeccomp,
		skSeccompFilters, skVoluntaryCtxtSwitches, skNonvoluntaryCtxtSwitches} {
		t[k] = kindDec
	}
	for _, k := range []int{skKthread, skCoreDumping, skTHPEnabled, skNoNewPrivs} {
		t[k] = kindBool
	}
	for k := skVmPeak; k <= skHugetlbPages; k++ {
		t[k] = kindKB
	}
	for k := skSigPnd; k <= skCapAmb; k++ {
		t[k] = kindHex
	}
	return t
}()

// scanDec reads "\t<digits>\n" and returns the number and the bytes used.
func scanDec(b []byte) (v uint64, n int, ok bool) {
	i := 0
	for i < len(b) && b[i] == '\t' {
		i++
	}
	start := i
	for ; i < len(b) && i-start < 19; i++ {
		c := b[i] - '0'
		if c > 9 {
			break
		}
		v = v*10 + uint64(c)
	}
	if i == start || i >= len(b) || b[i] != '\n' {
		return 0, 0, false
	}
	return v, i + 1, true
}

// scanKB reads "\t   <digits> kB\n" and returns bytes and the bytes used.
func scanKB(b []byte) (v uint64, n int, ok bool) {
	i := 0
	for i < len(b) && (b[i] == '\t' || b[i] == ' ') {
		i++
	}
	start := i
	for ; i < len(b) && i-start < 16; i++ {
		c := b[i] - '0'
		if c > 9 {
			break
		}
		v = v*10 + uint64(c)
	}
	if i == start || len(b)-i < 4 || string(b[i:i+4]) != " kB\n" {
		return 0, 0, false
	}
	return v << 10, i + 4, true
}

// scanHex reads "\t<up to 16 hex digits>\n".
func scanHex(b []byte) (v uint64, n int, ok bool) {
	// The kernel prints exactly 16 digits: convert them 8 at a time.
	if len(b) >= 18 && b[0] == '\t' && b[17] == '\n' {
		hi, okHi := hex8(binary.LittleEndian.Uint64(b[1:9]))
		lo, okLo := hex8(binary.LittleEndian.Uint64(b[9:17]))
		if okHi && okLo {
			return hi<<32 | lo, 18, true
		}
	}
	i := 0
	for i < len(b) && b[i] == '\t' {
		i++
	}
	start := i
	for ; i < len(b) && i-start < 16; i++ {
		d := hexDigit[b[i]]
		if d > 15 {
			break
		}
		v = v<<4 | uint64(d)
	}
	if i == start || i >= len(b) || b[i] != '\n' {
		return 0, 0, false
	}
	return v, i + 1, true
}

// hex8 converts 8 ASCII hex digits (0-9, a-f, A-F), loaded little-endian
// so that the first digit is the low byte, to their 32-bit value, with SWAR
// arithmetic on the whole word. ok is false if a byte is not a hex digit.
func hex8(x uint64) (uint64, bool) {
	const ones = 0x0101010101010101
	const high = 0x8080808080808080
	if x&high != 0 {
		return 0, false
	}
	// For bytes below 0x80, y + (0x80-c)*ones sets a byte's high bit iff
	// the byte is >= c, without carries between bytes.
	ge := func(y, c uint64) uint64 { return (y + (0x80-c)*ones) & high }
	lower := x | 0x2020202020202020 // A-F become a-f; only they and a-f land in a-f
	digit := ge(x, '0') &^ ge(x, '9'+1)
	letter := ge(lower, 'a') &^ ge(lower, 'f'+1)
	if (digit|letter)&high != high {
		return 0, false
	}
	// A digit's value is its low nibble; a letter's (bit 6 set) is 9 more.
	v := x&0x0f0f0f0f0f0f0f0f + (x>>6&ones)*9
	// Pack the nibbles, first digit most significant.
	v = (v<<4 | v>>8) & 0x00ff00ff00ff00ff
	v = (v<<8 | v>>16) & 0x0000ffff0000ffff
	v = (v<<16 | v>>32) & 0xffffffff
	return v, true
}

var hexDigit = func() (t [256]uint8) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = uint8(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = uint8(c - 'a' + 10)
		t[c-'a'+'A'] = uint8(c - 'a' + 10)
	}
	return t
}()

// setDec stores a kindDec or kindBool value.
func (st *Status) setDec(k int, v uint64) {
	switch k {
	case skTgid:
		st.TGID = int(v)
	case skNgid:
		st.NGID = int(v)
	case skPid:
		st.PID = int(v)
	case skPPid:
		st.PPID = int(v)
	case skTracerPid:
		st.TracerPID = int(v)
	case skFDSize:
		st.FDSize = int(v)
	case skThreads:
		st.Threads = int(v)
	case skSeccomp:
		st.Seccomp = SeccompMode(v)
	case skSeccompFilters:
		st.SeccompFilters = int(v)
	case skVoluntaryCtxtSwitches:
		st.VoluntaryCtxtSwitches = v
	case skNonvoluntaryCtxtSwitches:
		st.NonvoluntaryCtxtSwitches = v
	case skKthread:
		st.Kthread = v != 0
	case skCoreDumping:
		st.CoreDumping = v != 0
	case skTHPEnabled:
		st.THPEnabled = v != 0
	case skNoNewPrivs:
		st.NoNewPrivs = v != 0
	}
}

// kbField returns the field of a kindKB key.
func (st *Status) kbField(k int) *uint64 {
	switch k {
	case skVmPeak:
		return &st.VmPeak
	case skVmSize:
		return &st.VmSize
	case skVmLck:
		return &st.VmLck
	case skVmPin:
		return &st.VmPin
	case skVmHWM:
		return &st.VmHWM
	case skVmRSS:
		return &st.VmRSS
	case skRssAnon:
		return &st.RssAnon
	case skRssFile:
		return &st.RssFile
	case skRssShmem:
		return &st.RssShmem
	case skVmData:
		return &st.VmData
	case skVmStk:
		return &st.VmStk
	case skVmExe:
		return &st.VmExe
	case skVmLib:
		return &st.VmLib
	case skVmPTE:
		return &st.VmPTE
	case skVmSwap:
		return &st.VmSwap
	}
	return &st.HugetlbPages
}

// setHex stores a kindHex value.
func (st *Status) setHex(k int, v uint64) {
	switch k {
	case skSigPnd:
		st.SigPnd = SignalSet(v)
	case skShdPnd:
		st.ShdPnd = SignalSet(v)
	case skSigBlk:
		st.SigBlk = SignalSet(v)
	case skSigIgn:
		st.SigIgn = SignalSet(v)
	case skSigCgt:
		st.SigCgt = SignalSet(v)
	case skCapInh:
		st.CapInh = CapSet(v)
	case skCapPrm:
		st.CapPrm = CapSet(v)
	case skCapEff:
		st.CapEff = CapSet(v)
	case skCapBnd:
		st.CapBnd = CapSet(v)
	case skCapAmb:
		st.CapAmb = CapSet(v)
	}
}

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
