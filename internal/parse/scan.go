package parse

import (
	"encoding/binary"
	"math/bits"
)

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

// Digits returns the value of the decimal digits at the start of b and
// how many there are, reading at most 19 (which cannot overflow a
// uint64): the digits of "1234 kB" are 1234, 4; b without a leading digit
// gives 0, 0. It converts eight digits at a time (SWAR) while eight bytes
// remain: in a byte, c-'0' is a digit when it is below 10, which the high
// bits of t and t+0x76 reveal, and the lowest non-digit is exact because
// borrows and carries only move upward.
func Digits(b []byte) (x uint64, n int) {
	for len(b)-n >= 8 && n <= 19-8 {
		t := binary.LittleEndian.Uint64(b[n:]) - 0x3030303030303030
		m := (t | (t + 0x7676767676767676)) & 0x8080808080808080
		k := bits.TrailingZeros64(m) >> 3 // digits in this word; 8 if m == 0
		if k == 0 {
			return x, n
		}
		// Move the k digits to the top bytes (the zero bytes shifted in
		// below act as leading zeros).
		x = x*pow10[k] + Swar8(t<<(8*(8-k)))
		n += k
		if k < 8 {
			return x, n
		}
	}
	for n < len(b) && b[n]-'0' <= 9 && n < 19 {
		x = x*10 + uint64(b[n]-'0')
		n++
	}
	return x, n
}

var pow10 = [...]uint64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000}

// Swar8 returns the number whose decimal digits are the bytes of t,
// first digit in the low byte (as loaded little-endian from memory), each
// byte holding a digit's value 0-9 (c-'0'): zero bytes below the digits
// act as leading zeros. It combines pairs, quads and octets with three
// multiplications.
func Swar8(t uint64) uint64 {
	t = (t & 0x0F0F0F0F0F0F0F0F) * (10<<8 + 1) >> 8
	t = (t & 0x00FF00FF00FF00FF) * (100<<16 + 1) >> 16
	return (t & 0x0000FFFF0000FFFF) * (10000<<32 + 1) >> 32
}

// Load8 returns the eight bytes of b from i (little-endian), the bytes
// past the end of b reading as zero: a word to scan the bytes at i with,
// without a bounds check per byte. i must be at most len(b).
func Load8(b []byte, i int) uint64 {
	if len(b)-i >= 8 {
		return binary.LittleEndian.Uint64(b[i:])
	}
	if len(b) >= 8 {
		// The last eight bytes, shifted so that b[i] is the low byte.
		return binary.LittleEndian.Uint64(b[len(b)-8:]) >> (8 * (8 - (len(b) - i)))
	}
	var w uint64
	for j := len(b) - 1; j >= i; j-- {
		w = w<<8 | uint64(b[j])
	}
	return w
}

// Width8 reads the eight bytes at b[i:] as a number right-aligned in a
// field of eight, as the kernel prints "%8lu" (the kB values of
// /proc/meminfo and /proc/PID/status): spaces, then 1 to 8 digits. ok is
// false for anything else, and when fewer than eight bytes remain. A
// number of more than eight digits overflows the field: its first eight
// read as a number, and the caller must check the byte after them.
func Width8(b []byte, i int) (uint64, bool) {
	if i < 0 || len(b)-i < 8 {
		return 0, false
	}
	return Width8Word(binary.LittleEndian.Uint64(b[i:]))
}

// Width8Word is Width8 of the eight bytes w (loaded little-endian).
func Width8Word(w uint64) (uint64, bool) {
	// The leading spaces become '0's: the first bit where w differs from
	// eight spaces is in the first other byte.
	sp := bits.TrailingZeros64(w^0x2020202020202020) &^ 7
	t := (w | 0x1010101010101010&(1<<(sp&63)-1)) - 0x3030303030303030
	if sp == 64 || (t|(t+0x7676767676767676))&0x8080808080808080 != 0 {
		return 0, false
	}
	return Swar8(t), true
}
