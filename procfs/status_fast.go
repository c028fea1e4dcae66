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
	i, ok := stName(b, st, v)
	if !ok {
		return i
	}
	if i, ok = stUmask(b, i, st); !ok {
		return i
	}
	if i, ok = stState(b, i, st); !ok {
		return i
	}
	if i, ok = stDecRun(b, i, skTgid, skTracerPid, v); !ok {
		return i
	}
	if i, ok = stIDs(b, i, skUid, st); !ok {
		return i
	}
	if i, ok = stIDs(b, i, skGid, st); !ok {
		return i
	}
	if i, ok = stDecRun(b, i, skFDSize, skFDSize, v); !ok {
		return i
	}
	if i, ok = stGroups(b, i, st, v); !ok {
		return i
	}
	if i, ok = stNSRun(b, i, st, v); !ok {
		return i
	}
	if j, ok := statusMemBlock.read(b, i, v); ok {
		i = j
	} else {
		if i, ok = stDec(b, i, skKthread, v); !ok {
			return i
		}
		if j, ok := statusKBBlock.read(b, i, v); ok {
			i = j
		} else {
			for k := skVmPeak; k <= skHugetlbPages; k++ {
				if i, ok = stKB(b, i, k, v); !ok {
					return i
				}
			}
		}
		if i, ok = stDecRun(b, i, skCoreDumping, skTHPEnabled, v); !ok {
			return i
		}
	}
	if i, ok = stUntagMask(b, i, st); !ok {
		return i
	}
	if i, ok = stDecRun(b, i, skThreads, skThreads, v); !ok {
		return i
	}
	if i, ok = stSigQ(b, i, st); !ok {
		return i
	}
	if j, ok := statusSetBlock.read(b, i, v); ok {
		i = j
	} else {
		if j, ok := statusHexBlock.read(b, i, v); ok {
			i = j
		} else {
			for k := skSigPnd; k <= skCapAmb; k++ {
				if i, ok = stHex(b, i, k, v); !ok {
					return i
				}
			}
		}
		if i, ok = stDecRun(b, i, skNoNewPrivs, skSeccompFilters, v); !ok {
			return i
		}
	}
	for k := skSpeculation_Store_Bypass; k <= skSpeculationIndirectBranch; k++ {
		if i, ok = stSpec(b, i, k, st, v); !ok {
			return i
		}
	}
	if i, ok = stSkip(b, i, skCpusAllowed); !ok {
		return i
	}
	if i, ok = stList(b, i, skCpusAllowedList, st, v); !ok {
		return i
	}
	if i, ok = stSkip(b, i, skMemsAllowed); !ok {
		return i
	}
	if i, ok = stList(b, i, skMemsAllowedList, st, v); !ok {
		return i
	}
	if i, ok = stDecRun(b, i, skVoluntaryCtxtSwitches, skNonvoluntaryCtxtSwitches, v); !ok {
		return i
	}
	// x86 shadow stacks (Linux 6.6), at the end of the file.
	for k := skX86_ThreadFeatures; k <= skX86_ThreadFeaturesLocked && i < len(b); k++ {
		if i, ok = stOther(b, i, k, st, v); !ok {
			return i
		}
	}
	return i
}

// The steps of statusFast. Each looks at the line at b[i:]: if its key is
// not k, it returns i (the kernel does not print k); if it reads the
// line, the index of the next; if the line has key k but a value it
// does not read, i and false.

// keyAt returns the index after key at b[i:], or -1 if the line at b[i:]
// does not start with it. key is a constant "key:" of up to 8 bytes,
// which the compiler compares as immediates, without the table
// statusKeyWords that stKey reads and without a call: the steps of a
// single short key use it. (A longer one is a call to runtime.memequal:
// those use stKey.)
func keyAt(b []byte, i int, key string) int {
	if i >= 0 && len(b)-i >= len(key) && string(b[i:i+len(key)]) == key {
		return i + len(key)
	}
	return -1
}

// stKey returns the index after "k:" if the line at b[i:] has key k, or
// -1: with keyIn when a window's bytes remain, else with statusKeyAt.
func stKey(b []byte, i, k int) int {
	if i >= 0 && len(b)-i >= statusWindow {
		if c := keyIn((*[statusWindow]byte)(b[i:]), k); c != 0 {
			return i + c
		}
		return -1
	}
	if !statusKeyAt(b, i, k) {
		return -1
	}
	return i + len(statusKeys[k]) + 1
}

// statusWindow is how many bytes the steps read at once from the start
// of a line: the key (up to 16 bytes with its colon) and the value of a
// decimal, kB or hex line. A step with fewer left takes the general code.
const statusWindow = 40

// keyIn returns the length of "k:" if the window s starts with key k,
// or 0: the key compared as two masked words, or four for the keys longer
// than 15 characters.
func keyIn(s *[statusWindow]byte, k int) int {
	t := &statusKeyWords[k]
	d := (binary.LittleEndian.Uint64(s[:8])^t.w0)&t.m0 | (binary.LittleEndian.Uint64(s[8:16])^t.w1)&t.m1
	if t.n > 16 {
		d |= (binary.LittleEndian.Uint64(s[16:24])^t.w2)&t.m2 | (binary.LittleEndian.Uint64(s[24:32])^t.w3)&t.m3
	}
	if d != 0 {
		return 0
	}
	return t.n
}

