package parse

import "encoding/binary"

// The Scan functions are fast paths for the "Key:\tvalue\n" lines of
// files such as /proc/PID/status: each reads one value in the kernel's
// exact format and the newline after it, in one pass, and returns the
// number of bytes it used. Anything else (an unusual form, a value that
// could overflow, a missing newline) gives ok == false and consumes
// nothing, so that the caller falls back to its general parser, which
// also reports the error. They never fail on a value they accept: a
// result is always exact.

// blanks returns the number of leading spaces and tabs of b.
func blanks(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}

// ScanDec reads spaces or tabs, 1 to 19 decimal digits (which cannot
// overflow a uint64) and '\n' from the start of b: "\t1234\n".
func ScanDec(b []byte) (v uint64, n int, ok bool) {
	i := blanks(b)
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

// ScanKB reads a kibibyte quantity as /proc/PID/status and /proc/meminfo
// print it, "\t   1234 kB\n": spaces or tabs, 1 to 16 decimal digits, " kB"
// and '\n'. It returns the value in bytes: 16 digits times 1024 always
// fits a uint64, so the result is exact; a longer number is left to KB,
// which reports an overflow.
func ScanKB(b []byte) (v uint64, n int, ok bool) {
	i := blanks(b)
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

// ScanHex reads spaces or tabs, 1 to 16 hexadecimal digits (either case,
// no "0x") and '\n': the signal and capability masks of /proc/PID/status,
// "\t000001ffffffffff\n". The kernel's form, a tab and exactly 16 digits,
// is converted eight digits at a time.
func ScanHex(b []byte) (v uint64, n int, ok bool) {
	if len(b) >= 18 && b[0] == '\t' && b[17] == '\n' {
		hi, okHi := Hex8(binary.LittleEndian.Uint64(b[1:9]))
		lo, okLo := Hex8(binary.LittleEndian.Uint64(b[9:17]))
		if okHi && okLo {
			return hi<<32 | lo, 18, true
		}
	}
	i := blanks(b)
	start := i
	for ; i < len(b) && i-start < 16; i++ {
		d := digitVal[b[i]]
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

// Hex8 converts eight ASCII hexadecimal digits (0-9, a-f, A-F) to their
// 32-bit value. x holds the digits as loaded little-endian from memory
// (binary.LittleEndian.Uint64 of the 8 bytes), so that the first digit is
// the low byte and becomes the most significant nibble. ok is false if any
// byte is not a hex digit. The conversion is branch-free SWAR arithmetic
// on the whole word.
func Hex8(x uint64) (uint64, bool) {
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
