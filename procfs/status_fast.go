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

// byteIn32 returns the index of the first byte ch in s, or 32: a word at
// a time, for the short lines whose end a call to bytes.IndexByte would
// cost more to find.
func byteIn32(s *[32]byte, ch byte) int {
	for j := 0; j < 32; j += 8 {
		// The lowest byte that is ch sets its high bit in z (bytes
		// above it may too, from the borrow: they are not looked at).
		w := binary.LittleEndian.Uint64(s[j:]) ^ uint64(ch)*ones
		if z := (w - ones) &^ w & (0x80 * ones); z != 0 {
			return j + bits.TrailingZeros64(z)>>3
		}
	}
	return 32
}

// stSpec reads a speculation line, "Speculation_Store_Bypass:\tthread
// vulnerable\n". Each of the kernel's texts for a key has its own length
// (specByLen), so the line's length picks the one candidate to compare
// with; the newline is found with a word at a time over the 32 bytes
// after the tab, which hold the longest text. Other texts, and lines
// near the end of b, go to stOther.
func stSpec(b []byte, i, k int, st *Status, v *[len(statusKeys)]uint64) (int, bool) {
	c := stKey(b, i, k)
	if c < 0 {
		return i, true
	}
	if c >= 0 && len(b)-c >= 33 && b[c] == '\t' {
		s := (*[32]byte)(b[c+1:])
		n := byteIn32(s, '\n')
		byLen, names := &specByLen[0], ssbNames[:]
		if k == skSpeculationIndirectBranch {
			byLen, names = &specByLen[1], ibNames[:]
		}
		if x := int(byLen[n&31]); x > 0 && n < 32 && string(s[:n]) == names[x] {
			if k == skSpeculationIndirectBranch {
				st.SpeculationIndirectBranch = SpecIndirectBranch(x)
			} else {
				st.SpeculationStoreBypass = SpecStoreBypass(x)
			}
			return c + n + 2, true
		}
	}
	return stOther(b, i, k, st, v)
}

// specByLen maps the length of a speculation line's text to the index
// of the text of that length in ssbNames ([0]) or ibNames ([1]); 0 for
// none ("unknown", index 0, is left to stOther).
var specByLen = func() (t [2][32]uint8) {
	for i, n := range ssbNames {
		t[0][len(n)] = uint8(i)
	}
	for i, n := range ibNames {
		t[1][len(n)] = uint8(i)
	}
	return t
}()

