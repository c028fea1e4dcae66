package cgroup

import (
	"fmt"
	"io/fs"
	"math"
	"time"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/procfs"
)

// V1 is a read-only view of a process's cgroups in the v1 hierarchies of
// the memory, cpu, cpuacct and pids controllers, for hybrid and v1-only
// hosts (cgroups(7), Documentation/admin-guide/cgroup-v1/), where those
// controllers are not in the unified hierarchy. Its methods have the
// names and return the types of the Cgroup methods that read the same
// quantity in v2 (MemoryMax, CPUMax, CPUStat, PidsMax ...), converting
// v1's files and units: a program can show limits and usage the same way
// on either kind of host.
//
// Writing stays v2-only: lx does not create v1 cgroups or change their
// files. (v1's semantics differ from v2's in ways a typed setter cannot
// hide: memory.memsw.limit_in_bytes must be set after and above
// memory.limit_in_bytes, cpu.shares has another range than cpu.weight,
// and a process may be in a different cgroup in each hierarchy.)
//
// The paths are found once, by V1: a process that moves afterwards is
// not followed.
type V1 struct {
	memory, cpu, cpuacct, pids string // directories; "" when the hierarchy is not mounted
}

// V1Of returns the v1 view of process pid. See FS.V1Of.
func V1Of(pid int) (V1, error) { return Default().V1Of(pid) }

// V1Of finds process pid's cgroups in the v1 hierarchies of the memory,
// cpu, cpuacct and pids controllers: /proc/PID/cgroup gives the paths,
// the mount table (for an FS rooted at "/"; else <root>/sys/fs/cgroup/
// <controller>) the mounts. A controller whose hierarchy is not mounted
// (on a pure v2 host, all of them) is left out, and its methods return
// an error matching fs.ErrNotExist. No privilege is needed.
func (fsys FS) V1Of(pid int) (V1, error) {
	m, err := fsys.OfProcess(pid)
	if err != nil {
		return V1{}, fmt.Errorf("cgroup v1 view: %w", err)
	}
	var v V1
	for _, x := range [...]struct {
		name string
		dir  *string
	}{{"memory", &v.memory}, {"cpu", &v.cpu}, {"cpuacct", &v.cpuacct}, {"pids", &v.pids}} {
		p, ok := m.Controller(x.name)
		if !ok {
			continue
		}
		mnt, err := fsys.v1Mount(x.name)
		if err != nil {
			continue // bound in /proc/PID/cgroup but not mounted here
		}
		if d, ok := mnt.dir(p); ok {
			*x.dir = d
		}
	}
	return v, nil
}

// Dir returns the directory of the process's cgroup in the hierarchy of
// controller ("memory", "cpu", "cpuacct", "pids"), or "" when the view
// has none.
func (v V1) Dir(controller string) string {
	switch controller {
	case "memory":
		return v.memory
	case "cpu":
		return v.cpu
	case "cpuacct":
		return v.cpuacct
	case "pids":
		return v.pids
	}
	return ""
}

// read reads dir/name and parses it.
func v1Read[T any](controller, dir, name string, parse func([]byte) (T, error)) (T, error) {
	var v T
	if dir == "" {
		return v, fmt.Errorf("cgroup v1 %s read: the %s hierarchy is not mounted: %w", name, controller, fs.ErrNotExist)
	}
	p := dir + "/" + name
	var perr error
	err := pseudofs.WithFile(p, func(b []byte) error {
		v, perr = parse(b)
		return perr
	})
	if perr != nil {
		err = withPath(p, perr)
	}
	if err != nil {
		return v, fmt.Errorf("cgroup v1 %s read: %w", name, err)
	}
	return v, nil
}

// parseV1Bytes parses a v1 memory limit: bytes, or PAGE_COUNTER_MAX pages
// for no limit.
func parseV1Bytes(b []byte) (Max, error) {
	v, err := parseUintLine(b)
	if err != nil {
		return 0, err
	}
	if v >= pageCounterMax {
		return Unlimited, nil
	}
	return Max(v), nil
}

// MemoryMax reads memory.limit_in_bytes: the hard limit, Unlimited when
// there is none.
func (v V1) MemoryMax() (Max, error) {
	return v1Read("memory", v.memory, "memory.limit_in_bytes", parseV1Bytes)
}

// MemoryCurrent reads memory.usage_in_bytes.
func (v V1) MemoryCurrent() (uint64, error) {
	return v1Read("memory", v.memory, "memory.usage_in_bytes", parseUintLine)
}

// MemoryPeak reads memory.max_usage_in_bytes.
func (v V1) MemoryPeak() (uint64, error) {
	return v1Read("memory", v.memory, "memory.max_usage_in_bytes", parseUintLine)
}

// MemorySwapMax returns the swap limit as v2 counts it:
// memory.memsw.limit_in_bytes (memory and swap together) minus
// memory.limit_in_bytes, or Unlimited. The memsw files exist only with
// swap accounting (CONFIG_MEMCG_SWAP, swapaccount=1).
func (v V1) MemorySwapMax() (Max, error) {
	memsw, err := v1Read("memory", v.memory, "memory.memsw.limit_in_bytes", parseV1Bytes)
	if err != nil {
		return 0, err
	}
	if memsw == Unlimited {
		return Unlimited, nil
	}
	mem, err := v.MemoryMax()
	if err != nil {
		return 0, err
	}
	if mem == Unlimited || mem > memsw {
		return 0, fmt.Errorf("cgroup v1 memory.memsw.limit_in_bytes %d below memory.limit_in_bytes %v: %w", uint64(memsw), mem, fs.ErrInvalid)
	}
	return memsw - mem, nil
}

