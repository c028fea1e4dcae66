package ns

import (
	"fmt"
	"io/fs"
	"math"
	"strconv"
	"time"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// TimeOffsets are the clock offsets of a time namespace
// (time_namespaces(7)): how far its CLOCK_MONOTONIC and CLOCK_BOOTTIME
// (and their _COARSE, _RAW and _ALARM variants) are ahead of the initial
// time namespace's. Negative offsets are allowed as long as the clocks
// stay positive in the namespace.
//
// The text form is that of /proc/PID/timens_offsets: a line per clock,
// "<clock> <seconds> <nanoseconds>", the clock named "monotonic" or
// "boottime", the seconds signed, the nanoseconds 0..999999999:
//
//	monotonic 86400 0
//	boottime -2 500000000
type TimeOffsets struct {
	Monotonic time.Duration
	Boottime  time.Duration
}

// String returns the text form with both clocks, one space between the
// fields (the kernel pads them when it shows the file), each line ending
// in a newline.
func (o TimeOffsets) String() string { return string(o.appendText(nil)) }

func (o TimeOffsets) appendText(b []byte) []byte {
	b = appendOffset(append(b, "monotonic "...), o.Monotonic)
	return appendOffset(append(b, "boottime "...), o.Boottime)
}

// appendOffset appends d as "seconds nanoseconds\n" with the nanoseconds
// in 0..999999999, as struct timespec holds a negative offset.
func appendOffset(b []byte, d time.Duration) []byte {
	sec, nsec := int64(d/time.Second), int64(d%time.Second)
	if nsec < 0 {
		sec, nsec = sec-1, nsec+int64(time.Second)
	}
	b = strconv.AppendInt(b, sec, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, nsec, 10)
	return append(b, '\n')
}

// MarshalText returns the text form.
func (o TimeOffsets) MarshalText() ([]byte, error) { return o.appendText(nil), nil }

// UnmarshalText sets *o from the text form (see ParseTimeOffsets).
func (o *TimeOffsets) UnmarshalText(text []byte) error {
	v, err := ParseTimeOffsets(text)
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// ParseTimeOffsets parses the text form of /proc/PID/timens_offsets. Like
// the kernel it accepts the clock ids 1 (CLOCK_MONOTONIC) and 7
// (CLOCK_BOOTTIME) for the names, lines in either order, fields separated
// by spaces or tabs, and no newline after the last line. Each clock may
// appear once; a clock that does not appear is zero. An offset beyond
// time.Duration's range (about 292 years) is an error wrapping
// strconv.ErrRange, anything else malformed one wrapping
// strconv.ErrSyntax. It allocates only for an error.
func ParseTimeOffsets[T ~string | ~[]byte](text T) (TimeOffsets, error) {
	var o TimeOffsets
	var seen [2]bool
	line := 0
	for start := 0; start < len(text); {
		end := start
		for end < len(text) && text[end] != '\n' {
			end++
		}
		line++
		clock, d, err := parseOffsetLine(text[start:end])
		if err != nil {
			return TimeOffsets{}, fmt.Errorf("ns: time offsets line %d: %w", line, err)
		}
		if seen[clock] {
			return TimeOffsets{}, fmt.Errorf("ns: time offsets line %d: %s given twice: %w", line, clockNames[clock], strconv.ErrSyntax)
		}
		seen[clock] = true
		if clock == 0 {
			o.Monotonic = d
		} else {
			o.Boottime = d
		}
		start = end + 1
	}
	return o, nil
}

// clockNames are the clocks of a time namespace, by parseOffsetLine's
// index, with their clock ids.
var (
	clockNames = [2]string{"monotonic", "boottime"}
	clockIDs   = [2]string{"1", "7"}
)

// parseOffsetLine parses "clock seconds nanoseconds".
func parseOffsetLine[T ~string | ~[]byte](l T) (clock int, d time.Duration, err error) {
	var f [3]T
	n := 0
	for i := 0; i < len(l); {
		for i < len(l) && isBlank(l[i]) {
			i++
		}
		j := i
		for j < len(l) && !isBlank(l[j]) {
			j++
		}
		if j > i {
			if n == len(f) {
				return 0, 0, fmt.Errorf("more than 3 fields: %w", strconv.ErrSyntax)
			}
			f[n] = l[i:j]
			n++
		}
		i = j
	}
	if n != 3 {
		return 0, 0, fmt.Errorf("%d fields, want 3: %w", n, strconv.ErrSyntax)
	}
	clock = -1
	for c := range clockNames {
		if string(f[0]) == clockNames[c] || string(f[0]) == clockIDs[c] {
			clock = c
		}
	}
	if clock < 0 {
		return 0, 0, fmt.Errorf("unknown clock %q: %w", f[0], strconv.ErrSyntax)
	}
	sec, err := parseInt64(f[1])
	if err != nil {
		return 0, 0, fmt.Errorf("seconds %q: %w", f[1], err)
	}
	nsec, err := parseInt64(f[2])
	if err != nil || f[2][0] == '-' || f[2][0] == '+' || nsec >= int64(time.Second) {
		if err == nil {
			err = strconv.ErrSyntax
		}
		return 0, 0, fmt.Errorf("nanoseconds %q, want 0..999999999: %w", f[2], err)
	}
	d, ok := offset(sec, nsec)
	if !ok {
		return 0, 0, fmt.Errorf("offset %s.%09d s beyond time.Duration: %w", f[1], nsec, strconv.ErrRange)
	}
	return clock, d, nil
}

// offset is sec s + nsec ns (nsec in 0..1e9-1) as a Duration, or false if
// it does not fit.
func offset(sec, nsec int64) (time.Duration, bool) {
	const s = int64(time.Second)
	if sec >= 0 {
		if sec > math.MaxInt64/s || sec*s > math.MaxInt64-nsec {
			return 0, false
		}
		return time.Duration(sec*s + nsec), true
	}
	// sec*s may not fit although the sum does: (sec+1)*s - (s-nsec).
	if sec+1 < math.MinInt64/s {
		return 0, false
	}
	base, sub := (sec+1)*s, s-nsec
	if base < math.MinInt64+sub {
		return 0, false
	}
	return time.Duration(base - sub), true
}

// isBlank reports the separators of a text line: space and tab, and the
// other characters the kernel's isspace takes (\v, \f, \r).
func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' }

// parseInt64 parses an optionally signed decimal without allocating on
// success.
func parseInt64[T ~string | ~[]byte](s T) (int64, error) {
	neg := false
	i := 0
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg, i = s[0] == '-', 1
	}
	if i == len(s) {
		return 0, strconv.ErrSyntax
	}
	var u uint64
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, strconv.ErrSyntax
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, strconv.ErrRange
		}
		u = u*10 + uint64(c-'0')
	}
	switch {
	case !neg && u <= math.MaxInt64:
		return int64(u), nil
	case neg && u < 1<<63:
		return -int64(u), nil
	case neg && u == 1<<63:
		return math.MinInt64, nil
	}
	return 0, strconv.ErrRange
}

