package procfs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"math/bits"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/seccomp"
	"github.com/lxgo/lx/signal"
)

var errSyntax = errors.New("syntax error")

// parseStatus parses a status file into st, keeping st's slices and CPU
// set caches for reuse.
//
// It is one pass over the lines. The kernel prints the keys in a fixed
// order, so the key after the previous line's is tried first, with one
// 8-byte comparison for most keys. The values in the kernel's usual form
// are read by fast paths (eight digits at a time for numbers, one load
// for a kB value right-aligned in its field of eight); anything else goes
// to parseValue, which also reports errors. Numeric values are collected
// in v and stored into st at the end (fill).
func parseStatus(b []byte, st *Status) error {
	groups, nstgid, nspid, nspgid, nssid := st.Groups[:0], st.NSTGID[:0], st.NSPID[:0], st.NSPGID[:0], st.NSSID[:0]
	cpus, mems, cpusRaw, memsRaw := st.CPUsAllowed, st.MemsAllowed, st.cpusRaw, st.memsRaw
	*st = Status{}
	st.Groups, st.NSTGID, st.NSPID, st.NSPGID, st.NSSID = groups, nstgid, nspid, nspgid, nssid
	st.CPUsAllowed, st.MemsAllowed, st.cpusRaw, st.memsRaw = cpus, mems, cpusRaw, memsRaw
	var v [len(statusKeys)]uint64 // the values of the numeric keys (kinds Dec, KB, Hex)
	i := statusFast(b, st, &v)
	if i == len(b) {
		st.fill(&v)
		return nil
	}
	// The general loop, from the first line the fast path did not read.
	hint := 0
	for line := 1 + bytes.Count(b[:i], []byte{'\n'}); i < len(b); line++ {
		start := i
		k, c := skUnknown, 0 // the key and the index of its ':'
		if hint < len(statusKeys) && statusKeyAt(b, i, hint) {
			k, c = hint, i+len(statusKeys[hint])
		} else {
			c = i
			for c < len(b) && b[c] != ':' && b[c] != '\n' {
				c++
			}
			if c == len(b) {
				break
			}
			if b[c] == '\n' {
				i = c + 1
				continue
			}
			k = statusKey(b[i:c])
		}
		if k >= 0 {
			hint = k + 1
			// The fast paths consume the line when its value is in the
			// kernel's usual form; otherwise the general code below reads
			// it and reports errors.
			switch statusKinds[k] {
			case kindDec:
				if x, e, ok := tabDec(b, c+1); ok && x <= decMax(k) {
					v[k], i = x, e
					continue
				}
			case kindKB:
				// "\t    5260 kB\n"
				if x, ok := parse.Width8(b, c+2); ok && b[c+1] == '\t' && len(b)-c >= 14 &&
					binary.LittleEndian.Uint32(b[c+10:]) == 0x0a426b20 {
					v[k], i = x<<10, c+14
					continue
				}
			case kindHex:
				if x, n, ok := parse.ScanHex(b[c+1:]); ok {
					v[k], i = x, c+1+n
					continue
				}
			case kindNS:
				if x, e, ok := tabDec(b, c+1); ok {
					appendNS(st, k, int(x))
					i = e
					continue
				}
			case kindSkip:
				if nl := bytes.IndexByte(b[c+1:], '\n'); nl >= 0 {
					i = c + 2 + nl
					continue
				}
			}
		}
		// The general path. The line's end: values can be long
		// (Mems_allowed has 288 bytes).
		raw := b[c+1:]
		if nl := bytes.IndexByte(raw, '\n'); nl >= 0 {
			raw, i = raw[:nl], c+2+nl
		} else {
			i = len(b)
		}
		if k == skName {
			// The name is everything after the one tab, spaces and all.
			if len(raw) > 0 && raw[0] == '\t' {
				raw = raw[1:]
			}
			unescapeComm(&st.Name, raw)
			continue
		}
		if err := st.parseValue(k, parse.TrimBlank(raw), &v); err != nil {
			return parseErr(line, string(b[start:c]), err)
		}
	}
	st.fill(&v)
	return nil
}

