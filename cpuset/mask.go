package cpuset

import "strconv"

// ParseMask parses the kernel's mask form, as the kernel's bitmap_parse
// accepts it: comma-separated words of one to eight hexadecimal digits (either
// case, no "0x"), each worth exactly 32 bits, the most significant word
// first. "ffffffff,00000001" is CPUs 0 and 32-63; "3" is CPUs 0-1. Leading,
// trailing and repeated commas and white space (including the newline at the
// end of a sysfs file) are ignored, and white space separates words like a
// comma does, so "" is the empty set and "1,,5" equals "1,5". Errors are
// *ParseError and name the input; a word of more than eight digits or a set
// bit above MaxCPU is strconv.ErrRange.
func ParseMask(mask string) (Set, error) { return parseMask(mask, "ParseMask") }

// ParseMaskBytes is ParseMask for a byte slice, such as the contents of a
// sysfs file; it does not retain b.
func ParseMaskBytes(mask []byte) (Set, error) { return parseMask(mask, "ParseMaskBytes") }

// parseMask reads the words from the end, as the kernel does.
func parseMask[T text](s T, fn string) (Set, error) {
	var buf [listBuf]uint64
	w := buf[:0]
	end := len(s) // s[:end] is still to be read
	for chunk := 0; ; chunk++ {
		for end > 0 && isSep(s[end-1]) {
			end--
		}
		if end == 0 {
			break
		}
		var v uint64
		start := end
		for start > 0 && !isSep(s[start-1]) {
			start--
		}
		if end-start > 8 {
			// More than 32 bits, unless a non-digit makes it a syntax error.
			if i := badHex(s, start, end); i >= 0 {
				return Set{}, unexpected(fn, s, i, "a hexadecimal digit")
			}
			return Set{}, parseErr(fn, s, start, "word "+strconv.Quote(string(s[start:end]))+" longer than 8 hex digits", strconv.ErrRange)
		}
		for i := start; i < end; i++ {
			d := hexVal(s[i])
			if d > 15 {
				return Set{}, unexpected(fn, s, i, "a hexadecimal digit")
			}
			v = v<<4 | uint64(d)
		}
		end = start
		if v == 0 {
			continue
		}
		if chunk > MaxCPU/32 {
			return Set{}, parseErr(fn, s, start, "CPU above maximum "+strconv.Itoa(MaxCPU), strconv.ErrRange)
		}
		if n := chunk/2 + 1; n > len(w) {
			w = grow(w, n)
		}
		w[chunk/2] |= v << (32 * uint(chunk%2))
	}
	if len(w) == 0 {
		return Set{}, nil
	}
	out := make([]uint64, len(w))
	copy(out, w)
	return Set{w: out}, nil
}

// badHex returns the offset of the first non-hex byte of s[start:end], or -1.
func badHex[T text](s T, start, end int) int {
	for i := start; i < end; i++ {
		if hexVal(s[i]) > 15 {
			return i
		}
	}
	return -1
}

func hexVal(c byte) byte {
	switch {
	case c-'0' <= 9:
		return c - '0'
	case c|0x20-'a' <= 5:
		return c | 0x20 - 'a' + 10
	}
	return 255
}

// Mask returns the mask form of the set, sized for Len() bits as the kernel
// prints a bitmap of that many bits ("%*pb"): ceil(Len()/32) comma-separated
// words, each eight hex digits except the first, which has just enough
// digits for the bits above the last multiple of 32 — so the first digit is
// never 0. The empty set is "0". For the kernel's exact width (nr_cpu_ids
// bits for Cpus_allowed, MAX_NUMNODES for Mems_allowed) use MaskWidth.
func (s Set) Mask() string { return string(s.AppendMask(nil, 0)) }

// MaskWidth returns the mask form of the set as the kernel prints a bitmap of
// nbits bits: ceil(nbits/32) words, the first zero-padded to
// ceil((nbits%32)/4) digits (8 if nbits is a multiple of 32). For example
// Of(0).MaskWidth(1024) is /proc/self/status' Mems_allowed on a kernel with
// MAX_NUMNODES=1024. If the set needs more than nbits bits, Len() is used
// instead, so nothing is lost.
func (s Set) MaskWidth(nbits int) string { return string(s.AppendMask(nil, nbits)) }

// AppendMask appends MaskWidth(nbits) to b; nbits <= 0 means Len(), as in
// Mask.
func (s Set) AppendMask(b []byte, nbits int) []byte {
	nbits = max(nbits, s.Len())
	if nbits == 0 {
		return append(b, '0')
	}
	chunks := (nbits + 31) / 32
	width := ((nbits-1)%32 + 1 + 3) / 4
	for k := chunks - 1; k >= 0; k-- {
		var v uint32
		if k/2 < len(s.w) {
			v = uint32(s.w[k/2] >> (32 * uint(k%2)))
		}
		for sh := 4 * (width - 1); sh >= 0; sh -= 4 {
			b = append(b, "0123456789abcdef"[v>>uint(sh)&15])
		}
		if k > 0 {
			b = append(b, ',')
		}
		width = 8
	}
	return b
}
