package procfs

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"math/bits"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/internal/parse"
)

// statusFast reads the lines of a status file that come in the kernel's
// order (statusKeys) with values in the kernel's usual forms, and returns
// the index of the first line it did not read: len(b) when it read all.
// parseStatus reads the rest with its general loop, which takes any order
// and form and reports errors. A key this kernel does not print is
// skipped; a line it does not expect (an unknown key, a key out of order,
// an unusual value) ends the fast path there.
//
// The steps are written out in the kernel's order, so that each line costs
// one direct call, one 8-byte comparison for most keys, and the reading
// of its value; the loop of parseStatus looks each key up and dispatches
// on its kind, which costs several times more on a file read as often as
// this one.
func statusFast(b []byte, st *Status, v *[len(statusKeys)]uint64) int {
	i, ok := stOther(b, 0, skName, st, v)
	if !ok {
		return i
	}
	if i, ok = stUmask(b, i, st); !ok {
		return i
	}
	if i, ok = stState(b, i, st); !ok {
		return i
	}
	for k := skTgid; k <= skTracerPid; k++ {
		if i, ok = stDec(b, i, k, v); !ok {
			return i
		}
	}
	if i, ok = stIDs(b, i, skUid, st); !ok {
		return i
	}
	if i, ok = stIDs(b, i, skGid, st); !ok {
		return i
	}
	if i, ok = stDec(b, i, skFDSize, v); !ok {
		return i
	}
	if i, ok = stGroups(b, i, st, v); !ok {
		return i
	}
	for k := skNStgid; k <= skNSsid; k++ {
		if i, ok = stNS(b, i, k, st); !ok {
			return i
		}
	}
	if i, ok = stDec(b, i, skKthread, v); !ok {
		return i
	}
	for k := skVmPeak; k <= skHugetlbPages; k++ {
		if i, ok = stKB(b, i, k, v); !ok {
			return i
		}
	}
	if i, ok = stDec(b, i, skCoreDumping, v); !ok {
		return i
	}
	if i, ok = stDec(b, i, skTHPEnabled, v); !ok {
		return i
	}
	if i, ok = stUntagMask(b, i, st); !ok {
		return i
	}
	if i, ok = stDec(b, i, skThreads, v); !ok {
		return i
	}
	if i, ok = stSigQ(b, i, st); !ok {
		return i
	}
	for k := skSigPnd; k <= skCapAmb; k++ {
		if i, ok = stHex(b, i, k, v); !ok {
			return i
		}
	}
	for k := skNoNewPrivs; k <= skSeccompFilters; k++ {
		if i, ok = stDec(b, i, k, v); !ok {
			return i
		}
	}
	for k := skSpeculation_Store_Bypass; k <= skX86_ThreadFeaturesLocked; k++ {
		switch k {
		case skCpusAllowed, skMemsAllowed:
			i, ok = stSkip(b, i, k)
		case skVoluntaryCtxtSwitches, skNonvoluntaryCtxtSwitches:
			i, ok = stDec(b, i, k, v)
		default:
			i, ok = stOther(b, i, k, st, v)
		}
		if !ok {
			return i
		}
	}
	return i
}

// The steps of statusFast. Each looks at the line at b[i:]: if its key is
// not k, it returns i (the kernel does not print k); if it reads the
// line, the index of the next; if the line has key k but a value it
// does not read, i and false.

// stKey returns the index after "k:" if the line at b[i:] has key k, or
// -1.
func stKey(b []byte, i, k int) int {
	if !statusKeyAt(b, i, k) {
		return -1
	}
	return i + len(statusKeys[k]) + 1
}

// stDec reads "k:\t1234\n" into v[k].
func stDec(b []byte, i, k int, v *[len(statusKeys)]uint64) (int, bool) {
	c := stKey(b, i, k)
	if c < 0 {
		return i, true
	}
	x, e, ok := tabDec(b, c)
	if !ok || x > decMax(k) {
		return i, false
	}
	v[k] = x
	return e, true
}

// stKB reads "k:\t    5260 kB\n" (the kernel's "%8lu kB") into v[k], in
// bytes.
func stKB(b []byte, i, k int, v *[len(statusKeys)]uint64) (int, bool) {
	c := stKey(b, i, k)
	if c < 0 {
		return i, true
	}
	x, ok := parse.Width8(b, c+1)
	if !ok || b[c] != '\t' || len(b)-c < 13 || binary.LittleEndian.Uint32(b[c+9:]) != 0x0a426b20 { // " kB\n"
		return i, false
	}
	v[k] = x << 10
	return c + 13, true
}

// stHex reads "k:\t0000000000000000\n" into v[k].
func stHex(b []byte, i, k int, v *[len(statusKeys)]uint64) (int, bool) {
	c := stKey(b, i, k)
	if c < 0 {
		return i, true
	}
	x, n, ok := parse.ScanHex(b[c:])
	if !ok {
		return i, false
	}
	v[k] = x
	return c + n, true
}

// stNS reads "k:\t1234\n", a process in one PID namespace, into the list
// of k.
func stNS(b []byte, i, k int, st *Status) (int, bool) {
	c := stKey(b, i, k)
	if c < 0 {
		return i, true
	}
	x, e, ok := tabDec(b, c)
	if !ok {
		return i, false
	}
	appendNS(st, k, int(x))
	return e, true
}

