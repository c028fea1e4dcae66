package cpuset

import (
	"math/bits"
	"strconv"
)

// Parse parses the kernel's CPU list form, as the kernel's bitmap_parselist
// accepts it:
//
//	""                  the empty set (as are separators or white space only)
//	"5"                 one CPU
//	"0-3"               a range, both ends included
//	"0-15:2/4"          a range in groups of 4, of which the first 2 are used:
//	                    0,1,4,5,8,9,12,13
//	"0-3,8,10-11"       regions separated by commas
//
// Regions may also be separated by white space, and leading, trailing and
// repeated commas and white space (including the newline at the end of a
// sysfs file) are ignored. Numbers are decimal. The keywords "N" (the last
// CPU) and "all" need the bitmap size, so Parse rejects them; use ParseSize.
// Errors are *ParseError and name the input.
func Parse(list string) (Set, error) { return parseList(list, 0, "Parse") }

// ParseBytes is Parse for a byte slice, such as the contents of a sysfs
// file; it does not retain b.
func ParseBytes(list []byte) (Set, error) { return parseList(list, 0, "ParseBytes") }

// ParseSize is Parse for a bitmap of size bits, such as nr_cpu_ids (the
// count of /sys/devices/system/cpu/possible) for a boot parameter like
// "isolcpus=2-N". As in the kernel, "N" stands for size-1, "all" (any case)
// for 0-N, and a CPU at or above size is an error (strconv.ErrRange). size
// must be 1 to MaxCPU+1.
func ParseSize(list string, size int) (Set, error) {
	if size < 1 || size > MaxCPU+1 {
		return Set{}, parseErr("ParseSize", list, 0, "size "+strconv.Itoa(size)+" out of range 1-"+strconv.Itoa(MaxCPU+1), strconv.ErrRange)
	}
	return parseList(list, size, "ParseSize")
}

// listBuf is how many words parseList builds on the stack (512 CPUs) before
// it moves to the heap.
const listBuf = 8

// parseList implements Parse, ParseBytes and ParseSize; size 0 means
// unbounded (up to MaxCPU, no "N" or "all").
func parseList[T text](s T, size int, fn string) (Set, error) {
	var buf [listBuf]uint64
	w := buf[:0]
	limit := uint64(MaxCPU)
	if size > 0 {
		limit = uint64(size - 1)
	}
	for i := 0; i < len(s); {
		if isSep(s[i]) {
			i++
			continue
		}
		rangeAt := i
		var lo, hi uint64
		isRange := true // a used/group pattern may follow a range or "all"
		if i+3 <= len(s) && s[i]|0x20 == 'a' && s[i+1]|0x20 == 'l' && s[i+2]|0x20 == 'l' {
			if size == 0 {
				return Set{}, parseErr(fn, s, i, `"all" needs the bitmap size (use ParseSize)`, strconv.ErrSyntax)
			}
			lo, hi = 0, limit
			i += 3
		} else {
			j := 0
			if lo, j = listNum(s, i, size); j == i || lo > maxNum {
				return Set{}, numErr(fn, s, i, size)
			}
			i, hi = j, lo
			if i < len(s) && s[i] == '-' {
				if hi, j = listNum(s, i+1, size); j == i+1 || hi > maxNum {
					return Set{}, numErr(fn, s, i+1, size)
				}
				i = j
			} else {
				isRange = false
			}
		}
		used, group := hi+1, hi+1
		if isRange && i < len(s) && s[i] == ':' {
			j := 0
			if used, j = listNum(s, i+1, size); j == i+1 || used > maxNum {
				return Set{}, numErr(fn, s, i+1, size)
			}
			i = j
			if i >= len(s) || s[i] != '/' {
				return Set{}, unexpected(fn, s, i, "'/' after the used size")
			}
			if group, j = listNum(s, i+1, size); j == i+1 || group > maxNum {
				return Set{}, numErr(fn, s, i+1, size)
			}
			i = j
		}
		if i < len(s) && !isSep(s[i]) {
			want := "':', ',' or end"
			if !isRange {
				want = "'-', ',' or end"
			}
			return Set{}, unexpected(fn, s, i, want)
		}
		if lo > hi || group == 0 || used > group || hi > limit {
			return Set{}, regionErr(fn, s, rangeAt, lo, hi, used, group, limit)
		}
		if used == 0 {
			continue
		}
		if n := int(hi/64) + 1; n > len(w) {
			w = grow(w, n)
		}
		if used == group { // a plain range or CPU
			setRange(w, uint(lo), uint(hi))
			continue
		}
		for start := lo; start <= hi; start += group {
			setRange(w, uint(start), uint(min(hi, start+used-1)))
		}
	}
	n := trimLen(w)
	if n == 0 {
		return Set{}, nil
	}
	out := make([]uint64, n)
	copy(out, w)
	return Set{w: out}, nil
}

