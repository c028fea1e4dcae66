package procfs

// The status parser as it was before its fast path (issue 8), kept as the
// oracle of FuzzParseStatus: on any input the parser must give what this
// one gives, value and error alike.

import (
	"bytes"
	"encoding/binary"
	"io/fs"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/seccomp"
	"github.com/lxgo/lx/signal"
)

// parseStatusRef parses a status file into st, keeping st's slices and CPU
// set caches for reuse.
func parseStatusRef(b []byte, st *Status) error {
	groups, nstgid, nspid, nspgid, nssid := st.Groups[:0], st.NSTGID[:0], st.NSPID[:0], st.NSPGID[:0], st.NSSID[:0]
	cpus, mems, cpusRaw, memsRaw := st.CPUsAllowed, st.MemsAllowed, st.cpusRaw, st.memsRaw
	*st = Status{}
	st.Groups, st.NSTGID, st.NSPID, st.NSPGID, st.NSSID = groups, nstgid, nspid, nspgid, nssid
	st.CPUsAllowed, st.MemsAllowed, st.cpusRaw, st.memsRaw = cpus, mems, cpusRaw, memsRaw
	hint := 0
	for line := 1; len(b) > 0; line++ {
		// The kernel prints the keys in a fixed order: try the key that
		// follows the previous one first, which spares the search for ':'.
		// Otherwise find the ':' by hand (keys are short).
		k := skUnknown
		var key, raw []byte
		if h := hint; h < len(statusKeys) && statusKeyAtRef(b, h) {
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
			k = statusKeyRef(key, &hint)
		}
		// Fast paths for the common value forms, which consume the line
		// in one pass; anything unusual falls through to the general code
		// below, which also reports errors.
		if k >= 0 {
			switch statusKindsRef[k] {
			case kindDec:
				if v, n, ok := parse.ScanDec(raw); ok && v <= decMaxRef(k) {
					setDecRef(st, k, v)
					b = raw[n:]
					continue
				}
			case kindKB:
				if v, n, ok := parse.ScanKB(raw); ok {
					*kbFieldRef(st, k) = v
					b = raw[n:]
					continue
				}
			case kindHex:
				if v, n, ok := parse.ScanHex(raw); ok {
					setHexRef(st, k, v)
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
		if err := statusValueRef(st, k, parse.TrimBlank(raw)); err != nil {
			return parseErr(line, string(key), err)
		}
	}
	return nil
}

// statusValueRef parses the value v (trimmed) of key k into st: the general
// path of parseStatus.
func statusValueRef(st *Status, k int, v []byte) (err error) {
	switch k {
	case skUmask:
		var u uint64
		u, err = parse.UintBase(v, 8)
		if err == nil && u > 0o777 {
			err = errRange("umask", v)
		}
		st.Umask = fs.FileMode(u)
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
		var ids [4]uint32
		ids, err = parseIDs(v)
		st.UID = cred.UIDs{Real: cred.UID(ids[0]), Effective: cred.UID(ids[1]), Saved: cred.UID(ids[2]), FS: cred.UID(ids[3])}
	case skGid:
		var ids [4]uint32
		ids, err = parseIDs(v)
		st.GID = cred.GIDs{Real: cred.GID(ids[0]), Effective: cred.GID(ids[1]), Saved: cred.GID(ids[2]), FS: cred.GID(ids[3])}
	case skFDSize:
		st.FDSize, err = statusInt(v)
	case skGroups:
		st.Groups, err = parse.AppendUint32s(st.Groups, v)
	case skNStgid:
		st.NSTGID, err = parse.AppendInts(st.NSTGID, v)
	case skNSpid:
		st.NSPID, err = parse.AppendInts(st.NSPID, v)
	case skNSpgid:
		st.NSPGID, err = parse.AppendInts(st.NSPGID, v)
	case skNSsid:
		st.NSSID, err = parse.AppendInts(st.NSSID, v)
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
		st.SigPnd, err = signal.ParseHex(v)
	case skShdPnd:
		st.ShdPnd, err = signal.ParseHex(v)
	case skSigBlk:
		st.SigBlk, err = signal.ParseHex(v)
	case skSigIgn:
		st.SigIgn, err = signal.ParseHex(v)
	case skSigCgt:
		st.SigCgt, err = signal.ParseHex(v)
	case skCapInh:
		st.CapInh, err = capability.ParseHex(v)
	case skCapPrm:
		st.CapPrm, err = capability.ParseHex(v)
	case skCapEff:
		st.CapEff, err = capability.ParseHex(v)
	case skCapBnd:
		st.CapBnd, err = capability.ParseHex(v)
	case skCapAmb:
		st.CapAmb, err = capability.ParseHex(v)
	case skNoNewPrivs:
		st.NoNewPrivs, err = statusBool(v)
	case skSeccomp:
		var n uint64
		n, err = parse.Uint(v)
		if err == nil && n > decMaxRef(skSeccomp) {
			err = errRange("seccomp mode", v)
		}
		st.Seccomp = seccomp.Mode(n)
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

// statusKeyAtRef reports whether b starts with statusKeys[h] and ':'.
func statusKeyAtRef(b []byte, h int) bool {
	key := statusKeys[h]
	if len(b) <= len(key) {
		return false
	}
	if len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&statusKeyWords[h].m0 != statusKeyWords[h].w0 {
			return false
		}
		if len(key) < 8 {
			return true
		}
		return string(b[8:len(key)]) == key[8:] && b[len(key)] == ':'
	}
	return string(b[:len(key)]) == key && b[len(key)] == ':'
}

var statusKindsRef = func() (t [len(statusKeys)]uint8) {
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
	return t
}()

// decMaxRef returns the largest value the fast path stores for the kindDec
// key k: a larger one is left to parseValue, which reports it.
func decMaxRef(k int) uint64 {
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

// setDecRef stores a kindDec value.
func setDecRef(st *Status, k int, v uint64) {
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
		st.Seccomp = seccomp.Mode(v)
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

// kbFieldRef returns the field of a kindKB key.
func kbFieldRef(st *Status, k int) *uint64 {
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

// setHexRef stores a kindHex value.
func setHexRef(st *Status, k int, v uint64) {
	switch k {
	case skSigPnd:
		st.SigPnd = signal.Set(v)
	case skShdPnd:
		st.ShdPnd = signal.Set(v)
	case skSigBlk:
		st.SigBlk = signal.Set(v)
	case skSigIgn:
		st.SigIgn = signal.Set(v)
	case skSigCgt:
		st.SigCgt = signal.Set(v)
	case skCapInh:
		st.CapInh = capability.Set(v)
	case skCapPrm:
		st.CapPrm = capability.Set(v)
	case skCapEff:
		st.CapEff = capability.Set(v)
	case skCapBnd:
		st.CapBnd = capability.Set(v)
	case skCapAmb:
		st.CapAmb = capability.Set(v)
	}
}

// statusKeyRef returns the index of key in statusKeys, or skUnknown, and
// sets *hint to the index after it.
func statusKeyRef(key []byte, hint *int) int {
	for i, k := range statusKeys {
		if string(key) == k {
			*hint = i + 1
			return i
		}
	}
	return skUnknown
}
