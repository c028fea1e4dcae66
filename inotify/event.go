package inotify

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"path/filepath"

	"github.com/lxgo/lx/internal/sys"
)

// Event is one inotify event (struct inotify_event).
type Event struct {
	// Watch is the watch the event belongs to; -1 for QOverflow.
	Watch Watch
	// Path is the path Watch was added with ("" when the watch is
	// unknown to the Watcher, as after FromFile or for QOverflow).
	Path string
	// Name is the entry of the watched directory the event is about,
	// the exact bytes the kernel reported, or "" when the event is about
	// the watched object itself.
	Name string
	// Mask says what happened: one event bit, maybe with IsDir, or
	// Ignored, Unmount or QOverflow.
	Mask Mask
	// Cookie joins the MovedFrom and MovedTo events of one rename; 0 for
	// every other event.
	Cookie uint32
}

// IsDir reports whether the event's subject is a directory.
func (e Event) IsDir() bool { return e.Mask&IsDir != 0 }

// FullPath returns Path joined with Name (filepath.Join); it allocates.
func (e Event) FullPath() string {
	if e.Name == "" {
		return e.Path
	}
	return filepath.Join(e.Path, e.Name)
}

// errTruncated is the error for a buffer that ends inside an event.
var errTruncated = errors.New("inotify: truncated event")

// parseEvent decodes the first struct inotify_event in b and returns it
// with its size. The name is the bytes before the first NUL of the
// len-byte name field. It never panics: a buffer shorter than the event it
// starts claims is an error.
func parseEvent(b []byte) (ev Event, size int, err error) {
	if len(b) < sys.SizeofInotifyEvent {
		return Event{}, 0, errTruncated
	}
	wd := int32(binary.NativeEndian.Uint32(b[0:]))
	mask := binary.NativeEndian.Uint32(b[4:])
	cookie := binary.NativeEndian.Uint32(b[8:])
	nameLen := binary.NativeEndian.Uint32(b[12:])
	if uint64(nameLen) > uint64(len(b)-sys.SizeofInotifyEvent) {
		return Event{}, 0, errTruncated
	}
	size = sys.SizeofInotifyEvent + int(nameLen)
	name := b[sys.SizeofInotifyEvent:size]
	for i, c := range name {
		if c == 0 {
			name = name[:i]
			break
		}
	}
	ev = Event{Watch: Watch(wd), Mask: Mask(mask), Cookie: cookie}
	if len(name) > 0 {
		ev.Name = string(name)
	}
	return ev, size, nil
}

// Read returns the next event, waiting for one until ctx is done. It reads
// the kernel's queue in batches into the Watcher's buffer and decodes one
// event per call, allocating nothing but the event's name.
//
// Where the kernel queued an overflow, Read returns an event with
// QOverflow and an error matching ErrOverflow; the next Read goes on with
// the following events. An event with Ignored says the watch is gone
// (removed, Oneshot, its object deleted or unmounted): the Watcher forgets
// its path after returning it. When ctx ends first Read returns
// ctx.Err(); after Close, an error matching os.ErrClosed.
func (w *Watcher) Read(ctx context.Context) (Event, error) {
	w.rmu.Lock()
	defer w.rmu.Unlock()
	for w.off >= w.end {
		n, err := w.pfd.Read(ctx, w.buf) // allocates nothing (poll.FD.Read)
		if err != nil {
			return Event{}, fmt.Errorf("inotify read: %w", err)
		}
		w.off, w.end = 0, n
	}
	ev, size, err := parseEvent(w.buf[w.off:w.end])
	if err != nil {
		// The kernel writes whole events; this is not reached unless
		// someone else read from the descriptor. Drop the batch.
		w.off = w.end
		return Event{}, fmt.Errorf("inotify read: %w", err)
	}
	w.off += size
	if ev.Mask&QOverflow != 0 {
		return ev, ErrOverflow
	}
	if ev.Mask&Ignored != 0 {
		w.mu.Lock()
		ev.Path = w.paths[ev.Watch]
		delete(w.paths, ev.Watch)
		w.mu.Unlock()
		return ev, nil
	}
	w.mu.RLock()
	ev.Path = w.paths[ev.Watch]
	w.mu.RUnlock()
	return ev, nil
}

// Events returns the events of the Watcher as they come, until ctx is done
// or the Watcher is closed, as Read returns them. An overflow is yielded
// as (an event with QOverflow, an error matching ErrOverflow) and the
// sequence goes on; any other error is yielded once and ends it.
// Breaking out of the loop leaves the unread events for the next Read.
func (w *Watcher) Events(ctx context.Context) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for {
			ev, err := w.Read(ctx)
			if !yield(ev, err) {
				return
			}
			if err != nil && !errors.Is(err, ErrOverflow) {
				return
			}
		}
	}
}

// MovePairer joins the two events of a rename: IN_MOVED_FROM, for the
// directory the entry left, and IN_MOVED_TO, for the directory it entered,
// which share a Cookie. The kernel queues them one after the other, but a
// rename out of the watched directories has no IN_MOVED_TO and one into
// them no IN_MOVED_FROM. A MovePairer remembers the last few MovedFrom
// events it saw (no allocation: a fixed ring) and hands each back with its
// MovedTo. The zero value is ready to use; it is not safe for concurrent
// use.
type MovePairer struct {
	from [8]Event
	next int
}

// Pair records ev if it is a MovedFrom event, and if it is a MovedTo
// event whose MovedFrom it has seen, returns that event and true (the
// rename went from from.FullPath() to ev.FullPath()). Other events return
// false.
func (p *MovePairer) Pair(ev Event) (from Event, ok bool) {
	switch {
	case ev.Mask&MovedFrom != 0 && ev.Cookie != 0:
		p.from[p.next] = ev
		p.next = (p.next + 1) % len(p.from)
	case ev.Mask&MovedTo != 0 && ev.Cookie != 0:
		for i := range p.from {
			if f := p.from[i]; f.Cookie == ev.Cookie && f.Mask&MovedFrom != 0 {
				p.from[i] = Event{}
				return f, true
			}
		}
	}
	return Event{}, false
}