// stDec reads "k:\t1234\n" into v[k]: a tab and 1 to 6 digits from one
// load of a window, other forms (more digits, the last lines of b) with
// tabDec.
func stDec(b []byte, i, k int, v *[len(statusKeys)]uint64) (int, bool) {
	if i >= 0 && len(b)-i >= statusWindow {
		s := (*[statusWindow]byte)(b[i:])
		c := keyIn(s, k)
		if c == 0 {
			return i, true
		}
		if c <= statusWindow-8 {
			w := binary.LittleEndian.Uint64(s[c:])
			t := w>>8 - 0x30*ones
			n := bits.TrailingZeros64((t|(t+0x76*ones))&(0x80*ones)) >> 3
			if byte(w) == '\t' && uint(n-1) < 6 && byte(w>>(8*(n+1)&63)) == '\n' {
				if x := parse.Swar8(t << ((64 - 8*n) & 63)); x <= statusKeyWords[k].max {
					v[k] = x
					return i + c + n + 2, true
				}
				return i, false
			}
		}
	}
	c := stKey(b, i, k)
	if c < 0 {
		return i, true
	}
	x, e, ok := tabDec(b, c)
	if !ok || x > statusKeyWords[k].max {
		return i, false
	}
	v[k] = x
	return e, true
}

// stDecRun reads the lines of the decimal keys first to last, as stDec
// for each would, in one loop: the lines in the kernel's form are read
// in place, without a call per line; stDec reads the others.
func stDecRun(b []byte, i, first, last int, v *[len(statusKeys)]uint64) (int, bool) {
	for k := first; k <= last; k++ {
		if k >= 0 && k < len(statusKeyWords) && i >= 0 && i <= len(b) {
			var s *[statusWindow]byte
			if len(b)-i >= statusWindow {
				s = (*[statusWindow]byte)(b[i:])
			} else {
				// The last lines, in a window padded with zeros,
				// which match no key byte, digit or newline.
				var pad [statusWindow]byte
				copy(pad[:], b[i:])
				s = &pad
			}
			t := &statusKeyWords[k]
			d := (binary.LittleEndian.Uint64(s[:8])^t.w0)&t.m0 | (binary.LittleEndian.Uint64(s[8:16])^t.w1)&t.m1
			if t.n > 16 {
				d |= (binary.LittleEndian.Uint64(s[16:24])^t.w2)&t.m2 | (binary.LittleEndian.Uint64(s[24:32])^t.w3)&t.m3
			}
			if d != 0 {
				continue // the kernel does not print k
			}
			if c := t.n; c <= statusWindow-8 {
				w := binary.LittleEndian.Uint64(s[c:])
				d := w>>8 - 0x30*ones
				n := bits.TrailingZeros64((d|(d+0x76*ones))&(0x80*ones)) >> 3
				if byte(w) == '\t' && uint(n-1) < 6 && byte(w>>(8*(n+1)&63)) == '\n' {
					if x := parse.Swar8(d << ((64 - 8*n) & 63)); x <= t.max {
						v[k] = x
						i += c + n + 2
						continue
					}
				}
			}
		}
		var ok bool
		if i, ok = stDec(b, i, k, v); !ok {
			return i, false
		}
	}
	return i, true
}

// stNSRun reads the lines NStgid, NSpid, NSpgid and NSsid of a task in
// one PID namespace, "NSpid:\t1234\n": with stDecRun into v, then
// appended to their lists. A task in nested namespaces has several
// numbers a line: the fast path ends there, and the general loop reads
// the lines from the first it did not read.
func stNSRun(b []byte, i int, st *Status, v *[len(statusKeys)]uint64) (int, bool) {
	// none is above any value stDecRun stores for these keys (decMax).
	const none = 1 << 63
	for k := skNStgid; k <= skNSsid; k++ {
		v[k] = none
	}
	i, ok := stDecRun(b, i, skNStgid, skNSsid, v)
	// The lines before a failure were read: the general loop starts at
	// the line that failed.
	for k := skNStgid; k <= skNSsid; k++ {
		if v[k] != none {
			appendNS(st, k, int(v[k]))
		}
	}
	return i, ok
}

// stKB reads "k:\t    5260 kB\n" (the kernel's "%8lu kB") into v[k], in
// bytes.
func stKB(b []byte, i, k int, v *[len(statusKeys)]uint64) (int, bool) {
	var s []byte
	c := 0
	if i >= 0 && len(b)-i >= statusWindow {
		w := (*[statusWindow]byte)(b[i:])
		if c = keyIn(w, k); c == 0 {
			return i, true
		}
		s = w[:]
	} else {
		if c = stKey(b, i, k); c < 0 {
			return i, true
		}
		s, c = b, c-i
		s = s[i:]
	}
	if len(s)-c < 13 {
		return i, false
	}
	f := s[c : c+13 : c+13]
	x, ok := parse.Width8Word(binary.LittleEndian.Uint64(f[1:]))
	if !ok || f[0] != '\t' || binary.LittleEndian.Uint32(f[9:]) != 0x0a426b20 { // " kB\n"
		return i, false
	}
	v[k] = x << 10
	return i + c + 13, true
}