// stList reads Cpus_allowed_list or Mems_allowed_list. The text of the
// last parse (cpusRaw, memsRaw, kept with the set by parseStatus), the
// usual case, is found by one comparison, which keeps the set as
// parseSetCached would; other text goes to stOther.
func stList(b []byte, i, k int, st *Status, v *[len(statusKeys)]uint64) (int, bool) {
	c := stKey(b, i, k)
	if c < 0 {
		return i, true
	}
	raw := st.cpusRaw
	if k == skMemsAllowedList {
		raw = st.memsRaw
	}
	// raw is the trimmed text of a line: no newline, no leading or
	// trailing blank.
	if e := c + 1 + len(raw); raw != nil && e < len(b) && b[c] == '\t' && b[e] == '\n' && string(b[c+1:e]) == string(raw) {
		return e + 1, true
	}
	return stOther(b, i, k, st, v)
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

// stName reads the Name line, the first. A name of up to 31 bytes with
// no backslash, all but a few, is the text itself (unescapeComm changes
// nothing in it); the others go to stOther.
func stName(b []byte, st *Status, v *[len(statusKeys)]uint64) (int, bool) {
	if len(b) >= 38 && string(b[:6]) == "Name:\t" {
		s := (*[32]byte)(b[6:])
		if n := byteIn32(s, '\n'); n < 32 && byteIn32(s, '\\') > n {
			st.Name.n = uint8(copy(st.Name.b[:], s[:n]))
			return 6 + n + 1, true
		}
	}
	return stOther(b, 0, skName, st, v)
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

// statusBlock is a run of lines of fixed width, as the kernel prints the
// kB lines ("VmPeak:\t%8lu kB\n", VmPeak to HugetlbPages), the signal
// and capability sets ("SigPnd:\t%016llx\n", SigPnd to CapAmb) and the
// one-digit flags around them (Kthread, CoreDumping, THP_enabled,
// NoNewPrivs, Seccomp, and Seccomp_filters when below 10) of every
// process: its text with a hole for each value. Such a run is checked
// with one masked comparison per eight bytes, and the values read from
// their holes, instead of a step per line. A file whose run differs (an
// older kernel without some of the keys, a value wider than its field)
// is read by a shorter block or line by line.
type statusBlock struct {
	groups []blockGroup // the text, 32 bytes a group
	holes  []statusHole // the values, in the order of their lines
	digits []statusHole // the holeDigit values
	kb     []int        // the offsets of the holeKB values, VmPeak to HugetlbPages
	hex    []int        // the offsets of the holeHex values, SigPnd to CapAmb
	n      int          // the length of the run
}

// blockGroup is 32 bytes of a statusBlock's text: four words of it
// (little-endian, holes zero) and four masks (0xff for each byte of
// text, 0 for each byte of a hole), side by side for match.
type blockGroup struct {
	w, m [4]uint64
}

// statusHole is a value in a statusBlock: its offset, its key and its
// form.
type statusHole struct {
	off, k int
	kind   uint8
}

// The forms of a statusHole, and the text after each.
const (
	holeKB    = iota // "%8lu", then " kB\n"
	holeHex          // "%016llx", then "\n"
	holeDigit        // one decimal digit, then "\n"
)

var (
	// Linux 6.9 and later: Kthread, the kB lines, CoreDumping and
	// THP_enabled; earlier kernels, the kB lines alone.
	statusMemBlock = newStatusBlock(append(append(blockLines(holeDigit, skKthread, skKthread),
		blockLines(holeKB, skVmPeak, skHugetlbPages)...), blockLines(holeDigit, skCoreDumping, skTHPEnabled)...))
	statusKBBlock = newStatusBlock(blockLines(holeKB, skVmPeak, skHugetlbPages))
	// The sets with NoNewPrivs, Seccomp and Seccomp_filters after them
	// (Linux 5.9 and later, CONFIG_SECCOMP), or alone.
	statusSetBlock = newStatusBlock(append(blockLines(holeHex, skSigPnd, skCapAmb), blockLines(holeDigit, skNoNewPrivs, skSeccompFilters)...))
	statusHexBlock = newStatusBlock(blockLines(holeHex, skSigPnd, skCapAmb))
)

// blockLines returns the lines of keys first to last, with values of
// the form kind.
func blockLines(kind uint8, first, last int) []statusHole {
	var lines []statusHole
	for k := first; k <= last; k++ {
		lines = append(lines, statusHole{k: k, kind: kind})
	}
	return lines
}

// newStatusBlock returns the block of lines: "key:\t", the hole, the
// text after it.
func newStatusBlock(lines []statusHole) *statusBlock {
	var text, mask []byte
	blk := &statusBlock{}
	for _, l := range lines {
		width, after := 8, " kB\n"
		switch l.kind {
		case holeHex:
			width, after = 16, "\n"
		case holeDigit:
			width, after = 1, "\n"
		}
		fixed := statusKeys[l.k] + ":\t"
		text = append(text, fixed...)
		mask = append(mask, bytes.Repeat([]byte{0xff}, len(fixed))...)
		l.off = len(text)
		blk.holes = append(blk.holes, l)
		// read stores the kB and hex values by their order: they
		// must be the keys from VmPeak and from SigPnd on.
		if l.kind == holeKB && l.k != skVmPeak+len(blk.kb) || l.kind == holeHex && l.k != skSigPnd+len(blk.hex) {
			panic("procfs: status block out of the kernel's order at " + statusKeys[l.k])
		}
		switch l.kind {
		case holeKB:
			blk.kb = append(blk.kb, l.off)
		case holeHex:
			blk.hex = append(blk.hex, l.off)
		default:
			blk.digits = append(blk.digits, l)
		}
		text = append(text, make([]byte, width)...)
		mask = append(mask, make([]byte, width)...)
		text = append(text, after...)
		mask = append(mask, bytes.Repeat([]byte{0xff}, len(after))...)
	}
	blk.n = len(text)
	for len(text)%32 != 0 {
		text, mask = append(text, 0), append(mask, 0)
	}
	for j := 0; j < len(text); j += 32 {
		var g blockGroup
		for h := range 4 {
			g.w[h] = binary.LittleEndian.Uint64(text[j+8*h:])
			g.m[h] = binary.LittleEndian.Uint64(mask[j+8*h:])
		}
		blk.groups = append(blk.groups, g)
	}
	return blk
}

// match returns the run at b[i:] if its text is the block's (it needs
// the bytes up to the end of the last word, which the lines after the
// run provide). It stops at the first 32 bytes that differ, so that a
// block the kernel does not print costs little.
func (blk *statusBlock) match(b []byte, i int) ([]byte, bool) {
	n := 32 * len(blk.groups)
	if i < 0 || len(b)-i < n {
		return nil, false
	}
	s := b[i : i+n : i+n]
	r := s
	for j := range blk.groups {
		g := &blk.groups[j]
		if len(r) < 32 {
			return nil, false
		}
		if (binary.LittleEndian.Uint64(r[0:])^g.w[0])&g.m[0]|(binary.LittleEndian.Uint64(r[8:])^g.w[1])&g.m[1]|
			(binary.LittleEndian.Uint64(r[16:])^g.w[2])&g.m[2]|(binary.LittleEndian.Uint64(r[24:])^g.w[3])&g.m[3] != 0 {
			return nil, false
		}
		r = r[32:]
	}
	return s, true
}

// read reads the run of the block's lines at b[i:] into v and returns
// the index after it; ok is false if the run is not the block's or a
// value is not of its hole's form (or above its key's decMax). It
// stores into v directly: after a failure, the caller reads the lines
// again, which overwrites what was stored. A loop for each form costs
// less than one that switches on the form of each hole.
func (blk *statusBlock) read(b []byte, i int, v *[len(statusKeys)]uint64) (int, bool) {
	s, ok := blk.match(b, i)
	if !ok {
		return i, false
	}
	for _, h := range blk.digits {
		if h.off < 0 || h.off >= len(s) || uint(h.k) >= uint(len(v)) {
			return i, false
		}
		x := uint64(s[h.off] - '0')
		if x > 9 || x > statusKeyWords[h.k].max {
			return i, false
		}
		v[h.k] = x
	}
	vs := v[skVmPeak : skHugetlbPages+1 : skHugetlbPages+1]
	for h, off := range blk.kb[:min(len(blk.kb), len(vs))] {
		if off < 0 || off > len(s)-8 {
			return i, false
		}
		w := binary.LittleEndian.Uint64(s[off:])
		if w == 0x3020202020202020 { // "       0", a third of the values
			vs[h] = 0
			continue
		}
		x, ok := parse.Width8Word(w)
		if !ok {
			return i, false
		}
		vs[h] = x << 10
	}
	// A set with the text of the set before it (CapPrm, CapEff and
	// CapBnd are often equal) takes its value without a conversion. The
	// text compared with is always one that was converted (or all
	// zeros), so that no unchecked text passes as a set.
	prevHi, prevLo, prev := uint64(0x30*ones), uint64(0x30*ones), uint64(0)
	vs = v[skSigPnd : skCapAmb+1 : skCapAmb+1]
	for h, off := range blk.hex[:min(len(blk.hex), len(vs))] {
		if off < 0 || off > len(s)-16 {
			return i, false
		}
		hi, lo := binary.LittleEndian.Uint64(s[off:]), binary.LittleEndian.Uint64(s[off+8:])
		if hi == 0x30*ones && lo == 0x30*ones {
			vs[h] = 0
			continue
		}
		if hi != prevHi || lo != prevLo {
			h8, ok1 := parse.Hex8(hi)
			l8, ok2 := parse.Hex8(lo)
			if !ok1 || !ok2 {
				return i, false
			}
			prevHi, prevLo, prev = hi, lo, h8<<32|l8
		}
		vs[h] = prev
	}
	return i + blk.n, true
}
