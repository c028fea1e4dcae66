package cgroup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"strconv"

	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
)

// EventKind says which value of which events file changed.
type EventKind int

// The values Events watches.
const (
	// Populated is cgroup.events "populated": 1 while the cgroup or a
	// descendant has a live process.
	Populated EventKind = iota + 1
	// Frozen is cgroup.events "frozen" (Linux 5.2).
	Frozen
	// MemoryLow to MemoryOOMGroupKill are the counters of memory.events
	// (or memory.events.local): see MemoryEvents.
	MemoryLow
	MemoryHigh
	MemoryMax
	MemoryOOM
	MemoryOOMKill
	MemoryOOMGroupKill
	// PidsMax is pids.events "max": forks refused by pids.max.
	PidsMax
)

var eventNames = [...]string{
	Populated: "populated", Frozen: "frozen",
	MemoryLow: "memory.low", MemoryHigh: "memory.high", MemoryMax: "memory.max",
	MemoryOOM: "memory.oom", MemoryOOMKill: "memory.oom_kill", MemoryOOMGroupKill: "memory.oom_group_kill",
	PidsMax: "pids.max",
}

// String returns "populated", "frozen", or the file's prefix and the key
// ("memory.oom_kill", "pids.max"); "EventKind(N)" for an unknown value.
func (k EventKind) String() string {
	if k > 0 && int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText returns String's text; an unknown kind is an error.
func (k EventKind) MarshalText() ([]byte, error) {
	if k <= 0 || int(k) >= len(eventNames) {
		return nil, fmt.Errorf("cgroup event kind marshal: unknown kind %d: %w", int(k), fs.ErrInvalid)
	}
	return []byte(eventNames[k]), nil
}

// Event is a change of one value of an events file: Old and New are its
// values before and after (0 and 1 for Populated and Frozen; counts that
// only grow for the others, so New-Old events happened).
type Event struct {
	Kind     EventKind
	Old, New uint64
}

// String returns "memory.oom_kill 0 -> 1".
func (e Event) String() string {
	return e.Kind.String() + " " + strconv.FormatUint(e.Old, 10) + " -> " + strconv.FormatUint(e.New, 10)
}

// EventsOptions selects what Events watches. nil means the defaults.
type EventsOptions struct {
	// Local watches memory.events.local (Linux 5.2) instead of
	// memory.events: the cgroup's own events, not its descendants'.
	Local bool
}

// eventValues are the values Events compares, by EventKind.
type eventValues [len(eventNames)]uint64

// eventFile is one file Events watches.
type eventFile struct {
	name string
	fd   int
	read func(b []byte, v *eventValues) error
}

// Events watches the cgroup's events files and yields every change of
// their values, oldest first: cgroup.events (Populated, Frozen), and when
// the cgroup has them memory.events (or memory.events.local) and
// pids.events. The kernel notifies a change of these files to pollers
// (kernfs_notify) at most every 20 ms per file, so changes that undo each
// other within that time may not be seen; the counters are cumulative,
// so no memory or pids event is lost, only merged (New-Old > 1). The
// files are first read when the iteration starts, and changes after that
// are yielded.
//
// Waiting parks the goroutine in the runtime poller (through an epoll
// instance of lx's own that holds the files with EPOLLPRI) and starts no
// goroutine. The iteration ends when the loop breaks, or when ctx ends:
// then it yields an error matching ctx.Err() once. An error reading a file is yielded once
// and ends it. It does not end by itself when the cgroup is removed
// (which needs it empty first: watch Populated). Every descriptor is
// closed when the iteration ends. No privilege beyond read access to the
// files is needed.
func (c *Cgroup) Events(ctx context.Context, opts *EventsOptions) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if err := c.events(ctx, opts, yield); err != nil {
			yield(Event{}, fmt.Errorf("cgroup events %s: %w", c.path, err))
		}
	}
}

func (c *Cgroup) events(ctx context.Context, opts *EventsOptions, yield func(Event, error) bool) error {
	memory := "memory.events"
	if opts != nil && opts.Local {
		memory = "memory.events.local"
	}
	files := []eventFile{
		{name: "cgroup.events", read: func(b []byte, v *eventValues) error {
			s, err := parseState(b)
			v[Populated], v[Frozen] = b2u(s.Populated), b2u(s.Frozen)
			return err
		}},
		{name: memory, read: func(b []byte, v *eventValues) error {
			e, err := parseMemoryEvents(b)
			v[MemoryLow], v[MemoryHigh], v[MemoryMax] = e.Low, e.High, e.Max
			v[MemoryOOM], v[MemoryOOMKill], v[MemoryOOMGroupKill] = e.OOM, e.OOMKill, e.OOMGroupKill
			return err
		}},
		{name: "pids.events", read: func(b []byte, v *eventValues) error {
			e, err := parsePidsEvents(b)
			v[PidsMax] = e.Max
			return err
		}},
	}
	w, err := newWatcher()
	if err != nil {
		return err
	}
	defer w.close()
	var open []eventFile
	for i, f := range files {
		fd, err := c.openFile(f.name, sys.O_RDONLY)
		if i > 0 && errors.Is(err, fs.ErrNotExist) {
			continue // the controller is not enabled here
		}
		if err != nil {
			return err
		}
		defer sys.CloseRaw(fd)
		f.fd = fd
		if err := w.add(fd, int32(len(open))); err != nil {
			return err
		}
		open = append(open, f)
	}
	var old, cur eventValues
	buf := make([]byte, 0, 512)
	read := func(v *eventValues) error {
		for _, f := range open {
			b, err := pseudofs.PreadAll(f.fd, buf)
			if err != nil {
				return pathError(c.file(f.name), err)
			}
			buf = b[:0]
			if err := f.read(b, v); err != nil {
				return withPath(c.file(f.name), err)
			}
		}
		return nil
	}
	if err := read(&old); err != nil {
		return err
	}
	var evs [4]sys.EpollEvent
	for {
		if _, err := w.wait(ctx, evs[:]); err != nil {
			return err
		}
		if err := read(&cur); err != nil {
			return err
		}
		for k := Populated; int(k) < len(cur); k++ {
			if cur[k] != old[k] {
				if !yield(Event{Kind: k, Old: old[k], New: cur[k]}, nil) {
					return nil
				}
			}
		}
		old = cur
	}
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