// MemorySwapCurrent returns the swap in use as v2 counts it:
// memory.memsw.usage_in_bytes minus memory.usage_in_bytes. The two files
// are read one after the other; should memory usage grow in between
// beyond the sum, the answer is 0.
func (v V1) MemorySwapCurrent() (uint64, error) {
	memsw, err := v1Read("memory", v.memory, "memory.memsw.usage_in_bytes", parseUintLine)
	if err != nil {
		return 0, err
	}
	mem, err := v.MemoryCurrent()
	if err != nil {
		return 0, err
	}
	if mem > memsw {
		return 0, nil
	}
	return memsw - mem, nil
}

// MemoryEvents returns what v1 counts of v2's memory.events: Max from
// memory.failcnt (the times usage hit the limit) and OOMKill from the
// oom_kill line of memory.oom_control (Linux 4.13). v1 has no Low, High,
// OOM or OOMGroupKill counters; they are 0.
func (v V1) MemoryEvents() (MemoryEvents, error) {
	failcnt, err := v1Read("memory", v.memory, "memory.failcnt", parseUintLine)
	if err != nil {
		return MemoryEvents{}, err
	}
	kills, err := v1Read("memory", v.memory, "memory.oom_control", func(b []byte) (uint64, error) {
		var kills uint64
		err := eachKeyValue(b, func(key []byte, n uint64) error {
			if string(key) == "oom_kill" {
				kills = n
			}
			return nil
		})
		return kills, err
	})
	if err != nil {
		return MemoryEvents{}, err
	}
	return MemoryEvents{Max: failcnt, OOMKill: kills}, nil
}

// CPUMax reads cpu.cfs_quota_us and cpu.cfs_period_us; a quota of -1 is
// UnlimitedQuota.
func (v V1) CPUMax() (CPUMax, error) {
	quota, err := v1Read("cpu", v.cpu, "cpu.cfs_quota_us", func(b []byte) (Quota, error) {
		t := parse.Trim(b)
		if string(t) == "-1" {
			return UnlimitedQuota, nil
		}
		n, err := parse.Uint(t)
		if err == nil {
			var d time.Duration
			d, err = usec(n, t)
			return Quota(d), err
		}
		return 0, parseErr(0, "", err)
	})
	if err != nil {
		return CPUMax{}, err
	}
	period, err := v1Read("cpu", v.cpu, "cpu.cfs_period_us", func(b []byte) (time.Duration, error) {
		n, err := parseUintLine(b)
		if err != nil {
			return 0, err
		}
		return usec(n, parse.Trim(b))
	})
	if err != nil {
		return CPUMax{}, err
	}
	return CPUMax{Quota: quota, Period: period}, nil
}

// CPUShares reads cpu.shares: v1's relative weight, 2..262144, 1024 by
// default. It has no v2 counterpart of the same scale (cpu.weight is
// 1..10000, 100 by default), and lx does not convert between them.
func (v V1) CPUShares() (uint64, error) {
	return v1Read("cpu", v.cpu, "cpu.shares", parseUintLine)
}

// CPUStat returns what v1 counts of v2's cpu.stat: Usage from
// cpuacct.usage (nanoseconds), User and System from cpuacct.stat (USER_HZ
// ticks, procfs.ClockTick, so their sum is coarser than Usage), and the
// bandwidth counters from the cpu hierarchy's cpu.stat (throttled_time
// and burst_time in nanoseconds).
func (v V1) CPUStat() (CPUStat, error) {
	var st CPUStat
	usage, err := v1Read("cpuacct", v.cpuacct, "cpuacct.usage", parseUintLine)
	if err != nil {
		return CPUStat{}, err
	}
	if st.Usage, err = nsec(usage, []byte("cpuacct.usage")); err != nil {
		return CPUStat{}, fmt.Errorf("cgroup v1 cpuacct.usage read: %w", withPath(v.cpuacct+"/cpuacct.usage", err))
	}
	_, err = v1Read("cpuacct", v.cpuacct, "cpuacct.stat", func(b []byte) (struct{}, error) {
		return struct{}{}, eachKeyValue(b, func(key []byte, n uint64) error {
			if n > math.MaxInt64/uint64(procfs.ClockTick) {
				return errRange("ticks to time.Duration", key)
			}
			switch string(key) {
			case "user":
				st.User = time.Duration(n) * procfs.ClockTick
			case "system":
				st.System = time.Duration(n) * procfs.ClockTick
			}
			return nil
		})
	})
	if err != nil {
		return CPUStat{}, err
	}
	_, err = v1Read("cpu", v.cpu, "cpu.stat", func(b []byte) (struct{}, error) {
		return struct{}{}, eachKeyValue(b, func(key []byte, n uint64) error {
			var err error
			switch string(key) {
			case "nr_periods":
				st.NrPeriods = n
			case "nr_throttled":
				st.NrThrottled = n
			case "throttled_time":
				st.Throttled, err = nsec(n, key)
			case "nr_bursts":
				st.NrBursts = n
			case "burst_time":
				st.Burst, err = nsec(n, key)
			}
			return err
		})
	})
	if err != nil {
		return CPUStat{}, err
	}
	return st, nil
}

// PidsMax reads pids.max. The root of the pids hierarchy has none (an
// error matching fs.ErrNotExist).
func (v V1) PidsMax() (Max, error) { return v1Read("pids", v.pids, "pids.max", parseMaxLine) }

// PidsCurrent reads pids.current (not in the root of the hierarchy).
func (v V1) PidsCurrent() (uint64, error) {
	return v1Read("pids", v.pids, "pids.current", parseUintLine)
}
