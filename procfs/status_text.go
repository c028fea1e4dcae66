package procfs

import (
	"encoding/binary"
	"math/bits"
)

// The steps of statusFast for the lines of /proc/PID/status whose values
// are text: Name, the speculation states, the CPU and node lists.

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
	if len(b)-c >= 33 && b[c] == '\t' {
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