// tabDec reads "\t1234\n" at b[i:], the kernel's form of a decimal value
// in /proc/PID/status: a tab, 1 to 6 digits (from one 8-byte load) and a
// newline. Other forms (spaces, more digits) go to parse.ScanDec. It
// returns the value and the index after the newline.
func tabDec(b []byte, i int) (x uint64, end int, ok bool) {
	w := parse.Load8(b, i)
	t := w>>8 - 0x30*ones
	n := bits.TrailingZeros64((t|(t+0x76*ones))&(0x80*ones)) >> 3
	if byte(w) == '\t' && uint(n-1) < 6 && byte(w>>(8*(n+1)&63)) == '\n' && len(b)-i >= n+2 {
		return parse.Swar8(t << ((64 - 8*n) & 63)), i + n + 2, true
	}
	if i > len(b) {
		return 0, 0, false
	}
	x, m, ok := parse.ScanDec(b[i:])
	return x, i + m, ok
}

// appendNS appends a namespace id to the list of the NS* key k.
func appendNS(st *Status, k int, x int) {
	switch k {
	case skNStgid:
		st.NSTGID = append(st.NSTGID, x)
	case skNSpid:
		st.NSPID = append(st.NSPID, x)
	case skNSpgid:
		st.NSPGID = append(st.NSPGID, x)
	case skNSsid:
		st.NSSID = append(st.NSSID, x)
	}
}

