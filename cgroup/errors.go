package cgroup

import (
	"errors"
	"strconv"

	"github.com/lxgo/lx/kernel"
)

// ParseError is kernel.ParseError: a value in a cgroupfs file that lx cannot
// parse, or that overflows its Go type or unit, with the file's path, the
// line and the key. Every reader of this package returns it for a
// malformed file.
type ParseError = kernel.ParseError

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
