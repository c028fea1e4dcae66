package procfs

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/lxgo/lx/internal/parse"
)

// Uptime is /proc/uptime (proc(5)).
type Uptime struct {
	// Total is the time since boot, including time spent in suspend
	// (CLOCK_BOOTTIME). Inside a time namespace it is offset like
	// CLOCK_BOOTTIME.
	Total time.Duration
	// Idle is the time the CPUs spent idle, summed over all CPUs: on an
	// idle N-CPU machine it grows N times as fast as Total.
	Idle time.Duration
}

// Uptime reads /proc/uptime. It allocates nothing. Any user can read it.
func (fs FS) Uptime() (Uptime, error) { return readFSSingle(fs, "uptime", parseUptime) }

// parseUptime parses "2175.17 4228.98\n".
func parseUptime(b []byte) (Uptime, error) {
	total, rest := parse.Field(parse.Trim(b))
	idle, rest := parse.Field(rest)
	if len(idle) == 0 || len(parse.Trim(rest)) != 0 {
		return Uptime{}, parseErr(0, "", fmt.Errorf("want 2 fields, got %q", b))
	}
	t, err := parseSeconds(total)
	if err != nil {
		return Uptime{}, parseErr(0, "total", err)
	}
	i, err := parseSeconds(idle)
	if err != nil {
		return Uptime{}, parseErr(0, "idle", err)
	}
	return Uptime{Total: t, Idle: i}, nil
}

// parseSeconds parses a non-negative decimal number of seconds such as
// "2175.17" or "12" exactly (no floating point) into a Duration. Digits
// beyond nanoseconds are truncated.
func parseSeconds(b []byte) (time.Duration, error) {
	ip, fp, _ := bytes.Cut(b, []byte{'.'})
	sec, err := parse.Uint(ip)
	if err != nil {
		return 0, err
	}
	if sec > uint64(1<<63-1)/uint64(time.Second) {
		return 0, &strconv.NumError{Func: "parseSeconds", Num: string(b), Err: strconv.ErrRange}
	}
	d := time.Duration(sec) * time.Second
	scale := time.Duration(100_000_000)
	for _, c := range fp {
		if c-'0' > 9 {
			return 0, &strconv.NumError{Func: "parseSeconds", Num: string(b), Err: strconv.ErrSyntax}
		}
		d += time.Duration(c-'0') * scale
		scale /= 10
	}
	if d < 0 {
		return 0, &strconv.NumError{Func: "parseSeconds", Num: string(b), Err: strconv.ErrRange}
	}
	return d, nil
}
