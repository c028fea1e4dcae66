// Package rlimit holds the value types of resource limits
// (getrlimit(2), prlimit(2)): the resources, their units, limit values
// with the kernel's "unlimited", and a process's table of soft and hard
// limits.
//
// The package is pure: no system calls, no files. /proc/PID/limits is
// read by procfs, into Limits.
//
// Go constants drop the kernel's RLIMIT_ prefix, which the package name
// already says, and spell the rest in Go's mixed caps: RLIMIT_NOFILE is
// rlimit.NoFile. Every concept package of lx follows that rule. The text
// form of a resource is the kernel's name, "RLIMIT_NOFILE"; Name gives
// the short name prlimit(1) and ulimit use, "nofile".
//
// Resources are numbered as in include/uapi/asm-generic/resource.h,
// which amd64, 386, arm, arm64 and riscv64 share; alpha, mips, sparc and
// parisc number some differently and are not supported.
package rlimit

import (
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"strconv"
	"time"

	"github.com/lxgo/lx/internal/parse"
)

// Resource is a resource whose use a limit bounds (RLIMIT_*), the
// resource argument of prlimit(2) and the index of Limits.
type Resource int

// The resources.
const (
	CPU        Resource = iota // RLIMIT_CPU: CPU time (seconds); SIGXCPU at the soft limit, SIGKILL at the hard
	FSize                      // RLIMIT_FSIZE: largest file the process may create (bytes); SIGXFSZ beyond it
	Data                       // RLIMIT_DATA: data segment, heap and private writable mappings (bytes)
	Stack                      // RLIMIT_STACK: main thread's stack (bytes)
	Core                       // RLIMIT_CORE: largest core file (bytes); 0 disables core dumps
	RSS                        // RLIMIT_RSS: resident set (bytes); not enforced
	NProc                      // RLIMIT_NPROC: processes (threads) of the real user id
	NoFile                     // RLIMIT_NOFILE: one above the highest file descriptor the process may open
	MemLock                    // RLIMIT_MEMLOCK: locked memory (bytes)
	AS                         // RLIMIT_AS: address space (bytes)
	Locks                      // RLIMIT_LOCKS: file locks and leases; not enforced
	SigPending                 // RLIMIT_SIGPENDING: queued signals of the real user id
	MsgQueue                   // RLIMIT_MSGQUEUE: bytes in POSIX message queues of the real user id
	Nice                       // RLIMIT_NICE: ceiling of the nice value, as 20 - limit
	RTPrio                     // RLIMIT_RTPRIO: ceiling of the real-time priority
	RTTime                     // RLIMIT_RTTIME: CPU time under a real-time policy without blocking (microseconds)

	numResources // RLIM_NLIMITS
)

var resources = [numResources]struct {
	name, short string
	unit        Unit
}{
	{"RLIMIT_CPU", "cpu", UnitSeconds},
	{"RLIMIT_FSIZE", "fsize", UnitBytes},
	{"RLIMIT_DATA", "data", UnitBytes},
	{"RLIMIT_STACK", "stack", UnitBytes},
	{"RLIMIT_CORE", "core", UnitBytes},
	{"RLIMIT_RSS", "rss", UnitBytes},
	{"RLIMIT_NPROC", "nproc", UnitCount},
	{"RLIMIT_NOFILE", "nofile", UnitCount},
	{"RLIMIT_MEMLOCK", "memlock", UnitBytes},
	{"RLIMIT_AS", "as", UnitBytes},
	{"RLIMIT_LOCKS", "locks", UnitCount},
	{"RLIMIT_SIGPENDING", "sigpending", UnitCount},
	{"RLIMIT_MSGQUEUE", "msgqueue", UnitBytes},
	{"RLIMIT_NICE", "nice", UnitCount},
	{"RLIMIT_RTPRIO", "rtprio", UnitCount},
	{"RLIMIT_RTTIME", "rttime", UnitMicroseconds},
}

func (r Resource) known() bool { return r >= 0 && r < numResources }

// String returns the kernel's name of r, "RLIMIT_NOFILE", or the decimal
// number of a resource lx does not know.
func (r Resource) String() string {
	if r.known() {
		return resources[r].name
	}
	return strconv.Itoa(int(r))
}

// Name returns the short name prlimit(1) uses for r (its --nofile option
// and, in upper case, its RESOURCE column), "nofile", or the decimal
// number of a resource lx does not know.
func (r Resource) Name() string {
	if r.known() {
		return resources[r].short
	}
	return strconv.Itoa(int(r))
}

// Unit returns the unit of r's limit values; UnitCount for a resource lx
// does not know.
func (r Resource) Unit() Unit {
	if r.known() {
		return resources[r].unit
	}
	return UnitCount
}