// maxNum is the largest number the kernel accepts in a list (a u32).
const maxNum = 1<<32 - 1

// listNum parses the decimal number (or, with a size, "N") at s[i:] and
// returns it and the offset after it; the offset is i if there is no number,
// and the number is above maxNum if it is too large. CPU numbers are checked
// against the limit later.
func listNum[T text](s T, i, size int) (uint64, int) {
	if i < len(s) && s[i] == 'N' && size > 0 {
		return uint64(size - 1), i + 1
	}
	var n uint64
	for ; i < len(s) && s[i]-'0' <= 9; i++ {
		n = min(n*10+uint64(s[i]-'0'), maxNum+1)
	}
	return n, i
}

// numErr explains why listNum failed at s[i:].
func numErr[T text](fn string, s T, i, size int) error {
	if i < len(s) && s[i] == 'N' && size == 0 {
		return parseErr(fn, s, i, `"N" needs the bitmap size (use ParseSize)`, strconv.ErrSyntax)
	}
	j := i
	for j < len(s) && s[j]-'0' <= 9 {
		j++
	}
	if j == i {
		return unexpected(fn, s, i, "a number")
	}
	return parseErr(fn, s, i, "number "+string(s[i:j])+" too large", strconv.ErrRange)
}

// regionErr explains why the region at s[at:] is invalid.
func regionErr[T text](fn string, s T, at int, lo, hi, used, group, limit uint64) error {
	u := func(n uint64) string { return strconv.FormatUint(n, 10) }
	switch {
	case lo > hi:
		return parseErr(fn, s, at, "range start "+u(lo)+" above end "+u(hi), strconv.ErrSyntax)
	case group == 0:
		return parseErr(fn, s, at, "group size 0", strconv.ErrSyntax)
	case used > group:
		return parseErr(fn, s, at, "used size "+u(used)+" above group size "+u(group), strconv.ErrSyntax)
	}
	return parseErr(fn, s, at, "CPU "+u(hi)+" above maximum "+u(limit), strconv.ErrRange)
}

// unexpected reports what was found at s[i] when want was expected.
//
//go:noinline
func unexpected[T text](fn string, s T, i int, want string) error {
	got := "end of input"
	if i < len(s) {
		got = strconv.QuoteRune(rune(s[i]))
		if s[i] >= 0x80 {
			got = "byte " + strconv.Quote(string(s[i:i+1]))
		}
	}
	return parseErr(fn, s, i, "found "+got+", want "+want, strconv.ErrSyntax)
}

// String returns the canonical list form of the set, as the kernel prints it
// ("%*pbl"): ascending, runs collapsed to "lo-hi", comma-separated, no
// spaces; "" for the empty set.
func (s Set) String() string {
	b, _ := s.AppendText(make([]byte, 0, 8*len(s.w)+8))
	return string(b)
}

// AppendText appends the list form of the set (see String) to b. It never
// fails; the error is for encoding.TextAppender.
func (s Set) AppendText(b []byte) ([]byte, error) {
	first := true
	for lo := 0; ; {
		lo = s.next(lo, false)
		if lo < 0 {
			break
		}
		hi := s.next(lo, true)
		if hi < 0 {
			hi = s.Len()
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = strconv.AppendUint(b, uint64(lo), 10)
		if hi-1 > lo {
			b = append(b, '-')
			b = strconv.AppendUint(b, uint64(hi-1), 10)
		}
		lo = hi
	}
	return b, nil
}

// next returns the first CPU at or after from that is in the set (clear
// false) or not in it (clear true), or -1 if there is none before Len.
func (s Set) next(from int, clear bool) int {
	i := from / 64
	if i >= len(s.w) {
		return -1
	}
	flip := uint64(0)
	if clear {
		flip = ^uint64(0)
	}
	w := (s.w[i] ^ flip) >> (uint(from) % 64) << (uint(from) % 64)
	for {
		if w != 0 {
			return i*64 + bits.TrailingZeros64(w)
		}
		i++
		if i >= len(s.w) {
			return -1
		}
		w = s.w[i] ^ flip
	}
}

// MarshalText returns the list form of the set; JSON and other text
// encodings see a Set as a string such as "0-3,8".
func (s Set) MarshalText() ([]byte, error) { return s.AppendText(nil) }

// UnmarshalText sets s to the set in list form text, as Parse does.
func (s *Set) UnmarshalText(text []byte) error {
	t, err := parseList(text, 0, "UnmarshalText")
	if err != nil {
		return err
	}
	*s = t
	return nil
}
