package procfs

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
)

// LoadAvg is /proc/loadavg (proc(5)): the run-queue averages uptime(1)
// prints, and the current task counts.
type LoadAvg struct {
	// Load1, Load5 and Load15 are the exponentially damped averages of
	// runnable plus uninterruptible (D state) tasks over 1, 5 and 15
	// minutes. They are system wide, not per CPU.
	Load1, Load5, Load15 float64
	// Running is the number of runnable tasks (threads) right now.
	Running int
	// Total is the number of tasks (threads) on the system.
	Total int
	// LastPID is the PID most recently allocated in the caller's PID
	// namespace.
	LastPID int
}

// LoadAvg reads /proc/loadavg. It allocates nothing. Any user can read it.
func (fs FS) LoadAvg() (LoadAvg, error) { return readFSSingle(fs, "loadavg", parseLoadAvg) }

// parseLoadAvg parses "1.10 0.30 0.12 6/124 8415\n".
func parseLoadAvg(b []byte) (LoadAvg, error) {
	var f [5][]byte
	rest := parse.Trim(b)
	for i := range f {
		f[i], rest = parse.Field(rest)
		if len(f[i]) == 0 {
			return LoadAvg{}, parseErr(0, "", fmt.Errorf("want 5 fields, got %q", b))
		}
	}
	if len(parse.Trim(rest)) != 0 {
		return LoadAvg{}, parseErr(0, "", fmt.Errorf("want 5 fields, got %q", b))
	}
	var l LoadAvg
	var err error
	for i, p := range []*float64{&l.Load1, &l.Load5, &l.Load15} {
		if *p, err = parseFloat(f[i]); err != nil {
			return LoadAvg{}, parseErr(0, loadavgFieldNames[i], err)
		}
	}
	run, total, ok := bytes.Cut(f[3], []byte{'/'})
	if !ok {
		return LoadAvg{}, parseErr(0, "running/total", fmt.Errorf("want running/total, got %q", f[3]))
	}
	if l.Running, err = parseCount(run); err != nil {
		return LoadAvg{}, parseErr(0, "running", err)
	}
	if l.Total, err = parseCount(total); err != nil {
		return LoadAvg{}, parseErr(0, "total", err)
	}
	if l.LastPID, err = parseCount(f[4]); err != nil {
		return LoadAvg{}, parseErr(0, "last pid", err)
	}
	return l, nil
}

var loadavgFieldNames = [3]string{"load1", "load5", "load15"}

// parseFloat parses a decimal number such as "2445.430" without
// allocating: strconv copies its argument only into errors, so the
// conversion to string stays on the stack.
func parseFloat(b []byte) (float64, error) {
	return strconv.ParseFloat(string(b), 64)
}

// parseCount parses a non-negative decimal that must fit an int.
func parseCount(b []byte) (int, error) {
	v, err := parse.Uint(b)
	if err != nil {
		return 0, err
	}
	if v > 1<<31-1 {
		return 0, &strconv.NumError{Func: "parseCount", Num: string(b), Err: strconv.ErrRange}
	}
	return int(v), nil
}
