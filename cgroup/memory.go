package cgroup

import (
	"fmt"
	"io/fs"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
)

// The memory controller's files, memory.* (cgroup-v2.rst "Memory"). They
// exist in non-root cgroups whose parent enabled "memory" in its
// cgroup.subtree_control; elsewhere reads fail with an error matching
// fs.ErrNotExist. Amounts are in bytes. The kernel counts pages: a limit
// written is rounded down to a whole number of pages, and each setter
// returns what the kernel stored.

// MemoryCurrent reads memory.current: the memory the cgroup and its
// descendants use, in bytes.
func (c *Cgroup) MemoryCurrent() (uint64, error) { return c.readUint("memory.current") }

// MemoryPeak reads memory.peak (Linux 5.19): the largest memory.current
// seen since the cgroup was created.
func (c *Cgroup) MemoryPeak() (uint64, error) { return c.readUint("memory.peak") }

// MemorySwapCurrent reads memory.swap.current: the swap the cgroup uses.
func (c *Cgroup) MemorySwapCurrent() (uint64, error) { return c.readUint("memory.swap.current") }

// MemoryZswapCurrent reads memory.zswap.current (Linux 5.19): the
// compressed memory zswap holds for the cgroup.
func (c *Cgroup) MemoryZswapCurrent() (uint64, error) { return c.readUint("memory.zswap.current") }

// MemoryMin reads memory.min: memory that is never reclaimed (hard
// protection), 0 by default.
func (c *Cgroup) MemoryMin() (Max, error) { return c.readMax("memory.min") }

// SetMemoryMin writes memory.min and returns what the kernel stored.
func (c *Cgroup) SetMemoryMin(m Max) (Max, error) { return c.setMax("memory.min", m) }

// MemoryLow reads memory.low: memory reclaimed only when nothing
// unprotected is left (best-effort protection), 0 by default.
func (c *Cgroup) MemoryLow() (Max, error) { return c.readMax("memory.low") }

// SetMemoryLow writes memory.low and returns what the kernel stored.
func (c *Cgroup) SetMemoryLow(m Max) (Max, error) { return c.setMax("memory.low", m) }

// MemoryHigh reads memory.high: above it the cgroup's processes are
// throttled and made to reclaim; the OOM killer is not invoked. Unlimited
// by default.
func (c *Cgroup) MemoryHigh() (Max, error) { return c.readMax("memory.high") }

// SetMemoryHigh writes memory.high and returns what the kernel stored.
// Setting it below memory.current makes the writer reclaim at once.
func (c *Cgroup) SetMemoryHigh(m Max) (Max, error) { return c.setMax("memory.high", m) }

// MemoryMax reads memory.max: the hard limit; when reclaim cannot keep
// the cgroup below it, the OOM killer runs in the cgroup. Unlimited by
// default.
func (c *Cgroup) MemoryMax() (Max, error) { return c.readMax("memory.max") }

// SetMemoryMax writes memory.max and returns what the kernel stored.
// Setting it below memory.current reclaims, and if that fails, OOM-kills
// in the cgroup.
func (c *Cgroup) SetMemoryMax(m Max) (Max, error) { return c.setMax("memory.max", m) }

// MemorySwapMax reads memory.swap.max: the swap limit, Unlimited by
// default.
func (c *Cgroup) MemorySwapMax() (Max, error) { return c.readMax("memory.swap.max") }

// SetMemorySwapMax writes memory.swap.max and returns what the kernel
// stored.
func (c *Cgroup) SetMemorySwapMax(m Max) (Max, error) { return c.setMax("memory.swap.max", m) }

// MemoryZswapMax reads memory.zswap.max (Linux 5.19): the limit of
// zswap's compressed memory, Unlimited by default.
func (c *Cgroup) MemoryZswapMax() (Max, error) { return c.readMax("memory.zswap.max") }

// SetMemoryZswapMax writes memory.zswap.max and returns what the kernel
// stored.
func (c *Cgroup) SetMemoryZswapMax(m Max) (Max, error) { return c.setMax("memory.zswap.max", m) }

// MemoryOOMGroup reads memory.oom.group (Linux 4.19): On when the OOM
// killer kills the whole cgroup (every process in it and its
// descendants, except those with oom_score_adj -1000) instead of one
// process.
func (c *Cgroup) MemoryOOMGroup() (Switch, error) { return c.readSwitch("memory.oom.group") }

