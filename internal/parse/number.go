package parse

import (
	"errors"
	"strconv"
)

const maxUint64 = 1<<64 - 1

// Uint parses an unsigned decimal number without sign, prefix, underscores or
// surrounding white space. On overflow it returns math.MaxUint64 and a
// *strconv.NumError wrapping strconv.ErrRange (as strconv.ParseUint does);
// any other malformed input returns 0 and strconv.ErrSyntax.
func Uint(b []byte) (uint64, error) {
	// Up to 19 digits cannot overflow uint64 (10^19-1 < 2^64), so the common
	// case is a plain loop with no overflow checks.
	if uint(len(b))-1 >= 19 {
		return uintSlow(b, "parse.Uint")
	}
	var n uint64
	for _, c := range b {
		if c-'0' > 9 {
			return uintSlow(b, "parse.Uint")
		}
		n = n*10 + uint64(c-'0')
	}
	return n, nil
}

// uintSlow handles the empty input and inputs long enough to overflow.
func uintSlow(b []byte, fn string) (uint64, error) {
	if len(b) == 0 {
		return 0, syntaxError(fn, b)
	}
	var n uint64
	for _, c := range b {
		c -= '0'
		if c > 9 {
			return 0, syntaxError(fn, b)
		}
		if n > maxUint64/10 || (n == maxUint64/10 && uint64(c) > maxUint64%10) {
			return maxUint64, rangeError(fn, b)
		}
		n = n*10 + uint64(c)
	}
	return n, nil
}

// Int parses a signed decimal number with an optional leading '-' or '+'. On
// overflow it returns math.MaxInt64 or math.MinInt64 and strconv.ErrRange.
func Int(b []byte) (int64, error) {
	d := b
	neg := false
	if len(d) > 0 && (d[0] == '-' || d[0] == '+') {
		neg = d[0] == '-'
		d = d[1:]
	}
	n, err := Uint(d)
	if err != nil {
		ne := rename(err, "parse.Int")
		ne.Num = string(b)
		if ne.Err == strconv.ErrRange {
			return rangeInt(neg), ne
		}
		return 0, ne
	}
	if neg {
		if n > 1<<63 {
			return rangeInt(neg), rangeError("parse.Int", b)
		}
		return -int64(n), nil
	}
	if n > 1<<63-1 {
		return rangeInt(neg), rangeError("parse.Int", b)
	}
	return int64(n), nil
}

func rangeInt(neg bool) int64 {
	if neg {
		return -1 << 63
	}
	return 1<<63 - 1
}

// UintBase parses an unsigned number in base 8, 10 or 16 without prefix
// ("0x", "0o") or sign. Hexadecimal digits may be upper or lower case. Any
// other base is an error.
func UintBase(b []byte, base int) (uint64, error) {
	var v uint64
	var err error
	switch base {
	case 10:
		v, err = Uint(b)
	case 16:
		v, err = uintPow2(b, 4, "parse.UintBase")
	case 8:
		v, err = uintPow2(b, 3, "parse.UintBase")
	default:
		return 0, &strconv.NumError{Func: "parse.UintBase", Num: string(b), Err: errors.New("invalid base " + strconv.Itoa(base))}
	}
	if err != nil {
		return v, rename(err, "parse.UintBase")
	}
	return v, nil
}

// Hex parses an unsigned hexadecimal number without "0x" prefix, in upper or
// lower case.
func Hex(b []byte) (uint64, error) {
	return uintPow2(b, 4, "parse.Hex")
}

// uintPow2 parses digits of base 1<<shift (8 or 16).
func uintPow2(b []byte, shift uint, fn string) (uint64, error) {
	if len(b) == 0 {
		return 0, syntaxError(fn, b)
	}
	base := byte(1) << shift
	var n uint64
	if uint(len(b)) <= 64/shift { // too short to overflow
		for _, c := range b {
			d := digitVal[c]
			if d >= base {
				return 0, syntaxError(fn, b)
			}
			n = n<<shift | uint64(d)
		}
		return n, nil
	}
	for _, c := range b {
		d := digitVal[c]
		if d >= base {
			return 0, syntaxError(fn, b)
		}
		if n>>(64-shift) != 0 {
			return maxUint64, rangeError(fn, b)
		}
		n = n<<shift | uint64(d)
	}
	return n, nil
}

// digitVal maps an ASCII hexadecimal digit (either case) to its value and
// every other byte to 0xff.
var digitVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
		t[c-'a'+'A'] = byte(c - 'a' + 10)
	}
	return t
}()

// UintOrMax parses a cgroup-style limit: the keyword "max" yields max=true
// (and v=0); anything else is parsed by Uint.
func UintOrMax(b []byte) (v uint64, max bool, err error) {
	if string(b) == "max" {
		return 0, true, nil
	}
	v, err = Uint(b)
	if err != nil {
		return v, false, rename(err, "parse.UintOrMax")
	}
	return v, false, nil
}

// KB parses a kibibyte quantity as /proc/meminfo and /proc/PID/status print
// it ("1234 kB", "1234kB" or a bare "1234", all meaning kB), with spaces and
// tabs trimmed around the number and the unit, and returns bytes. A result
// above math.MaxUint64 is strconv.ErrRange.
func KB(b []byte) (uint64, error) {
	d := TrimBlank(b)
	if n := len(d); n >= 2 && d[n-2] == 'k' && d[n-1] == 'B' {
		d = TrimBlank(d[:n-2])
	}
	v, err := Uint(d)
	if err != nil {
		err := rename(err, "parse.KB")
		err.Num = string(b)
		return v, err
	}
	if v > maxUint64>>10 {
		return maxUint64, rangeError("parse.KB", b)
	}
	return v << 10, nil
}

// rename sets the Func of a *strconv.NumError made by this package, so that
// the error names the function the caller called.
func rename(err error, fn string) *strconv.NumError {
	ne := err.(*strconv.NumError)
	ne.Func = fn
	return ne
}

func syntaxError(fn string, b []byte) error {
	return &strconv.NumError{Func: fn, Num: string(b), Err: strconv.ErrSyntax}
}

func rangeError(fn string, b []byte) error {
	return &strconv.NumError{Func: fn, Num: string(b), Err: strconv.ErrRange}
}
