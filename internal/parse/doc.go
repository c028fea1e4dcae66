// Package parse holds the zero-allocation tokenizers and number parsers that
// the /proc, /sys and cgroupfs readers are built on.
//
// Every function is pure: it reads the bytes it is given, returns sub-slices
// of them (never copies unless it is told where to append), and allocates
// nothing on success. Numeric errors are *strconv.NumError values whose Func
// names the parse function (for example "parse.Uint") and whose Err is
// strconv.ErrSyntax or strconv.ErrRange, so callers can use errors.Is; the
// error is built (and allocates) only on the failure path.
//
// Nothing here panics on any input: the package is fuzzed with arbitrary
// bytes.
package parse