// SetMemoryOOMGroup writes memory.oom.group and returns what the kernel
// stored.
func (c *Cgroup) SetMemoryOOMGroup(s Switch) (Switch, error) {
	return c.setSwitch("memory.oom.group", s)
}

// MemoryReclaim asks the kernel to reclaim n bytes from the cgroup by
// writing memory.reclaim (Linux 5.19), as if under memory pressure. It
// returns an error matching syscall.EAGAIN when less could be reclaimed.
// The writer does the reclaim, which can take a while.
func (c *Cgroup) MemoryReclaim(n uint64) error {
	if n == 0 {
		return fmt.Errorf("cgroup memory.reclaim 0 bytes: want at least 1: %w", fs.ErrInvalid)
	}
	if err := c.writeFile("memory.reclaim", strconv.AppendUint(nil, n, 10)); err != nil {
		return fmt.Errorf("cgroup memory.reclaim %d bytes: %w", n, err)
	}
	return nil
}

// MemoryEvents is memory.events or memory.events.local: how often each
// memory event happened. memory.events counts the cgroup's and its
// descendants' events, memory.events.local (Linux 5.2) its own.
type MemoryEvents struct {
	// Low counts reclaims of the cgroup below memory.low (its protection
	// is overcommitted).
	Low uint64
	// High counts throttling and direct reclaim above memory.high.
	High uint64
	// Max counts the times usage was about to go over memory.max.
	Max uint64
	// OOM counts the times usage reached memory.max and an allocation
	// was about to fail.
	OOM uint64
	// OOMKill counts processes of the cgroup killed by an OOM killer
	// (Linux 4.13).
	OOMKill uint64
	// OOMGroupKill counts group OOM kills (memory.oom.group; Linux 5.17).
	OOMGroupKill uint64
}

// MemoryEvents reads memory.events.
func (c *Cgroup) MemoryEvents() (MemoryEvents, error) {
	v, err := readFile(c, "memory.events", parseMemoryEvents)
	if err != nil {
		return MemoryEvents{}, fmt.Errorf("cgroup memory.events read: %w", err)
	}
	return v, nil
}

// MemoryEventsLocal reads memory.events.local (Linux 5.2).
func (c *Cgroup) MemoryEventsLocal() (MemoryEvents, error) {
	v, err := readFile(c, "memory.events.local", parseMemoryEvents)
	if err != nil {
		return MemoryEvents{}, fmt.Errorf("cgroup memory.events.local read: %w", err)
	}
	return v, nil
}

func parseMemoryEvents(b []byte) (MemoryEvents, error) {
	var e MemoryEvents
	err := eachKeyValue(b, func(key []byte, v uint64) error {
		switch string(key) {
		case "low":
			e.Low = v
		case "high":
			e.High = v
		case "max":
			e.Max = v
		case "oom":
			e.OOM = v
		case "oom_kill":
			e.OOMKill = v
		case "oom_group_kill":
			e.OOMGroupKill = v
		}
		return nil
	})
	return e, err
}

// MemoryStat is memory.stat: the cgroup's memory by type, in bytes, and
// event counters. The file's keys change between kernels (new ones appear
// in the middle), so every key and value is kept in Entries, in the
// file's order; the common ones are also fields, 0 when the file lacks
// them.
type MemoryStat struct {
	Anon          uint64 // anon: anonymous mappings (brk, mmap(MAP_ANONYMOUS))
	File          uint64 // file: page cache, tmpfs and shared memory included
	KernelStack   uint64 // kernel_stack
	Slab          uint64 // slab: kernel data structures
	Sock          uint64 // sock: network buffers
	Shmem         uint64 // shmem: swap-backed page cache (tmpfs, shm, shared anonymous)
	FileMapped    uint64 // file_mapped: page cache mapped with mmap
	FileDirty     uint64 // file_dirty
	FileWriteback uint64 // file_writeback
	AnonTHP       uint64 // anon_thp: anonymous memory in transparent huge pages
	InactiveAnon  uint64 // inactive_anon
	ActiveAnon    uint64 // active_anon
	InactiveFile  uint64 // inactive_file
	ActiveFile    uint64 // active_file
	Unevictable   uint64 // unevictable
	// SlabReclaimable and SlabUnreclaimable split Slab.
	SlabReclaimable, SlabUnreclaimable uint64
	// Pgfault and Pgmajfault count page faults and major page faults.
	Pgfault, Pgmajfault uint64

	// Entries are all the file's lines: key and value, in order.
	Entries []StatEntry
}