// MarshalText returns String's text.
func (r Resource) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText sets *r from text ParseResource accepts.
func (r *Resource) UnmarshalText(text []byte) error {
	v, err := ParseResource(string(text))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// ParseResource returns the resource text names: the kernel's name
// "RLIMIT_NOFILE" or prlimit's short name "nofile", in any ASCII case,
// or a decimal number 0..2147483647 (String's form for a resource lx does
// not know). The error wraps strconv.ErrSyntax, or strconv.ErrRange for
// a larger number.
func ParseResource(text string) (Resource, error) {
	if len(text) > 0 && text[0]-'0' <= 9 {
		n, err := parse.Uint([]byte(text))
		if err == nil && n > math.MaxInt32 {
			err = strconv.ErrRange
		}
		if err != nil {
			return 0, fmt.Errorf("rlimit: invalid resource %q: %w", text, err)
		}
		return Resource(n), nil
	}
	short := text
	if len(short) > len("rlimit_") && equalFold(short[:len("rlimit_")], "rlimit_") {
		short = short[len("rlimit_"):]
	}
	for r := range numResources {
		if equalFold(short, resources[r].short) {
			return r, nil
		}
	}
	return 0, fmt.Errorf("rlimit: invalid resource %q: %w", text, strconv.ErrSyntax)
}

// equalFold reports whether s is the lower-case word w with any of its
// ASCII letters in upper case (no Unicode folding: the Kelvin sign is
// not a 'k').
func equalFold(s, w string) bool {
	if len(s) != len(w) {
		return false
	}
	for i := range len(s) {
		if c := s[i]; c != w[i] && !(c-'A' <= 'Z'-'A' && c+'a'-'A' == w[i]) {
			return false
		}
	}
	return true
}

// Duration converts a value of a time resource (CPU, in seconds, or
// RTTime, in microseconds) to a time.Duration. ok is false, and d 0,
// when r is not a time resource, v is Unlimited, or v is more than a
// time.Duration holds (about 292 years): a caller that must tell these
// apart checks r.Unit() and v.IsUnlimited(). Nothing is clamped.
func (r Resource) Duration(v Value) (d time.Duration, ok bool) {
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
		return 0, false
	}
	return time.Duration(v) * unit, true
}

// Unit is the unit of a resource's limit values.
type Unit uint8

// Units.
const (
	UnitCount        Unit = iota // a number of things (processes, files, locks, signals) or a priority
	UnitBytes                    // bytes
	UnitSeconds                  // seconds (CPU)
	UnitMicroseconds             // microseconds (RTTime)
)

// String returns "count", "bytes", "seconds" or "microseconds", or
// "Unit(N)" for a value that is none of them.
func (u Unit) String() string {
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
	return "Unit(" + strconv.Itoa(int(u)) + ")"
}

// Limits are the resource limits of a process, indexed by Resource:
// l[rlimit.NoFile].Soft. Values are in each resource's unit
// (Resource.Unit; Resource.Duration converts the time ones).
type Limits [RTTime + 1]Limit

// MarshalJSON returns l as a JSON object keyed by the kernel's resource
// names in resource order, each limit an object of two values as Value's
// MarshalJSON writes them:
//
//	{"RLIMIT_CPU": {"Soft": "unlimited", "Hard": "unlimited"}, ...,
//	 "RLIMIT_NOFILE": {"Soft": 1024, "Hard": 524288}, ...}
func (l Limits) MarshalJSON() ([]byte, error) {
	b := append(make([]byte, 0, 64*len(l)), '{')
	for r, lim := range l.All() {
		if r > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, r.String()...)
		b = append(b, `":{"Soft":`...)
		soft, _ := lim.Soft.MarshalJSON()
		b = append(b, soft...)
		b = append(b, `,"Hard":`...)
		hard, _ := lim.Hard.MarshalJSON()
		b = append(b, hard...)
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

// UnmarshalJSON sets the limits of the resources named in a JSON object
// as MarshalJSON writes it. A key is any name ParseResource accepts
// ("RLIMIT_NOFILE", "nofile"); a resource Limits has no room for (a
// number beyond RLIMIT_RTTIME) is an error. A resource the object does
// not name keeps its limit, as a struct field absent from a JSON object
// keeps its value; null leaves l unchanged.
func (l *Limits) UnmarshalJSON(b []byte) error {
	var m map[Resource]Limit
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("rlimit: invalid limits: %w", err)
	}
	for r := range m {
		if !r.known() {
			return fmt.Errorf("rlimit: invalid limits: resource %v beyond RLIMIT_RTTIME: %w", r, strconv.ErrRange)
		}
	}
	for r, lim := range m {
		l[r] = lim
	}
	return nil
}

// All yields each resource and its limit, in resource order.
func (l Limits) All() iter.Seq2[Resource, Limit] {
	return func(yield func(Resource, Limit) bool) {
		for r := range numResources {
			if !yield(r, l[r]) {
				return
			}
		}
	}
}