// stIDs reads "Uid:\t0\t0\t0\t0\n" (or Gid): four ids of up to six digits.
func stIDs(b []byte, i, k int, st *Status) (int, bool) {
	c := stKey(b, i, k)
	if c < 0 {
		return i, true
	}
	var ids [4]uint32
	for j := range ids {
		w := parse.Load8(b, c)
		t := w>>8 - 0x30*ones
		n := bits.TrailingZeros64((t|(t+0x76*ones))&(0x80*ones)) >> 3
		if byte(w) != '\t' || uint(n-1) >= 6 {
			return i, false
		}
		ids[j] = uint32(parse.Swar8(t << ((64 - 8*n) & 63)))
		c += 1 + n
	}
	if c >= len(b) || b[c] != '\n' {
		return i, false
	}
	if k == skUid {
		st.UID = cred.UIDs{Real: cred.UID(ids[0]), Effective: cred.UID(ids[1]), Saved: cred.UID(ids[2]), FS: cred.UID(ids[3])}
	} else {
		st.GID = cred.GIDs{Real: cred.GID(ids[0]), Effective: cred.GID(ids[1]), Saved: cred.GID(ids[2]), FS: cred.GID(ids[3])}
	}
	return c + 1, true
}

// stGroups reads "Groups:\t \n", no supplementary groups, itself, and any
// other list with stOther.
func stGroups(b []byte, i int, st *Status, v *[len(statusKeys)]uint64) (int, bool) {
	c := stKey(b, i, skGroups)
	if c < 0 {
		return i, true
	}
	if len(b)-c >= 3 && b[c] == '\t' && b[c+1] == ' ' && b[c+2] == '\n' {
		return c + 3, true
	}
	return stOther(b, i, skGroups, st, v)
}

// stUmask reads "Umask:\t0022\n".
func stUmask(b []byte, i int, st *Status) (int, bool) {
	c := stKey(b, i, skUmask)
	if c < 0 {
		return i, true
	}
	// Four octal digits: each byte minus '0' below 8.
	if len(b)-c < 6 || b[c] != '\t' || b[c+5] != '\n' {
		return i, false
	}
	// "0" and three octal digits: each byte minus '0' below 8 (a byte
	// below '0' borrows and sets high bits too), the first 0.
	d := binary.BigEndian.Uint32(b[c+1:]) - 0x30303030
	if d&0xfff8f8f8 != 0 {
		return i, false
	}
	st.Umask = fs.FileMode(d>>16&7<<6 | d>>8&7<<3 | d&7)
	return c + 6, true
}

// stState reads "State:\tS (sleeping)\n": the letter.
func stState(b []byte, i int, st *Status) (int, bool) {
	c := stKey(b, i, skState)
	if c < 0 {
		return i, true
	}
	nl := bytes.IndexByte(b[c:], '\n')
	if nl < 3 || b[c] != '\t' || b[c+1] == ' ' || b[c+1] == '\t' {
		return i, false
	}
	st.State = State(b[c+1])
	return c + nl + 1, true
}

// stUntagMask reads "untag_mask:\t0xffffffffffffffff\n".
func stUntagMask(b []byte, i int, st *Status) (int, bool) {
	c := stKey(b, i, skUntagMask)
	if c < 0 {
		return i, true
	}
	if len(b)-c < 20 || b[c] != '\t' || b[c+1] != '0' || b[c+2] != 'x' || b[c+19] != '\n' {
		return i, false
	}
	hi, ok1 := parse.Hex8(binary.LittleEndian.Uint64(b[c+3:]))
	lo, ok2 := parse.Hex8(binary.LittleEndian.Uint64(b[c+11:]))
	if !ok1 || !ok2 {
		return i, false
	}
	st.UntagMask = hi<<32 | lo
	return c + 20, true
}

// stSigQ reads "SigQ:\t0/96555\n".
func stSigQ(b []byte, i int, st *Status) (int, bool) {
	c := stKey(b, i, skSigQ)
	if c < 0 {
		return i, true
	}
	if c >= len(b) || b[c] != '\t' {
		return i, false
	}
	q, n, ok := leadNumber(b[c+1:])
	if !ok || c+1+n >= len(b) || b[c+1+n] != '/' {
		return i, false
	}
	j := c + 2 + n
	l, m, ok := leadNumber(b[j:])
	if !ok || j+m >= len(b) || b[j+m] != '\n' {
		return i, false
	}
	st.SigQ = SigQueue{Queued: q, Limit: l}
	return j + m + 1, true
}

// stSkip passes over the line of k, which parseStatus does not read.
func stSkip(b []byte, i, k int) (int, bool) {
	c := stKey(b, i, k)
	if c < 0 {
		return i, true
	}
	nl := bytes.IndexByte(b[c:], '\n')
	if nl < 0 {
		return i, false
	}
	return c + nl + 1, true
}

// stOther reads the line of k with the general code of parseStatus.
func stOther(b []byte, i, k int, st *Status, v *[len(statusKeys)]uint64) (int, bool) {
	c := stKey(b, i, k)
	if c < 0 {
		return i, true
	}
	nl := bytes.IndexByte(b[c:], '\n')
	if nl < 0 {
		return i, false
	}
	raw := b[c : c+nl]
	if k == skName {
		// The name is everything after the one tab, spaces and all.
		if len(raw) > 0 && raw[0] == '\t' {
			raw = raw[1:]
		}
		unescapeComm(&st.Name, raw)
	} else if st.parseValue(k, parse.TrimBlank(raw), v) != nil {
		return i, false // the general loop reports it
	}
	return c + nl + 1, true
}
