package cgroup

import (
	"fmt"
	"io/fs"
	"math"
	"strconv"
	"time"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/kernel"
)

// The cpu controller's files, cpu.* (cgroup-v2.rst "CPU", Linux 4.15).
// cpu.stat exists in every cgroup (usage only, unless "cpu" is enabled);
// the others in non-root cgroups whose parent enabled "cpu". The
// pressure file is read by Pressure.

// Limits of the kernel's CFS bandwidth control (kernel/sched/core.c).
const (
	minCFSPeriod  = time.Millisecond               // min_cfs_quota_period, also the least quota
	maxCFSPeriod  = time.Second                    // max_cfs_quota_period
	maxCFSRuntime = (1<<44 - 1) * time.Microsecond // max_cfs_runtime: MAX_BW microseconds
)

// Quota is the CPU time a cgroup may use per period (cpu.max's first
// field), or UnlimitedQuota.
type Quota time.Duration

// UnlimitedQuota is cpu.max's "max": no bandwidth limit.
const UnlimitedQuota Quota = math.MaxInt64

// String returns "max" or the time ("50ms").
func (q Quota) String() string {
	if q == UnlimitedQuota {
		return "max"
	}
	return time.Duration(q).String()
}

// CPUMax is cpu.max: the cgroup may run for Quota in each Period, summed
// over its CPUs (a Quota of twice the Period is two CPUs' worth), and is
// throttled for the rest of the period when it has used it up.
type CPUMax struct {
	Quota  Quota
	Period time.Duration
}

// String returns the kernel's text, quota and period in microseconds:
// "max 100000", "50000 100000".
func (m CPUMax) String() string {
	b, _ := m.AppendText(nil)
	return string(b)
}

// AppendText appends String's text to b. A quota or period that is
// negative or not a whole number of microseconds is an error.
func (m CPUMax) AppendText(b []byte) ([]byte, error) {
	if m.Quota == UnlimitedQuota {
		b = append(b, "max"...)
	} else {
		q, err := durationUsec("cpu.max quota", time.Duration(m.Quota))
		if err != nil {
			return b, err
		}
		b = strconv.AppendUint(b, q, 10)
	}
	p, err := durationUsec("cpu.max period", m.Period)
	if err != nil {
		return b, err
	}
	b = append(b, ' ')
	return strconv.AppendUint(b, p, 10), nil
}

// MarshalText returns String's text.
func (m CPUMax) MarshalText() ([]byte, error) { return m.AppendText(nil) }

