package procfs

import (
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/lxgo/lx/internal/parse"
)

// LimitValue is one resource limit value (rlim_t) in the resource's unit,
// or Unlimited.
type LimitValue uint64

// Unlimited is RLIM_INFINITY: no limit.
const Unlimited LimitValue = math.MaxUint64

// IsUnlimited reports whether v is Unlimited.
func (v LimitValue) IsUnlimited() bool { return v == Unlimited }

// String returns "unlimited" or the decimal value, as /proc/PID/limits
// prints it.
func (v LimitValue) String() string {
	if v == Unlimited {
		return "unlimited"
	}
	return strconv.FormatUint(uint64(v), 10)
}

// MarshalText returns String's text.
func (v LimitValue) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText parses "unlimited" or a decimal number.
func (v *LimitValue) UnmarshalText(b []byte) error {
	n, err := parseLimitValue(b)
	if err != nil {
		return err
	}
	*v = n
	return nil
}

func parseLimitValue(b []byte) (LimitValue, error) {
	if string(b) == "unlimited" {
		return Unlimited, nil
	}
	n, err := parse.Uint(b)
	return rlimValue(n), err
}

// rlimValue maps the kernel's printed RLIM_INFINITY (~0UL: 2^64-1, or
// 2^32-1 on a 32-bit kernel read by a 32-bit program) to Unlimited.
func rlimValue(n uint64) LimitValue {
	if n == math.MaxUint64 || n == uint64(^uint(0)) {
		return Unlimited
	}
	return LimitValue(n)
}

// Rlimit is a resource of getrlimit(2) (RLIMIT_*), an index into Limits.
type Rlimit int

// Resources, numbered as on amd64, 386, arm64 and riscv64
// (include/uapi/asm-generic/resource.h).
const (
	RlimitCPU        Rlimit = iota // CPU time (seconds)
	RlimitFileSize                 // largest file (bytes)
	RlimitData                     // data segment (bytes)
	RlimitStack                    // stack (bytes)
	RlimitCore                     // core file (bytes)
	RlimitRSS                      // resident set (bytes, not enforced)
	RlimitNProc                    // processes of the real user
	RlimitNoFile                   // open files (one above the highest fd)
	RlimitMemLock                  // locked memory (bytes)
	RlimitAS                       // address space (bytes)
	RlimitLocks                    // file locks (not enforced)
	RlimitSigPending               // queued signals of the real user
	RlimitMsgQueue                 // POSIX message queue bytes of the real user
	RlimitNice                     // nice ceiling: 20 - limit
	RlimitRTPrio                   // real-time priority ceiling
	RlimitRTTime                   // real-time CPU time without blocking (microseconds)
	numRlimits
)

var rlimitInfo = [numRlimits]struct {
	name, row string
	unit      LimitUnit
}{
	{"RLIMIT_CPU", "Max cpu time", UnitSeconds},
	{"RLIMIT_FSIZE", "Max file size", UnitBytes},
	{"RLIMIT_DATA", "Max data size", UnitBytes},
	{"RLIMIT_STACK", "Max stack size", UnitBytes},
	{"RLIMIT_CORE", "Max core file size", UnitBytes},
	{"RLIMIT_RSS", "Max resident set", UnitBytes},
	{"RLIMIT_NPROC", "Max processes", UnitCount},
	{"RLIMIT_NOFILE", "Max open files", UnitCount},
	{"RLIMIT_MEMLOCK", "Max locked memory", UnitBytes},
	{"RLIMIT_AS", "Max address space", UnitBytes},
	{"RLIMIT_LOCKS", "Max file locks", UnitCount},
	{"RLIMIT_SIGPENDING", "Max pending signals", UnitCount},
	{"RLIMIT_MSGQUEUE", "Max msgqueue size", UnitBytes},
	{"RLIMIT_NICE", "Max nice priority", UnitCount},
	{"RLIMIT_RTPRIO", "Max realtime priority", UnitCount},
	{"RLIMIT_RTTIME", "Max realtime timeout", UnitMicroseconds},
}

// String returns the kernel's name, "RLIMIT_NOFILE".
func (r Rlimit) String() string {
	if r >= 0 && r < numRlimits {
		return rlimitInfo[r].name
	}
	return "Rlimit(" + strconv.Itoa(int(r)) + ")"
}

// Unit returns the unit of r's values.
func (r Rlimit) Unit() LimitUnit {
	if r >= 0 && r < numRlimits {
		return rlimitInfo[r].unit
	}
	return UnitCount
}

