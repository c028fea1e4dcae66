package kernel

import "strconv"

// ParseError reports text the kernel wrote (a /proc or /sys file, a
// cgroupfs file) that lx cannot parse, or a value in it that overflows its
// Go type or unit (a page count whose bytes exceed a uint64, ticks beyond a
// time.Duration; Err then matches strconv.ErrRange). procfs and cgroup
// return it, as procfs.ParseError and cgroup.ParseError (the same type),
// for every malformed file; errors.As finds it under any context added
// above.
type ParseError struct {
	Path string // the file: "/proc/42/status"; empty from a parser called on bytes
	Line int    // 1-based line of the value; 0 when the file is one record (stat, statm) or the error concerns the whole file
	Key  string // the key, column or field: "VmRSS", "utime", "Max open files"; empty if none
	Err  error  // what is wrong: a *strconv.NumError, or a description
}

// Error returns "parse PATH:LINE: KEY: ERR", leaving out what is unknown.
func (e *ParseError) Error() string {
	b := make([]byte, 0, 64)
	b = append(b, "parse"...)
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