// UnmarshalText sets *m from the kernel's text (ParseCPUMax).
func (m *CPUMax) UnmarshalText(text []byte) error {
	v, err := ParseCPUMax(text)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseCPUMax parses cpu.max's text: "$QUOTA $PERIOD" in microseconds,
// the quota possibly "max", with an optional trailing newline.
func ParseCPUMax[T ~string | ~[]byte](s T) (CPUMax, error) {
	b := parse.Trim([]byte(s))
	qf, rest := parse.Field(b)
	pf, rest := parse.Field(rest)
	if len(qf) == 0 || len(pf) == 0 || len(parse.TrimBlank(rest)) != 0 {
		return CPUMax{}, fmt.Errorf("cgroup cpu.max %q: want \"$QUOTA $PERIOD\": %w", s, strconv.ErrSyntax)
	}
	m := CPUMax{Quota: UnlimitedQuota}
	var err error
	if string(qf) != "max" {
		var q uint64
		if q, err = parse.Uint(qf); err == nil {
			var d time.Duration
			d, err = usec(q, qf)
			m.Quota = Quota(d)
		}
	}
	if err == nil {
		var p uint64
		if p, err = parse.Uint(pf); err == nil {
			m.Period, err = usec(p, pf)
		}
	}
	if err != nil {
		return CPUMax{}, fmt.Errorf("cgroup cpu.max %q: %w", s, err)
	}
	return m, nil
}

// CPUMax reads cpu.max; the default is UnlimitedQuota per 100ms.
func (c *Cgroup) CPUMax() (CPUMax, error) {
	v, err := readFile(c, "cpu.max", func(b []byte) (CPUMax, error) {
		m, err := ParseCPUMax(b)
		if err != nil {
			return CPUMax{}, parseErr(0, "", err)
		}
		return m, nil
	})
	if err != nil {
		return CPUMax{}, fmt.Errorf("cgroup cpu.max read: %w", err)
	}
	return v, nil
}

// SetCPUMax writes cpu.max and returns what the kernel stored. A Period
// of 0 keeps the current period and sets only the quota. The quota is
// UnlimitedQuota or 1ms..2^44-1µs, the period 1ms..1s, both whole
// microseconds. The kernel also refuses a quota that, with cpu.max.burst,
// exceeds its limit, or (EINVAL) makes a child's quota larger than a
// parent's under some configurations; throttling starts with the next
// period.
func (c *Cgroup) SetCPUMax(m CPUMax) (CPUMax, error) {
	if err := checkCPUMax(m); err != nil {
		return CPUMax{}, fmt.Errorf("cgroup cpu.max set: %w", err)
	}
	var b []byte
	var err error
	if m.Period == 0 {
		// The kernel keeps the period when only the quota is written.
		if m.Quota == UnlimitedQuota {
			b = []byte("max")
		} else {
			b = strconv.AppendUint(nil, uint64(time.Duration(m.Quota)/time.Microsecond), 10)
		}
	} else if b, err = m.AppendText(nil); err != nil {
		return CPUMax{}, fmt.Errorf("cgroup cpu.max set: %w", err)
	}
	if err := c.writeFile("cpu.max", b); err != nil {
		return CPUMax{}, fmt.Errorf("cgroup cpu.max set %q: %w", b, err)
	}
	return c.CPUMax()
}

func checkCPUMax(m CPUMax) error {
	if m.Quota != UnlimitedQuota {
		d := time.Duration(m.Quota)
		if _, err := durationUsec("quota", d); err != nil {
			return err
		}
		if d < minCFSPeriod || d > maxCFSRuntime {
			return fmt.Errorf("quota %v: want max or %v..%v: %w", d, minCFSPeriod, maxCFSRuntime, fs.ErrInvalid)
		}
	}
	if m.Period == 0 {
		return nil
	}
	if _, err := durationUsec("period", m.Period); err != nil {
		return err
	}
	if m.Period < minCFSPeriod || m.Period > maxCFSPeriod {
		return fmt.Errorf("period %v: want %v..%v: %w", m.Period, minCFSPeriod, maxCFSPeriod, fs.ErrInvalid)
	}
	return nil
}

// CPUMaxBurst reads cpu.max.burst (Linux 5.14): run time a cgroup may
// save from periods it did not use up and spend beyond its quota later.
func (c *Cgroup) CPUMaxBurst() (time.Duration, error) {
	v, err := c.readUint("cpu.max.burst")
	if err != nil {
		return 0, err
	}
	d, err := usec(v, []byte("cpu.max.burst"))
	if err != nil {
		return 0, fmt.Errorf("cgroup cpu.max.burst read: %w", withPath(c.file("cpu.max.burst"), err))
	}
	return d, nil
}

// SetCPUMaxBurst writes cpu.max.burst and returns what the kernel stored:
// a whole number of microseconds, 0..2^44-1µs; the kernel refuses a burst
// larger than the quota (EINVAL).
func (c *Cgroup) SetCPUMaxBurst(d time.Duration) (time.Duration, error) {
	us, err := durationUsec("cpu.max.burst", d)
	if err == nil && d > maxCFSRuntime {
		err = fmt.Errorf("cpu.max.burst %v: want 0..%v: %w", d, maxCFSRuntime, fs.ErrInvalid)
	}
	if err != nil {
		return 0, fmt.Errorf("cgroup cpu.max.burst set: %w", err)
	}
	if err := c.writeFile("cpu.max.burst", strconv.AppendUint(nil, us, 10)); err != nil {
		return 0, fmt.Errorf("cgroup cpu.max.burst set %v: %w", d, err)
	}
	return c.CPUMaxBurst()
}

// CPUWeight reads cpu.weight: the cgroup's share of CPU time against its
// siblings, 1..10000, 100 by default.
func (c *Cgroup) CPUWeight() (uint64, error) { return c.readUint("cpu.weight") }

// SetCPUWeight writes cpu.weight (1..10000) and returns what the kernel
// stored.
func (c *Cgroup) SetCPUWeight(w uint64) (uint64, error) {
	if w < 1 || w > 10000 {
		return 0, fmt.Errorf("cgroup cpu.weight set %d: want 1..10000: %w", w, fs.ErrInvalid)
	}
	if err := c.writeFile("cpu.weight", strconv.AppendUint(nil, w, 10)); err != nil {
		return 0, fmt.Errorf("cgroup cpu.weight set %d: %w", w, err)
	}
	return c.CPUWeight()
}

// CPUWeightNice reads cpu.weight.nice: cpu.weight as a nice value,
// -20..19 (the kernel converts between the two, rounding).
func (c *Cgroup) CPUWeightNice() (int, error) {
	v, err := readFile(c, "cpu.weight.nice", func(b []byte) (int, error) {
		n, err := parse.Int(parse.Trim(b))
		if err == nil && (n < -20 || n > 19) {
			err = errRange("nice -20..19", parse.Trim(b))
		}
		if err != nil {
			return 0, parseErr(0, "", err)
		}
		return int(n), nil
	})
	if err != nil {
		return 0, fmt.Errorf("cgroup cpu.weight.nice read: %w", err)
	}
	return v, nil
}

// SetCPUWeightNice writes cpu.weight.nice (-20..19) and returns what the
// kernel then reports; cpu.weight changes with it.
func (c *Cgroup) SetCPUWeightNice(n int) (int, error) {
	if n < -20 || n > 19 {
		return 0, fmt.Errorf("cgroup cpu.weight.nice set: %w", &kernel.RangeError{What: "cpu.weight.nice", Value: int64(n), Min: -20, Max: 19})
	}
	if err := c.writeFile("cpu.weight.nice", strconv.AppendInt(nil, int64(n), 10)); err != nil {
		return 0, fmt.Errorf("cgroup cpu.weight.nice set %d: %w", n, err)
	}
	return c.CPUWeightNice()
}

// CPUIdle reads cpu.idle (Linux 5.15): On makes the cgroup's tasks
// SCHED_IDLE relative to its siblings.
func (c *Cgroup) CPUIdle() (Switch, error) { return c.readSwitch("cpu.idle") }

// SetCPUIdle writes cpu.idle and returns what the kernel stored.
func (c *Cgroup) SetCPUIdle(s Switch) (Switch, error) { return c.setSwitch("cpu.idle", s) }

// CPUStat is cpu.stat: CPU time the cgroup and its descendants used, and
// its bandwidth control's counters (0 unless the cpu controller is
// enabled for the cgroup).
type CPUStat struct {
	Usage  time.Duration // usage_usec: user and system time
	User   time.Duration // user_usec
	System time.Duration // system_usec
	Nice   time.Duration // nice_usec: user time at a positive nice value (newer kernels: 6.12 has it, 6.1 not)

	NrPeriods   uint64        // nr_periods: periods that have elapsed with runnable tasks
	NrThrottled uint64        // nr_throttled: periods in which the cgroup was throttled
	Throttled   time.Duration // throttled_usec: time the cgroup's tasks were throttled
	NrBursts    uint64        // nr_bursts: periods in which burst time was used (5.14)
	Burst       time.Duration // burst_usec: run time beyond the quota (5.14)
}

// CPUStat reads cpu.stat.
func (c *Cgroup) CPUStat() (CPUStat, error) {
	var st CPUStat
	err := c.ReadCPUStat(&st)
	return st, err
}

// ReadCPUStat reads cpu.stat into *st without allocating in steady state.
func (c *Cgroup) ReadCPUStat(st *CPUStat) error {
	if err := c.withFile("cpu.stat", func(b []byte) error { return parseCPUStat(b, st) }); err != nil {
		return fmt.Errorf("cgroup cpu.stat read: %w", err)
	}
	return nil
}

func parseCPUStat(b []byte, st *CPUStat) error {
	*st = CPUStat{}
	return eachKeyValue(b, func(key []byte, v uint64) error {
		var d *time.Duration
		switch string(key) {
		case "usage_usec":
			d = &st.Usage
		case "user_usec":
			d = &st.User
		case "system_usec":
			d = &st.System
		case "nice_usec":
			d = &st.Nice
		case "throttled_usec":
			d = &st.Throttled
		case "burst_usec":
			d = &st.Burst
		case "nr_periods":
			st.NrPeriods = v
		case "nr_throttled":
			st.NrThrottled = v
		case "nr_bursts":
			st.NrBursts = v
		}
		if d != nil {
			var err error
			*d, err = usec(v, key)
			return err
		}
		return nil
	})
}
