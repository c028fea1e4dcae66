package procfs

import (
	"errors"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/rlimit"
)

// limitRows are the row names of /proc/PID/limits, indexed by
// rlimit.Resource (fs/proc/base.c lnames).
var limitRows = [len(rlimit.Limits{})]string{
	rlimit.CPU:        "Max cpu time",
	rlimit.FSize:      "Max file size",
	rlimit.Data:       "Max data size",
	rlimit.Stack:      "Max stack size",
	rlimit.Core:       "Max core file size",
	rlimit.RSS:        "Max resident set",
	rlimit.NProc:      "Max processes",
	rlimit.NoFile:     "Max open files",
	rlimit.MemLock:    "Max locked memory",
	rlimit.AS:         "Max address space",
	rlimit.Locks:      "Max file locks",
	rlimit.SigPending: "Max pending signals",
	rlimit.MsgQueue:   "Max msgqueue size",
	rlimit.Nice:       "Max nice priority",
	rlimit.RTPrio:     "Max realtime priority",
	rlimit.RTTime:     "Max realtime timeout",
}

// Limits reads /proc/PID/limits (Linux 2.6.24+): the process's resource
// limits, as prlimit(2) would report them, indexed by resource:
// limits[rlimit.NoFile].Soft. Values are in each resource's unit
// (rlimit.Resource.Unit; Resource.Duration converts the time ones), and
// the kernel's "unlimited" is rlimit.Unlimited. Readable by any user. It
// allocates nothing in steady state.
func (p Proc) Limits() (rlimit.Limits, error) {
	var l rlimit.Limits
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
func parseLimits(b []byte, l *rlimit.Limits) error {
	*l = rlimit.Limits{}
	seen := 0
	next := rlimit.CPU
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
		r := rlimit.Resource(-1)
		if int(next) < len(limitRows) && hasPrefix(line, limitRows[next]) &&
			len(line) > len(limitRows[next]) && line[len(limitRows[next])] == ' ' {
			r, rest = next, line[len(limitRows[next]):]
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
		soft, err := rlimit.ParseValue(softF)
		if err != nil {
			return parseErr(n, limitRows[r], err)
		}
		hard, err := rlimit.ParseValue(hardF)
		if err != nil {
			return parseErr(n, limitRows[r], err)
		}
		l[r] = rlimit.Limit{Soft: soft, Hard: hard}
		seen++
	}
	if seen == 0 {
		return errNoLimits
	}
	return nil
}

func hasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

func rlimitByRow(name []byte) rlimit.Resource {
	for i, row := range limitRows {
		if string(name) == row {
			return rlimit.Resource(i)
		}
	}
	return -1
}
