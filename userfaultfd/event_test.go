package userfaultfd

import (
	"encoding/binary"
	"errors"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/abi"
)

// msg builds a struct uffd_msg from its event and argument words.
func msg(event uint8, words ...uint64) *abi.UffdMsg {
	m := &abi.UffdMsg{Event: event}
	for i, w := range words {
		binary.NativeEndian.PutUint64(m.Arg[8*i:], w)
	}
	return m
}

func TestDecode(t *testing.T) {
	for _, c := range []struct {
		name string
		m    *abi.UffdMsg
		want rawEvent
	}{
		{"read fault", msg(abi.UFFD_EVENT_PAGEFAULT, 0, 0x7f001000, 1234),
			rawEvent{Event: Event{Kind: EventPageFault, Address: 0x7f001000, ThreadID: 1234}, forkFD: -1}},
		{"wp fault", msg(abi.UFFD_EVENT_PAGEFAULT, 3, 0x2000, 0),
			rawEvent{Event: Event{Kind: EventPageFault, Address: 0x2000, Flags: FaultWrite | FaultWP}, forkFD: -1}},
		{"fork", msg(abi.UFFD_EVENT_FORK, 17),
			rawEvent{Event: Event{Kind: EventFork}, forkFD: 17}},
		{"remap", msg(abi.UFFD_EVENT_REMAP, 0x1000, 0x9000, 0x3000),
			rawEvent{Event: Event{Kind: EventRemap, From: 0x1000, To: 0x9000, Len: 0x3000}, forkFD: -1}},
		{"remove", msg(abi.UFFD_EVENT_REMOVE, 0x1000, 0x3000),
			rawEvent{Event: Event{Kind: EventRemove, Start: 0x1000, End: 0x3000}, forkFD: -1}},
		{"unmap", msg(abi.UFFD_EVENT_UNMAP, 0x4000, 0x5000),
			rawEvent{Event: Event{Kind: EventUnmap, Start: 0x4000, End: 0x5000}, forkFD: -1}},
		{"unknown", msg(0x40, 1, 2, 3),
			rawEvent{Event: Event{Kind: 0x40}, forkFD: -1}},
	} {
		got, err := decode(c.m)
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
	if _, err := decode(msg(abi.UFFD_EVENT_FORK, 1<<31)); err == nil {
		t.Error("a fork fd beyond int32 was accepted")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(make([]byte, abi.SizeofUffdMsg))
	f.Add([]byte{abi.UFFD_EVENT_FORK, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		var m abi.UffdMsg
		if len(b) > 0 {
			m.Event = b[0]
		}
		if len(b) > 8 {
			copy(m.Arg[:], b[8:])
		}
		e, err := decode(&m)
		if err != nil {
			return
		}
		if e.Kind != EventKind(m.Event) || (e.Kind == EventFork) != (e.forkFD >= 0) {
			t.Fatalf("%+v from %x", e, b)
		}
	})
}

func TestEventKindString(t *testing.T) {
	for k, want := range map[EventKind]string{EventPageFault: "UFFD_EVENT_PAGEFAULT", EventFork: "UFFD_EVENT_FORK", EventRemap: "UFFD_EVENT_REMAP", EventRemove: "UFFD_EVENT_REMOVE", EventUnmap: "UFFD_EVENT_UNMAP", 3: "UFFD_EVENT_3"} {
		if got := k.String(); got != want {
			t.Errorf("%d: %q, want %q", uint8(k), got, want)
		}
	}
}

// TestProgress drives the progress loop with a scripted kernel: partial
// progress with EAGAIN continues after the handled part; EAGAIN without
// progress (the address space is changing) and other errors return what
// was done.
func TestProgress(t *testing.T) {
	type step struct {
		n   int64
		err error
	}
	for _, c := range []struct {
		name    string
		script  []step
		wantN   int
		wantErr error
		offsets []uintptr
	}{
		{"whole", []step{{3 * int64(ps), nil}}, 3 * ps, nil, []uintptr{0}},
		{"partial then rest", []step{{int64(ps), syscall.EAGAIN}, {2 * int64(ps), nil}}, 3 * ps, nil, []uintptr{0, uintptr(ps)}},
		{"partial then changing", []step{{2 * int64(ps), syscall.EAGAIN}, {-int64(syscall.EAGAIN), syscall.EAGAIN}}, 2 * ps, syscall.EAGAIN, []uintptr{0, 2 * uintptr(ps)}},
		{"exists", []step{{-int64(syscall.EEXIST), syscall.EEXIST}}, 0, syscall.EEXIST, []uintptr{0}},
		{"overlong count", []step{{9 * int64(ps), syscall.EAGAIN}}, 0, syscall.EAGAIN, []uintptr{0}},
	} {
		var offsets []uintptr
		i := 0
		n, err := progress(3*uintptr(ps), func(done uintptr) (int64, error) {
			offsets = append(offsets, done)
			s := c.script[i]
			i++
			return s.n, s.err
		})
		if n != c.wantN || !errors.Is(err, c.wantErr) || (err == nil) != (c.wantErr == nil) {
			t.Errorf("%s: %d, %v; want %d, %v", c.name, n, err, c.wantN, c.wantErr)
		}
		if len(offsets) != len(c.offsets) {
			t.Errorf("%s: offsets %v, want %v", c.name, offsets, c.offsets)
			continue
		}
		for j := range offsets {
			if offsets[j] != c.offsets[j] {
				t.Errorf("%s: offsets %v, want %v", c.name, offsets, c.offsets)
			}
		}
	}
}