// SetTimeOffsets writes o to /proc/PID/timens_offsets: the offsets of the
// time namespace for children of process (or thread) pid, which must be a
// new one (from unshare(2) CLONE_NEWTIME) that no process has entered yet;
// once one has, the kernel refuses (EACCES, an error matching
// fs.ErrPermission). Both clocks are written, in one write(2). A thread id
// is accepted: /proc/TID/ reaches a thread that is not its process's
// leader, which is how a disposable thread sets the offsets of the
// namespace it created (see UnshareOptions).
//
// The kernel refuses offsets that would make a clock negative in the
// namespace, or larger than about 146 years (ERANGE).
//
// It changes the time namespace for children of pid (which no process is
// in yet) and nothing of the caller's. Privilege: CAP_SYS_TIME in the user
// namespace owning the time namespace. Linux 5.6.
func SetTimeOffsets(pid int, o TimeOffsets) error {
	if err := kernel.CheckPID(pid); err != nil {
		return fmt.Errorf("ns set time offsets: %w", err)
	}
	if err := writeProc(pid, "timens_offsets", o.appendText(nil)); err != nil {
		return fmt.Errorf("ns set time offsets: %w", err)
	}
	return nil
}

// writeProc writes b to /proc/PID/name in a single write(2) at offset 0,
// as the kernel's uid_map, gid_map, setgroups and timens_offsets files
// require.
func writeProc(pid int, name string, b []byte) error {
	path := "/proc/" + strconv.Itoa(pid) + "/" + name
	fd, err := sys.Open(path, sys.O_WRONLY)
	if err != nil {
		if sys.Errno(err) == sys.ENOENT {
			if _, serr := sys.Fstatat(sys.AT_FDCWD, "/proc/"+strconv.Itoa(pid), 0); sys.Errno(serr) == sys.ENOENT {
				return fmt.Errorf("no process %d: %w", pid, sys.ESRCH)
			}
		}
		return err
	}
	defer fd.Close()
	n, err := sys.Write(fd.Int(), b)
	if errno := sys.Errno(err); errno != 0 {
		return &fs.PathError{Op: "write", Path: path, Err: errno}
	} else if err != nil {
		return err
	}
	if n != len(b) {
		return fmt.Errorf("write %s: %d of %d bytes written", path, n, len(b))
	}
	return nil
}
