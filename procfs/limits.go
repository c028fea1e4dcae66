package procfs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/bits"

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
	// The table is about 1.3 KiB: read into a buffer on the stack, which
	// spares the buffer pool (see readSmall).
	var small [2048]byte
	b, bp, err := p.readSmall("limits", small[:])
	if err != nil {
		return rlimit.Limits{}, err
	}
	var l rlimit.Limits
	err = parseLimits(b, &l)
	if bp != nil {
		putBuf(bp)
	}
	if err != nil {
		return rlimit.Limits{}, withPath(p.path("limits"), err)
	}
	return l, nil
}

var (
	errLimitsRow = errors.New("want name, soft limit, hard limit and unit")
	errNoLimits  = errors.New("no rows")
)

// parseLimits parses the limits table: on the fast path when it is in the
// kernel's form, else with parseLimitsRows.
func parseLimits(b []byte, l *rlimit.Limits) error {
	if parseLimitsFast(b, l) {
		return nil
	}
	return parseLimitsRows(b, l)
}

// limitsHeader is the first line of /proc/PID/limits.
const limitsHeader = "Limit                     Soft Limit           Hard Limit           Units     \n"

// limitColumns holds each row's name column as the kernel prints it
// ("%-25s ": the name padded to 26 bytes) as three words and the last two
// bytes, so that a row is recognised with four comparisons.
var limitColumns = func() (t [len(limitRows)]struct {
	w [3]uint64
	e uint16
}) {
	for r, name := range limitRows {
		col := []byte(name)
		for len(col) < 26 {
			col = append(col, ' ')
		}
		for j := range t[r].w {
			t[r].w[j] = binary.LittleEndian.Uint64(col[8*j:])
		}
		t[r].e = binary.LittleEndian.Uint16(col[24:])
	}
	return t
}()

// parseLimitsFast reads the table in the kernel's form (fs/proc/base.c
// proc_pid_limits): the header line, then the 16 rows in RLIMIT_* order,
// each the name padded to 26 bytes, the soft and the hard limit (a
// number or "unlimited") each followed by spaces, the unit and '\n'. It
// returns false having written nothing for anything else, which
// parseLimitsRows reads; FuzzParseLimits checks that the two agree where
// this one accepts a table.
func parseLimitsFast(b []byte, l *rlimit.Limits) bool {
	if len(b) < len(limitsHeader) || string(b[:len(limitsHeader)]) != limitsHeader {
		return false
	}
	var v rlimit.Limits
	i := len(limitsHeader)
	for r := range limitColumns {
		if i < 0 || len(b)-i < 26 {
			return false
		}
		s, c := b[i:i+26:i+26], &limitColumns[r]
		if binary.LittleEndian.Uint64(s[0:8]) != c.w[0] || binary.LittleEndian.Uint64(s[8:16]) != c.w[1] ||
			binary.LittleEndian.Uint64(s[16:24]) != c.w[2] || binary.LittleEndian.Uint16(s[24:26]) != c.e {
			return false
		}
		// The columns in the kernel's fixed widths, else limitValue,
		// which takes any run of spaces after a value.
		soft, ok := limitColumn(b, i+26)
		j := i + 26 + 21
		if !ok {
			if soft, j, ok = limitValue(b, i+26); !ok {
				return false
			}
		}
		hard, ok := limitColumn(b, j)
		if ok {
			j += 21
		} else if hard, j, ok = limitValue(b, j); !ok {
			return false
		}
		// The unit, which parseLimitsRows ignores too: none, or ten
		// bytes ("%-10s"), then the newline.
		switch {
		case j < len(b) && b[j] == '\n':
			i = j + 1
		case j >= 0 && len(b)-j >= 11 && b[j+10] == '\n' && noNewline(b[j:j+10:j+10]):
			i = j + 11
		default:
			nl := bytes.IndexByte(b[j:], '\n')
			if nl < 0 {
				return false
			}
			i = j + nl + 1
		}
		v[r] = rlimit.Limit{Soft: soft, Hard: hard}
	}
	if i != len(b) {
		return false
	}
	*l = v
	return true
}

// limitColumn reads a limit column at b[j:] in the kernel's form ("%-20s "
// and "%-20lu "): "unlimited" or 1 to 7 digits, left-aligned in 20
// bytes of spaces, one more space, then a byte that is neither a space
// nor a tab. ok is false for anything else, which limitValue reads.
func limitColumn(b []byte, j int) (rlimit.Value, bool) {
	const spaces = 0x2020202020202020
	if j < 0 || len(b)-j < 22 {
		return 0, false
	}
	s := b[j : j+22 : j+22]
	w0, w1, w2 := binary.LittleEndian.Uint64(s[0:]), binary.LittleEndian.Uint64(s[8:]), binary.LittleEndian.Uint64(s[14:])
	var x rlimit.Value
	if w0 == 0x6574696d696c6e75 && s[8] == 'd' { // "unlimite", 'd'
		x = rlimit.Unlimited
		if (w1^spaces)>>8 != 0 {
			return 0, false
		}
	} else {
		t := w0 - 0x30*ones
		n := bits.TrailingZeros64((t|(t+0x76*ones))&(0x80*ones)) >> 3
		if n == 0 || n == 8 || (w0^spaces)>>(8*n&63) != 0 || w1 != spaces {
			return 0, false
		}
		x = rlimit.Value(parse.Swar8(t << ((64 - 8*n) & 63)))
	}
	// Bytes 14 to 20 are spaces; byte 21 starts the next column.
	if w2&(1<<56-1) != spaces&(1<<56-1) || s[21] == ' ' || s[21] == '\t' {
		return 0, false
	}
	return x, true
}

// noNewline reports whether the ten bytes of b hold no '\n'.
func noNewline(b []byte) bool {
	if len(b) != 10 {
		return false
	}
	x := binary.LittleEndian.Uint64(b) ^ 0x0a0a0a0a0a0a0a0a
	return (x-ones)&^x&(0x80*ones) == 0 && b[8] != '\n' && b[9] != '\n'
}

// limitValue reads a limit at b[j:], "unlimited" or 1 to 20 digits, and
// the spaces after it (at least one), and returns it and the index after
// the spaces.
func limitValue(b []byte, j int) (rlimit.Value, int, bool) {
	var x rlimit.Value
	if len(b)-j >= 9 && string(b[j:j+9]) == "unlimited" {
		x, j = rlimit.Unlimited, j+9
	} else {
		n, m, ok := leadNumber(b[j:])
		if !ok {
			return 0, 0, false
		}
		x, j = rlimit.Value(n), j+m
	}
	// The spaces, eight at a time (the columns are 20 wide).
	k := j
	for k < len(b) {
		if w := parse.Load8(b, k) ^ 0x2020202020202020; w != 0 {
			k += bits.TrailingZeros64(w) >> 3
			break
		}
		k += 8
	}
	k = min(k, len(b))
	if k == j || k < len(b) && b[k] == '\t' {
		return 0, 0, false
	}
	return x, k, true
}

// parseLimitsRows parses the limits table row by row, in any form. Rows
// are matched by name (the kernel prints them in RLIMIT_* order); unknown
// rows are skipped. The name column is text without digits, so the soft
// limit is the first field that is a number or "unlimited".
func parseLimitsRows(b []byte, l *rlimit.Limits) error {
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
