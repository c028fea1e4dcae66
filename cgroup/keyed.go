package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"time"

	"github.com/lxgo/lx/internal/parse"
)

// The two shapes most cgroup files share (cgroup-v2.rst "Interface Files"
// "Conventions"): flat keyed, "KEY VAL" per line (cpu.stat,
// memory.events), and nested keyed, "KEY SUBKEY=VAL ..." per line
// (io.stat, io.max).

var errShortLine = errors.New(`want "key value"`)

// eachKeyValue calls fn for every "key value" line of a flat keyed file,
// with the value as an unsigned decimal number. Empty lines are skipped; a
// line that is not exactly a key and a number, or an error from fn, is a
// *ParseError naming the line and key. It allocates nothing unless it
// fails.
func eachKeyValue(b []byte, fn func(key []byte, v uint64) error) error {
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		key, rest := parse.Field(line)
		if len(key) == 0 {
			continue
		}
		val, rest := parse.Field(rest)
		if len(val) == 0 || len(parse.TrimBlank(rest)) != 0 {
			return parseErr(n, string(key), errShortLine)
		}
		v, err := parse.Uint(val)
		if err != nil {
			return parseErr(n, string(key), err)
		}
		if err := fn(key, v); err != nil {
			return parseErr(n, string(key), err)
		}
	}
	return nil
}

// usec converts a count of microseconds to a time.Duration; a count that
// does not fit is strconv.ErrRange.
func usec(v uint64, key []byte) (time.Duration, error) {
	if v > math.MaxInt64/uint64(time.Microsecond) {
		return 0, errRange("microseconds to time.Duration", key)
	}
	return time.Duration(v) * time.Microsecond, nil
}

// nsec converts a count of nanoseconds to a time.Duration.
func nsec(v uint64, key []byte) (time.Duration, error) {
	if v > math.MaxInt64 {
		return 0, errRange("nanoseconds to time.Duration", key)
	}
	return time.Duration(v), nil
}

// durationUsec returns d as whole microseconds for a write, or an error
// naming what when d is negative or not a whole number of microseconds:
// the kernel's files count microseconds and lx does not round a caller's
// value silently.
func durationUsec(what string, d time.Duration) (uint64, error) {
	if d < 0 || d%time.Microsecond != 0 {
		return 0, fmt.Errorf("%s %v: want a non-negative whole number of microseconds: %w", what, d, fs.ErrInvalid)
	}
	return uint64(d / time.Microsecond), nil
}
