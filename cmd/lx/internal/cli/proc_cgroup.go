package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/lxgo/lx/cgroup"
)

// procCgroupLimits are the memory, CPU and pids limits and use of a
// process, each read where the controller serves the process: its v2
// cgroup when the controller's files are there, else (a hybrid or v1
// host, where the controller is bound to v1) its v1 cgroup of that
// controller. From says which ("v2" or "v1"). A controller that could
// not be read is left out, as lx proc leaves out every item it names in
// "unavailable".
type procCgroupLimits struct {
	Memory *procCgroupMemory `json:"memory,omitempty"`
	CPU    *procCgroupCPU    `json:"cpu,omitempty"`
	Pids   *procCgroupPids   `json:"pids,omitempty"`
}

type procCgroupMemory struct {
	From         string     `json:"from"`
	Max          cgroup.Max `json:"max"` // "max" when unlimited
	CurrentBytes uint64     `json:"current_bytes"`
}

type procCgroupCPU struct {
	From  string        `json:"from"`
	Max   cgroup.CPUMax `json:"max"`
	Usage time.Duration `json:"usage"` // cpu.stat usage_usec, in nanoseconds
}

type procCgroupPids struct {
	From    string     `json:"from"`
	Max     cgroup.Max `json:"max"`
	Current uint64     `json:"current"`
}

// cgroupLimits reads the limits of process pid. A controller that serves
// the process in neither hierarchy (the root cgroup has no limit files)
// is left nil with its reason under "cgroup_limits.<controller>".
func cgroupLimits(pid int, miss func(key string, err error)) *procCgroupLimits {
	var lim procCgroupLimits
	v2, v2err := cgroup.OpenProcess(pid)
	if v2 != nil {
		defer v2.Close()
	}
	v1, v1err := cgroup.V1Of(pid)
	// try reads the v2 values, and the v1 ones when v2 has no such
	// files: the first answer that is not "no such file" wins.
	try := func(key string, fromV2, fromV1 func() error) bool {
		err := v2err
		if err == nil {
			if err = fromV2(); err == nil {
				return true
			}
		}
		if errors.Is(err, fs.ErrNotExist) && v1err == nil {
			if err = fromV1(); err == nil {
				return true
			}
		}
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("no %s limits: the process is in a root cgroup, or %s is not enabled for its cgroup (%w)", key, key, err)
		}
		miss("cgroup_limits."+key, err)
		return false
	}
	var m procCgroupMemory
	if try("memory", func() (err error) {
		m.From = "v2"
		if m.Max, err = v2.MemoryMax(); err == nil {
			m.CurrentBytes, err = v2.MemoryCurrent()
		}
		return err
	}, func() (err error) {
		m.From = "v1"
		if m.Max, err = v1.MemoryMax(); err == nil {
			m.CurrentBytes, err = v1.MemoryCurrent()
		}
		return err
	}) {
		lim.Memory = &m
	}
	var c procCgroupCPU
	if try("cpu", func() error {
		c.From = "v2"
		mx, err := v2.CPUMax()
		if err != nil {
			return err
		}
		st, err := v2.CPUStat()
		c.Max, c.Usage = mx, st.Usage
		return err
	}, func() error {
		c.From = "v1"
		mx, err := v1.CPUMax()
		if err != nil {
			return err
		}
		st, err := v1.CPUStat()
		c.Max, c.Usage = mx, st.Usage
		return err
	}) {
		lim.CPU = &c
	}
	var p procCgroupPids
	if try("pids", func() (err error) {
		p.From = "v2"
		if p.Max, err = v2.PidsMax(); err == nil {
			p.Current, err = v2.PidsCurrent()
		}
		return err
	}, func() (err error) {
		p.From = "v1"
		if p.Max, err = v1.PidsMax(); err == nil {
			p.Current, err = v1.PidsCurrent()
		}
		return err
	}) {
		lim.Pids = &p
	}
	return &lim
}

// writeProcCgroupLimits writes the rows of lx proc's cgroup limits:
// "cgroup memory  limit 512 MiB, current 12.3 MiB (v2)".
func writeProcCgroupLimits(t *table, lim *procCgroupLimits, why func(string) string) {
	if lim == nil {
		return // the cgroups row says why
	}
	limit := func(m cgroup.Max, format func(uint64) string) string {
		if m == cgroup.Unlimited {
			return "no limit"
		}
		return "limit " + format(uint64(m))
	}
	if m := lim.Memory; m != nil {
		t.Row("cgroup memory", limit(m.Max, formatBytes)+", current "+formatBytes(m.CurrentBytes)+" ("+m.From+")")
	} else {
		t.Row("cgroup memory", why("cgroup_limits.memory"))
	}
	if c := lim.CPU; c != nil {
		cpu := "limit " + formatCPUMax(c.Max)
		if c.Max.Quota == cgroup.UnlimitedQuota {
			cpu = "no limit"
		}
		t.Row("cgroup cpu", cpu+", used "+formatDuration(c.Usage.Truncate(10*time.Millisecond))+" ("+c.From+")")
	} else {
		t.Row("cgroup cpu", why("cgroup_limits.cpu"))
	}
	if p := lim.Pids; p != nil {
		t.Row("cgroup pids", limit(p.Max, formatCount[uint64])+", current "+formatCount(p.Current)+" ("+p.From+")")
	} else {
		t.Row("cgroup pids", why("cgroup_limits.pids"))
	}
}
