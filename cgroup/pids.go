package cgroup

import (
	"fmt"
	"io/fs"
)

// The pids controller's files, pids.* (cgroup-v2.rst "PID"): the number
// of tasks (processes and threads) a cgroup may hold. They exist in
// non-root cgroups whose parent enabled "pids".

// pidsLimit is PID_MAX_LIMIT, the largest pid_max of any kernel: the
// kernel refuses pids.max values from there on (pids_max_write).
const pidsLimit = 4 * 1024 * 1024

// PidsCurrent reads pids.current: the tasks in the cgroup and its
// descendants.
func (c *Cgroup) PidsCurrent() (uint64, error) { return c.readUint("pids.current") }

// PidsPeak reads pids.peak (in the 6.1 and 6.12 guests' kernels; absent,
// fs.ErrNotExist, in older ones): the largest pids.current seen.
func (c *Cgroup) PidsPeak() (uint64, error) { return c.readUint("pids.peak") }

// PidsMax reads pids.max: how many tasks the cgroup and its descendants
// may hold; a fork or clone beyond it fails with EAGAIN. Unlimited by
// default.
func (c *Cgroup) PidsMax() (Max, error) { return c.readMax("pids.max") }

// SetPidsMax writes pids.max and returns what the kernel stored. m is
// Unlimited or 0..4194303. Tasks already in the cgroup stay when the
// limit is set below their number; only new ones are refused.
func (c *Cgroup) SetPidsMax(m Max) (Max, error) {
	if m != Unlimited && m >= pidsLimit {
		return 0, fmt.Errorf("cgroup pids.max set %d: want max or 0..%d: %w", uint64(m), pidsLimit-1, fs.ErrInvalid)
	}
	return c.setMax("pids.max", m)
}

// PidsEvents is pids.events or pids.events.local.
type PidsEvents struct {
	// Max counts forks refused because of a pids.max. Which cgroup
	// counts a refusal changed over the kernel's versions: kernels with
	// pids.events.local (6.12 has it) count it hierarchically in
	// pids.events, older ones in the cgroup whose limit refused it.
	Max uint64
	// MaxImposed counts forks refused by this cgroup's own pids.max
	// (the "max.imposed" key of newer kernels; 0 where absent).
	MaxImposed uint64
}

// PidsEvents reads pids.events.
func (c *Cgroup) PidsEvents() (PidsEvents, error) {
	v, err := readFile(c, "pids.events", parsePidsEvents)
	if err != nil {
		return PidsEvents{}, fmt.Errorf("cgroup pids.events read: %w", err)
	}
	return v, nil
}

// PidsEventsLocal reads pids.events.local (absent before 6.12, an error
// matching fs.ErrNotExist): the cgroup's own events.
func (c *Cgroup) PidsEventsLocal() (PidsEvents, error) {
	v, err := readFile(c, "pids.events.local", parsePidsEvents)
	if err != nil {
		return PidsEvents{}, fmt.Errorf("cgroup pids.events.local read: %w", err)
	}
	return v, nil
}

func parsePidsEvents(b []byte) (PidsEvents, error) {
	var e PidsEvents
	err := eachKeyValue(b, func(key []byte, v uint64) error {
		switch string(key) {
		case "max":
			e.Max = v
		case "max.imposed":
			e.MaxImposed = v
		}
		return nil
	})
	return e, err
}
