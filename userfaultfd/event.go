package userfaultfd

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/sys"
)

// EventKind is the kind of an event, UFFD_EVENT_*.
type EventKind uint8

const (
	// EventPageFault: a thread faulted in a registered range and waits.
	EventPageFault EventKind = abi.UFFD_EVENT_PAGEFAULT
	// EventFork: the process forked (FeatureEventFork); the child's
	// registrations are on a new userfaultfd, Event.Child.
	EventFork EventKind = abi.UFFD_EVENT_FORK
	// EventRemap: mremap(2) moved a registered range (FeatureEventRemap).
	EventRemap EventKind = abi.UFFD_EVENT_REMAP
	// EventRemove: madvise(MADV_DONTNEED, MADV_REMOVE) dropped the pages
	// of a range (FeatureEventRemove); they fault again when touched.
	EventRemove EventKind = abi.UFFD_EVENT_REMOVE
	// EventUnmap: munmap(2) removed a range (FeatureEventUnmap).
	EventUnmap EventKind = abi.UFFD_EVENT_UNMAP
)

// String returns the kernel's name, "UFFD_EVENT_PAGEFAULT", or the
// number of an unknown kind.
func (k EventKind) String() string {
	switch k {
	case EventPageFault:
		return "UFFD_EVENT_PAGEFAULT"
	case EventFork:
		return "UFFD_EVENT_FORK"
	case EventRemap:
		return "UFFD_EVENT_REMAP"
	case EventRemove:
		return "UFFD_EVENT_REMOVE"
	case EventUnmap:
		return "UFFD_EVENT_UNMAP"
	}
	return "UFFD_EVENT_" + strconv.Itoa(int(k))
}

// An Event is one message of the fd. The fields that apply depend on
// Kind; the others are zero.
//
// The non-cooperative events (fork, remap, remove, unmap) stop the thread
// that caused them until the event is read, and resolving operations
// fail with EAGAIN while such an event is pending.
type Event struct {
	Kind EventKind

	// EventPageFault: the faulting address (of the page, unless
	// FeatureExactAddress), what kind of fault it was, and the faulting
	// thread's id in its own pid namespace (with FeatureThreadID, else
	// 0).
	Address  uintptr
	Flags    FaultFlags
	ThreadID int

	// EventFork: the child process's userfaultfd, with the parent's
	// features and the registrations the child inherited. The event
	// owns it until the handler takes it: the handler must serve or
	// Close it (the child's faults wait on it).
	Child *FD

	// EventRemap: the range moved from From to To, Len bytes.
	From, To uintptr
	Len      uint64

	// EventRemove and EventUnmap: the range [Start, End) is gone.
	Start, End uintptr
}

// rawEvent is an Event as decoded, before the fork's fd is adopted.
type rawEvent struct {
	Event
	forkFD int // EventFork: the new fd, installed in this process by read(2)
}

// errShortMsg is the error for a read(2) that returned less than a
// message, which the kernel never does.
var errShortMsg = errors.New("userfaultfd: short message")

// decode decodes a struct uffd_msg. It is pure: it never panics, and
// rejects a fork fd beyond int32.
func decode(m *abi.UffdMsg) (rawEvent, error) {
	e := rawEvent{Event: Event{Kind: EventKind(m.Event)}, forkFD: -1}
	arg := m.Arg[:]
	u64 := func(off int) uint64 { return binary.NativeEndian.Uint64(arg[off:]) }
	switch e.Kind {
	case EventPageFault:
		e.Flags = FaultFlags(u64(0))
		e.Address = uintptr(u64(8))
		e.ThreadID = int(binary.NativeEndian.Uint32(arg[16:]))
	case EventFork:
		fd := binary.NativeEndian.Uint32(arg[0:])
		if fd > math.MaxInt32 {
			return e, fmt.Errorf("userfaultfd: fork event with fd %d", fd)
		}
		e.forkFD = int(fd)
	case EventRemap:
		e.From, e.To, e.Len = uintptr(u64(0)), uintptr(u64(8)), u64(16)
	case EventRemove, EventUnmap:
		e.Start, e.End = uintptr(u64(0)), uintptr(u64(8))
	}
	return e, nil
}

// Read waits for the next event and returns it, read(2) on the poller.
// It returns ctx.Err() when ctx ends first, and an error matching
// os.ErrClosed after Close. An event of a kind lx does not know is
// returned with only Kind set.
func (u *FD) Read(ctx context.Context) (Event, error) {
	// The file's own read through the poller allocates nothing (see
	// poll.FD.Read); the kernel returns whole messages.
	var b [abi.SizeofUffdMsg]byte
	n, err := u.pfd.Read(ctx, b[:])
	if err == nil && n != len(b) {
		err = errShortMsg
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return Event{}, ctxErr
		}
		return Event{}, fmt.Errorf("userfaultfd: read: %w", err)
	}
	m := abi.UffdMsg{Event: b[0], Reserved1: b[1], Reserved2: binary.NativeEndian.Uint16(b[2:]), Reserved3: binary.NativeEndian.Uint32(b[4:])}
	copy(m.Arg[:], b[8:])
	e, err := decode(&m)
	if err != nil {
		return Event{}, err
	}
	if e.forkFD >= 0 {
		child, err := adopt(sys.NewFD(e.forkFD), u.features)
		if err != nil {
			return Event{}, err
		}
		e.Child = child
	}
	return e.Event, nil
}

// Serve reads events and passes each to handle until handle returns an
// error (returned as it is), ctx ends (ctx.Err()) or the fd is closed
// (an error matching os.ErrClosed). handle runs on Serve's goroutine,
// one event at a time; it resolves page faults (Copy, Zeropage,
// Unprotect, Continue, ...) and takes ownership of Event.Child. A fault
// that handle leaves unresolved keeps its thread waiting.
func (u *FD) Serve(ctx context.Context, handle func(Event) error) error {
	// ctx's cancellation is registered once for the loop, not per read.
	stop := u.pfd.Watch(ctx)
	defer stop()
	for {
		e, err := u.Read(ctx)
		if err != nil {
			return err
		}
		if err := handle(e); err != nil {
			return err
		}
	}
}
