package cpu

import (
	"errors"
	"io/fs"
	"math"

	"github.com/lxgo/lx/internal/parse"
)

// The parsers of this file are pure: they see one sysfs file's bytes,
// allocate nothing on success, and return errors without the file's name,
// which parseErr adds.

var errRange = errors.New("number out of range")

// parseErr names the file a parser failed on: an *fs.PathError with Op
// "parse", matching fs.ErrInvalid (cpuset's own parse errors included).
// A nil error stays nil.
func parseErr(path string, err error) error {
	if err == nil {
		return nil
	}
	if !errors.Is(err, fs.ErrInvalid) {
		err = &invalidError{err}
	}
	return &fs.PathError{Op: "parse", Path: path, Err: err}
}

// invalidError is a malformed value: it says what was wrong and matches
// fs.ErrInvalid.
type invalidError struct{ err error }

func (e *invalidError) Error() string        { return e.err.Error() }
func (e *invalidError) Unwrap() error        { return e.err }
func (e *invalidError) Is(target error) bool { return target == fs.ErrInvalid }

// value returns b without the trailing newline sysfs prints.
func value(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

// parseID parses a topology or cache id: a decimal number up to
// math.MaxInt32, or -1, which the kernel prints for an id it does not know
// (cluster_id and die_id on some machines).
func parseID(b []byte) (int, error) {
	b = value(b)
	if len(b) == 2 && b[0] == '-' && b[1] == '1' {
		return -1, nil
	}
	return parseCount(b)
}

// parseCount parses a non-negative decimal number up to math.MaxInt32: a
// CPU, a level, a count of ways or sets, a line size.
func parseCount(b []byte) (int, error) {
	b = value(b)
	v, err := parse.Uint(b)
	if err != nil {
		return 0, &invalidError{err}
	}
	if v > math.MaxInt32 {
		return 0, &invalidError{errRange}
	}
	return int(v), nil
}

// parseCacheSize parses a cache's size file, which the kernel prints in
// KiB with a "K" suffix ("48K"), into bytes. A number without a suffix is
// bytes; "M" and "G" are accepted as well.
func parseCacheSize(b []byte) (uint64, error) {
	b = value(b)
	shift := 0
	if n := len(b); n > 0 {
		switch b[n-1] {
		case 'K':
			shift = 10
		case 'M':
			shift = 20
		case 'G':
			shift = 30
		}
		if shift != 0 {
			b = b[:n-1]
		}
	}
	v, err := parse.Uint(b)
	if err != nil {
		return 0, &invalidError{err}
	}
	if v > math.MaxUint64>>shift {
		return 0, &invalidError{errRange}
	}
	return v << shift, nil
}

// parseFlag parses a 0/1 file (smt/active, cpuN/online).
func parseFlag(b []byte) (bool, error) {
	switch string(value(b)) {
	case "0":
		return false, nil
	case "1":
		return true, nil
	}
	return false, &invalidError{errors.New("want 0 or 1")}
}

var errUnknownMethod = errors.New("want rdpid, rdtscp or getcpu")