// StatEntry is one line of a flat keyed statistics file.
type StatEntry struct {
	Key   string
	Value uint64
}

// Get returns the value of key and whether the file had it.
func (s *MemoryStat) Get(key string) (uint64, bool) {
	for _, e := range s.Entries {
		if e.Key == key {
			return e.Value, true
		}
	}
	return 0, false
}

// MemoryStat reads memory.stat.
func (c *Cgroup) MemoryStat() (MemoryStat, error) {
	var st MemoryStat
	err := c.ReadMemoryStat(&st)
	return st, err
}

// ReadMemoryStat reads memory.stat into *st, reusing its Entries and their
// key strings: reading the same cgroup again allocates nothing in steady
// state, for a monitor that samples it.
func (c *Cgroup) ReadMemoryStat(st *MemoryStat) error {
	if err := c.withFile("memory.stat", func(b []byte) error { return parseMemoryStat(b, st) }); err != nil {
		return fmt.Errorf("cgroup memory.stat read: %w", err)
	}
	return nil
}

// parseMemoryStat parses memory.stat into *st. Keys that equal the ones
// already in st.Entries at the same position keep their strings.
func parseMemoryStat(b []byte, st *MemoryStat) error {
	entries := st.Entries
	*st = MemoryStat{Entries: entries[:0]}
	i := 0
	err := eachKeyValue(b, func(key []byte, v uint64) error {
		var k string
		if i < len(entries) && entries[i].Key == string(key) {
			k = entries[i].Key
		} else {
			k = string(key)
		}
		st.Entries = append(st.Entries, StatEntry{Key: k, Value: v})
		i++
		if p := st.field(k); p != nil {
			*p = v
		}
		return nil
	})
	return err
}

// field returns the typed field of key, or nil.
func (st *MemoryStat) field(key string) *uint64 {
	switch key {
	case "anon":
		return &st.Anon
	case "file":
		return &st.File
	case "kernel_stack":
		return &st.KernelStack
	case "slab":
		return &st.Slab
	case "sock":
		return &st.Sock
	case "shmem":
		return &st.Shmem
	case "file_mapped":
		return &st.FileMapped
	case "file_dirty":
		return &st.FileDirty
	case "file_writeback":
		return &st.FileWriteback
	case "anon_thp":
		return &st.AnonTHP
	case "inactive_anon":
		return &st.InactiveAnon
	case "active_anon":
		return &st.ActiveAnon
	case "inactive_file":
		return &st.InactiveFile
	case "active_file":
		return &st.ActiveFile
	case "unevictable":
		return &st.Unevictable
	case "slab_reclaimable":
		return &st.SlabReclaimable
	case "slab_unreclaimable":
		return &st.SlabUnreclaimable
	case "pgfault":
		return &st.Pgfault
	case "pgmajfault":
		return &st.Pgmajfault
	}
	return nil
}

// readUint reads a file holding one unsigned decimal number.
func (c *Cgroup) readUint(name string) (uint64, error) {
	v, err := readFile(c, name, parseUintLine)
	if err != nil {
		return 0, fmt.Errorf("cgroup %s read: %w", name, err)
	}
	return v, nil
}

func parseUintLine(b []byte) (uint64, error) {
	v, err := parse.Uint(parse.Trim(b))
	if err != nil {
		return 0, parseErr(0, "", err)
	}
	return v, nil
}

// readMax reads a file holding one limit.
func (c *Cgroup) readMax(name string) (Max, error) {
	v, err := readFile(c, name, parseMaxLine)
	if err != nil {
		return 0, fmt.Errorf("cgroup %s read: %w", name, err)
	}
	return v, nil
}

// setMax writes a limit and reads back what the kernel stored.
func (c *Cgroup) setMax(name string, m Max) (Max, error) {
	if err := c.writeMax(name, m); err != nil {
		return 0, err
	}
	return c.readMax(name)
}

// writeMax writes a limit.
func (c *Cgroup) writeMax(name string, m Max) error {
	b, _ := m.AppendText(nil)
	if err := c.writeFile(name, b); err != nil {
		return fmt.Errorf("cgroup %s set %v: %w", name, m, err)
	}
	return nil
}