// parseValue parses the value val (trimmed) of key k: the general path of
// parseStatus. Numeric keys go to v[k], the others into st.
func (st *Status) parseValue(k int, val []byte, v *[len(statusKeys)]uint64) (err error) {
	var x uint64
	switch k {
	case skUmask:
		var u uint64
		u, err = parse.UintBase(val, 8)
		if err == nil && u > 0o777 {
			err = errRange("umask", val)
		}
		st.Umask = fs.FileMode(u)
	case skState:
		if len(val) == 0 {
			err = errSyntax
			break
		}
		st.State = State(val[0])
	case skTgid, skNgid, skPid, skPPid, skTracerPid, skFDSize, skThreads, skSeccompFilters:
		var n int
		n, err = statusInt(val)
		x = uint64(n)
	case skUid:
		var ids [4]uint32
		ids, err = parseIDs(val)
		st.UID = cred.UIDs{Real: cred.UID(ids[0]), Effective: cred.UID(ids[1]), Saved: cred.UID(ids[2]), FS: cred.UID(ids[3])}
	case skGid:
		var ids [4]uint32
		ids, err = parseIDs(val)
		st.GID = cred.GIDs{Real: cred.GID(ids[0]), Effective: cred.GID(ids[1]), Saved: cred.GID(ids[2]), FS: cred.GID(ids[3])}
	case skGroups:
		st.Groups, err = parse.AppendUint32s(st.Groups, val)
	case skNStgid:
		st.NSTGID, err = parse.AppendInts(st.NSTGID, val)
	case skNSpid:
		st.NSPID, err = parse.AppendInts(st.NSPID, val)
	case skNSpgid:
		st.NSPGID, err = parse.AppendInts(st.NSPGID, val)
	case skNSsid:
		st.NSSID, err = parse.AppendInts(st.NSSID, val)
	case skKthread, skCoreDumping, skTHPEnabled, skNoNewPrivs:
		var f bool
		f, err = statusBool(val)
		if f {
			x = 1
		}
	case skVmPeak, skVmSize, skVmLck, skVmPin, skVmHWM, skVmRSS, skRssAnon, skRssFile, skRssShmem,
		skVmData, skVmStk, skVmExe, skVmLib, skVmPTE, skVmSwap, skHugetlbPages:
		x, err = parse.KB(val)
	case skUntagMask:
		if len(val) > 2 && val[0] == '0' && (val[1] == 'x' || val[1] == 'X') {
			val = val[2:]
		}
		st.UntagMask, err = parse.Hex(val)
	case skSigQ:
		q, l, ok := bytes.Cut(val, []byte{'/'})
		if !ok {
			err = errSyntax
			break
		}
		if st.SigQ.Queued, err = parse.Uint(q); err == nil {
			st.SigQ.Limit, err = parse.Uint(l)
		}
	case skSigPnd, skShdPnd, skSigBlk, skSigIgn, skSigCgt:
		var s signal.Set
		s, err = signal.ParseHex(val)
		x = uint64(s)
	case skCapInh, skCapPrm, skCapEff, skCapBnd, skCapAmb:
		var s capability.Set
		s, err = capability.ParseHex(val)
		x = uint64(s)
	case skSeccomp:
		x, err = parse.Uint(val)
		if err == nil && x > decMax(skSeccomp) {
			err = errRange("seccomp mode", val)
		}
	case skSpeculation_Store_Bypass:
		st.SpeculationStoreBypass = parseSpecStoreBypass(val)
	case skSpeculationIndirectBranch:
		st.SpeculationIndirectBranch = parseSpecIndirectBranch(val)
	case skCpusAllowedList:
		st.CPUsAllowed, st.cpusRaw, err = parseSetCached(val, st.CPUsAllowed, st.cpusRaw)
	case skMemsAllowedList:
		st.MemsAllowed, st.memsRaw, err = parseSetCached(val, st.MemsAllowed, st.memsRaw)
	case skVoluntaryCtxtSwitches, skNonvoluntaryCtxtSwitches:
		x, err = parse.Uint(val)
	case skX86_ThreadFeatures:
		st.X86ThreadFeatures = parseX86Features(val)
	case skX86_ThreadFeaturesLocked:
		st.X86ThreadFeaturesLocked = parseX86Features(val)
	}
	if k >= 0 && statusKinds[k] >= kindDec && statusKinds[k] <= kindHex {
		v[k] = x
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

// statusKeyWords holds the first 32 bytes of each "key:" (little-endian
// words, zero-padded) with masks of its length, so that a key is compared
// with two loads (four for the keys longer than 15 characters) instead of
// a memequal call, and the largest value the fast path stores for it
// (decMax).
var statusKeyWords = func() (t [len(statusKeys)]struct {
	w0, m0, w1, m1, w2, m2, w3, m3 uint64
	n                              int    // len("key:")
	max                            uint64 // decMax
}) {
	for i, k := range statusKeys {
		var w, m [32]byte
		n := copy(w[:], k+":")
		for j := range n {
			m[j] = 0xff
		}
		t[i].n = n
		t[i].max = decMax(i)
		t[i].w0, t[i].m0 = binary.LittleEndian.Uint64(w[0:]), binary.LittleEndian.Uint64(m[0:])
		t[i].w1, t[i].m1 = binary.LittleEndian.Uint64(w[8:]), binary.LittleEndian.Uint64(m[8:])
		t[i].w2, t[i].m2 = binary.LittleEndian.Uint64(w[16:]), binary.LittleEndian.Uint64(m[16:])
		t[i].w3, t[i].m3 = binary.LittleEndian.Uint64(w[24:]), binary.LittleEndian.Uint64(m[24:])
	}
	return t
}()

// statusKeyAt reports whether b[i:] starts with statusKeys[h] and ':'.
func statusKeyAt(b []byte, i, h int) bool {
	key := statusKeys[h]
	if len(b)-i <= len(key) {
		return false
	}
	kw := &statusKeyWords[h]
	if i >= 0 && len(b)-i >= 16 {
		s := b[i : i+16 : i+16] // a fixed length: no bounds check per load
		if binary.LittleEndian.Uint64(s[:8])&kw.m0 != kw.w0 || binary.LittleEndian.Uint64(s[8:])&kw.m1 != kw.w1 {
			return false
		}
	} else if parse.Load8(b, i)&kw.m0 != kw.w0 || parse.Load8(b, i+8)&kw.m1 != kw.w1 {
		return false
	}
	return len(key) < 16 || string(b[i+16:i+len(key)]) == key[16:] && b[i+len(key)] == ':'
}

// Value forms with a fast path in parseStatus.
const (
	kindOther = iota
	kindDec   // a decimal number, or a 0/1 flag (see decMax)
	kindKB    // "   1234 kB"
	kindHex   // 16 hex digits: signal and capability sets
	kindNS    // NStgid and friends: usually one number
	kindSkip  // a line parseStatus does not read (Cpus_allowed, Mems_allowed: the lists say the same)
)

var statusKinds = func() (t [len(statusKeys)]uint8) {
	for _, k := range []int{skTgid, skNgid, skPid, skPPid, skTracerPid, skFDSize, skThreads, skSeccomp,
		skSeccompFilters, skVoluntaryCtxtSwitches, skNonvoluntaryCtxtSwitches} {
		t[k] = kindDec
	}
	for _, k := range []int{skKthread, skCoreDumping, skTHPEnabled, skNoNewPrivs} {
		t[k] = kindDec
	}
	for k := skVmPeak; k <= skHugetlbPages; k++ {
		t[k] = kindKB
	}
	for k := skSigPnd; k <= skCapAmb; k++ {
		t[k] = kindHex
	}
	for k := skNStgid; k <= skNSsid; k++ {
		t[k] = kindNS
	}
	t[skCpusAllowed], t[skMemsAllowed] = kindSkip, kindSkip
	return t
}()

// decMax returns the largest value the fast path stores for the kindDec
// key k: a larger one is left to parseValue, which reports it.
func decMax(k int) uint64 {
	switch k {
	case skKthread, skCoreDumping, skTHPEnabled, skNoNewPrivs:
		return 1 // flags: 0 or 1
	case skSeccomp:
		return 1<<8 - 1 // seccomp.Mode is a uint8
	case skVoluntaryCtxtSwitches, skNonvoluntaryCtxtSwitches:
		return 1<<64 - 1
	}
	return uint64(maxInt) // fields of type int
}

const maxInt = int(^uint(0) >> 1)

// fill stores the numeric values parseStatus collected.
func (st *Status) fill(v *[len(statusKeys)]uint64) {
	st.TGID = int(v[skTgid])
	st.NGID = int(v[skNgid])
	st.PID = int(v[skPid])
	st.PPID = int(v[skPPid])
	st.TracerPID = int(v[skTracerPid])
	st.FDSize = int(v[skFDSize])
	st.Kthread = v[skKthread] != 0
	st.VmPeak = v[skVmPeak]
	st.VmSize = v[skVmSize]
	st.VmLck = v[skVmLck]
	st.VmPin = v[skVmPin]
	st.VmHWM = v[skVmHWM]
	st.VmRSS = v[skVmRSS]
	st.RssAnon = v[skRssAnon]
	st.RssFile = v[skRssFile]
	st.RssShmem = v[skRssShmem]
	st.VmData = v[skVmData]
	st.VmStk = v[skVmStk]
	st.VmExe = v[skVmExe]
	st.VmLib = v[skVmLib]
	st.VmPTE = v[skVmPTE]
	st.VmSwap = v[skVmSwap]
	st.HugetlbPages = v[skHugetlbPages]
	st.CoreDumping = v[skCoreDumping] != 0
	st.THPEnabled = v[skTHPEnabled] != 0
	st.Threads = int(v[skThreads])
	st.SigPnd = signal.Set(v[skSigPnd])
	st.ShdPnd = signal.Set(v[skShdPnd])
	st.SigBlk = signal.Set(v[skSigBlk])
	st.SigIgn = signal.Set(v[skSigIgn])
	st.SigCgt = signal.Set(v[skSigCgt])
	st.CapInh = capability.Set(v[skCapInh])
	st.CapPrm = capability.Set(v[skCapPrm])
	st.CapEff = capability.Set(v[skCapEff])
	st.CapBnd = capability.Set(v[skCapBnd])
	st.CapAmb = capability.Set(v[skCapAmb])
	st.NoNewPrivs = v[skNoNewPrivs] != 0
	st.Seccomp = seccomp.Mode(v[skSeccomp])
	st.SeccompFilters = int(v[skSeccompFilters])
	st.VoluntaryCtxtSwitches = v[skVoluntaryCtxtSwitches]
	st.NonvoluntaryCtxtSwitches = v[skNonvoluntaryCtxtSwitches]
}

// statusKey returns the index of key in statusKeys, or skUnknown.
func statusKey(key []byte) int {
	for i, k := range statusKeys {
		if string(key) == k {
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
	// A fresh copy, never written again: copies of a Status share it. It
	// is what is parsed, so that v, which may be on the reader's stack
	// (ReadStatus), does not escape through cpuset's generic parser.
	raw := append([]byte(nil), v...)
	s, err := cpuset.ParseBytes(raw)
	if err != nil {
		return cpuset.Set{}, nil, err
	}
	return s, raw, nil
}

// statusInt parses a decimal that must fit an int.
func statusInt(v []byte) (int, error) {
	n, err := parse.Int(v)
	if err == nil && int64(int(n)) != n {
		err = errRange("int", v)
	}
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

// parseIDs parses the four ids of a Uid or Gid line: real, effective,
// saved and filesystem.
func parseIDs(v []byte) ([4]uint32, error) {
	var ids [4]uint32
	for i := range ids {
		var f []byte
		f, v = parse.Field(v)
		n, err := parse.Uint(f)
		if err != nil {
			return [4]uint32{}, err
		}
		if n > 1<<32-1 {
			return [4]uint32{}, errRange("id", f)
		}
		ids[i] = uint32(n)
	}
	return ids, nil
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