// Duration converts a value of a time resource (RlimitCPU, in seconds, or
// RlimitRTTime, in microseconds) to a time.Duration; Unlimited and values
// too large for a Duration become math.MaxInt64. ok is false for the other
// resources.
func (r Rlimit) Duration(v LimitValue) (d time.Duration, ok bool) {
	var unit time.Duration
	switch r.Unit() {
	case UnitSeconds:
		unit = time.Second
	case UnitMicroseconds:
		unit = time.Microsecond
	default:
		return 0, false
	}
	if v == Unlimited || uint64(v) > uint64(math.MaxInt64/unit) {
		return math.MaxInt64, true
	}
	return time.Duration(v) * unit, true
}

// LimitUnit is the unit of a resource's limit values, the Units column of
// /proc/PID/limits.
type LimitUnit uint8

// Limit units.
const (
	UnitCount        LimitUnit = iota // a number of things (processes, files, locks, signals, a priority)
	UnitBytes                         // bytes
	UnitSeconds                       // seconds (RLIMIT_CPU)
	UnitMicroseconds                  // microseconds (RLIMIT_RTTIME)
)

// String returns "count", "bytes", "seconds" or "microseconds".
func (u LimitUnit) String() string {
	switch u {
	case UnitCount:
		return "count"
	case UnitBytes:
		return "bytes"
	case UnitSeconds:
		return "seconds"
	case UnitMicroseconds:
		return "microseconds"
	}
	return "LimitUnit(" + strconv.Itoa(int(u)) + ")"
}

// Limit is a soft and a hard limit. The soft limit is what the kernel
// enforces; the hard limit is the ceiling for the soft one.
type Limit struct {
	Soft, Hard LimitValue
}

// Limits are the resource limits of a process, indexed by Rlimit:
// limits[procfs.RlimitNoFile].Soft. Values are in each resource's unit
// (Rlimit.Unit; Rlimit.Duration converts the time ones).
type Limits [RlimitRTTime + 1]Limit

// Limits reads /proc/PID/limits (Linux 2.6.24+): the process's resource
// limits, as prlimit(2) would report them. Readable by any user. It
// allocates nothing in steady state.
func (p Proc) Limits() (Limits, error) {
	var l Limits
	err := readInto(p, "limits", &l, parseLimits)
	return l, err
}

var (
	errLimitsRow = errors.New("want name, soft limit, hard limit and unit")
	errNoLimits  = errors.New("no rows")
)

// parseLimits parses the limits table. Rows are matched by name (the kernel
// prints them in RLIMIT_* order); unknown rows are skipped. The name column
// is text without digits, so the soft limit is the first field that is a
// number or "unlimited".
func parseLimits(b []byte, l *Limits) error {
	*l = Limits{}
	seen := 0
	next := RlimitCPU
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		if len(line) == 0 || hasPrefix(line, "Limit ") {
			continue
		}
		// The kernel prints the rows in RLIMIT_* order: try the row after
		// the previous one first. Otherwise the soft limit is the first
		// field that starts with a digit or is "unlimited".
		var rest []byte
		r := Rlimit(-1)
		if next < numRlimits && hasPrefix(line, rlimitInfo[next].row) &&
			len(line) > len(rlimitInfo[next].row) && line[len(rlimitInfo[next].row)] == ' ' {
			r, rest = next, line[len(rlimitInfo[next].row):]
		} else {
			for pos := 0; ; {
				for pos < len(line) && (line[pos] == ' ' || line[pos] == '\t') {
					pos++
				}
				if pos == len(line) {
					return parseErr(n, string(parse.TrimBlank(line)), errLimitsRow)
				}
				end := pos
				for end < len(line) && line[end] != ' ' && line[end] != '\t' {
					end++
				}
				if f := line[pos:end]; f[0]-'0' <= 9 || string(f) == "unlimited" {
					r, rest = rlimitByRow(parse.TrimBlank(line[:pos])), line[pos:]
					break
				}
				pos = end
			}
		}
		if r < 0 {
			continue
		}
		next = r + 1
		softF, rest := parse.Field(rest)
		hardF, _ := parse.Field(rest)
		soft, err := parseLimitValue(softF)
		if err != nil {
			return parseErr(n, rlimitInfo[r].row, err)
		}
		hard, err := parseLimitValue(hardF)
		if err != nil {
			return parseErr(n, rlimitInfo[r].row, err)
		}
		l[r] = Limit{Soft: soft, Hard: hard}
		seen++
	}
	if seen == 0 {
		return errNoLimits
	}
	return nil
}

func hasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

func rlimitByRow(name []byte) Rlimit {
	for i := range rlimitInfo {
		if string(name) == rlimitInfo[i].row {
			return Rlimit(i)
		}
	}
	return -1
}