// stHex reads "k:\t0000000000000000\n" into v[k]: all zeros (most
// signal and capability sets) by comparison, any other value with
// parse.Hex8 on each half.
func stHex(b []byte, i, k int, v *[len(statusKeys)]uint64) (int, bool) {
	if i >= 0 && len(b)-i >= statusWindow {
		s := (*[statusWindow]byte)(b[i:])
		c := keyIn(s, k)
		if c == 0 {
			return i, true
		}
		if c <= statusWindow-18 {
			f := s[c : c+18 : c+18]
			hi, lo := binary.LittleEndian.Uint64(f[1:]), binary.LittleEndian.Uint64(f[9:])
			if f[0] == '\t' && f[17] == '\n' {
				if hi == 0x30*ones && lo == 0x30*ones {
					v[k] = 0
					return i + c + 18, true
				}
				h, ok1 := parse.Hex8(hi)
				l, ok2 := parse.Hex8(lo)
				if ok1 && ok2 {
					v[k] = h<<32 | l
					return i + c + 18, true
				}
			}
		}
	}
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

// stIDs reads "Uid:\t0\t0\t0\t0\n" (or Gid): four ids of up to six digits.
func stIDs(b []byte, i, k int, st *Status) (int, bool) {
	c := keyAt(b, i, "Uid:")
	if k == skGid {
		c = keyAt(b, i, "Gid:")
	}
	if c < 0 {
		return i, true
	}
	if c >= 0 && len(b)-c >= 32 {
		// Four equal ids, "\t1000\t1000\t1000\t1000\n" (most
		// processes): the first read, the other three compared with it
		// at their known offsets, which needs no count of their digits.
		s := b[c : c+32 : c+32]
		w := binary.LittleEndian.Uint64(s)
		t := w>>8 - 0x30*ones
		n := bits.TrailingZeros64((t|(t+0x76*ones))&(0x80*ones)) >> 3
		if byte(w) == '\t' && uint(n-1) < 6 {
			step := n + 1                // "\t" and the digits
			m := uint64(1)<<(8*step) - 1 // their bytes; step <= 6
			d := (binary.LittleEndian.Uint64(s[step:])^w)&m | (binary.LittleEndian.Uint64(s[2*step:])^w)&m |
				(binary.LittleEndian.Uint64(s[3*step:])^w)&m
			if d == 0 && s[4*step] == '\n' {
				id := uint32(parse.Swar8(t << ((64 - 8*n) & 63)))
				if k == skUid {
					st.UID = cred.UIDs{Real: cred.UID(id), Effective: cred.UID(id), Saved: cred.UID(id), FS: cred.UID(id)}
				} else {
					st.GID = cred.GIDs{Real: cred.GID(id), Effective: cred.GID(id), Saved: cred.GID(id), FS: cred.GID(id)}
				}
				return c + 4*step + 1, true
			}
		}
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
	c := keyAt(b, i, "Groups:")
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
	c := keyAt(b, i, "Umask:")
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
	c := keyAt(b, i, "State:")
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
	w0, w1 := binary.LittleEndian.Uint64(b[c+3:]), binary.LittleEndian.Uint64(b[c+11:])
	if w0 == 0x66*ones && w1 == 0x66*ones { // all "f": no address tagging, the usual case
		st.UntagMask = 1<<64 - 1
		return c + 20, true
	}
	hi, ok1 := parse.Hex8(w0)
	lo, ok2 := parse.Hex8(w1)
	if !ok1 || !ok2 {
		return i, false
	}
	st.UntagMask = hi<<32 | lo
	return c + 20, true
}

// stSigQ reads "SigQ:\t0/96555\n".
func stSigQ(b []byte, i int, st *Status) (int, bool) {
	c := keyAt(b, i, "SigQ:")
	if c < 0 {
		return i, true
	}
	if c >= 0 && len(b)-c >= 24 && b[c] == '\t' {
		// Two numbers of up to seven digits, "\t0/96365\n", each from
		// one load.
		s := b[c+1 : c+24 : c+24]
		w := binary.LittleEndian.Uint64(s)
		t := w - 0x30*ones
		n := bits.TrailingZeros64((t|(t+0x76*ones))&(0x80*ones)) >> 3
		if uint(n-1) < 7 && byte(w>>(8*n&63)) == '/' {
			w2 := binary.LittleEndian.Uint64(s[n+1:])
			t2 := w2 - 0x30*ones
			m := bits.TrailingZeros64((t2|(t2+0x76*ones))&(0x80*ones)) >> 3
			if uint(m-1) < 7 && byte(w2>>(8*m&63)) == '\n' {
				st.SigQ = SigQueue{Queued: parse.Swar8(t << ((64 - 8*n) & 63)), Limit: parse.Swar8(t2 << ((64 - 8*m) & 63))}
				return c + n + m + 3, true
			}
		}
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
