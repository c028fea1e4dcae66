package cgroup

import (
	"errors"
	"strconv"
)

// ParseError reports a value in a cgroupfs file that lx cannot parse, or
// that overflows its Go type or unit (microseconds beyond a
// time.Duration; Err then matches strconv.ErrRange). It has the shape of
// procfs.ParseError; cgroupfs files are not /proc files, so this package
// parses them and reports its own type.
type ParseError struct {
	Path string // the file: "/sys/fs/cgroup/a/memory.stat"; empty from a parser called on bytes
	Line int    // 1-based line of the value; 0 when the file is one value or the error concerns the whole file
	Key  string // the key or field: "usage_usec", "rbps"; empty if none
	Err  error  // what is wrong: a *strconv.NumError, or a description
}

// Error returns "cgroup parse PATH:LINE: KEY: ERR", leaving out what is
// unknown.
func (e *ParseError) Error() string {
	b := make([]byte, 0, 64)
	b = append(b, "cgroup parse"...)
	if e.Path != "" {
		b = append(b, ' ')
		b = append(b, e.Path...)
	}
	if e.Line > 0 {
		if e.Path != "" {
			b = append(b, ':')
		} else {
			b = append(b, " line "...)
		}
		b = strconv.AppendInt(b, int64(e.Line), 10)
	}
	if e.Key != "" {
		b = append(b, ": "...)
		b = append(b, e.Key...)
	}
	b = append(b, ": "...)
	if e.Err != nil {
		b = append(b, e.Err.Error()...)
	} else {
		b = append(b, "invalid"...)
	}
	return string(b)
}

// Unwrap returns Err.
func (e *ParseError) Unwrap() error { return e.Err }

// parseErr returns a *ParseError for line and key; the readers fill in
// the path.
func parseErr(line int, key string, err error) error {
	return &ParseError{Line: line, Key: key, Err: err}
}

// withPath returns err, a parser's error, as a *ParseError naming path.
func withPath(path string, err error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		if pe.Path == "" {
			pe.Path = path
		}
		return err
	}
	return &ParseError{Path: path, Err: err}
}

// errRange is the error for a value that does not fit its type or unit
// after conversion: conv names the conversion.
func errRange(conv string, num []byte) error {
	return &strconv.NumError{Func: conv, Num: string(num), Err: strconv.ErrRange}
}
