package epoll

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func newInstance(t testing.TB) *Instance {
	t.Helper()
	ep, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close() })
	return ep
}

func pipe(t testing.TB) (*os.File, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

func timeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestAddWait(t *testing.T) {
	ep := newInstance(t)
	r, w := pipe(t)
	if err := ep.Add(r, In, 1<<40|7); err != nil {
		t.Fatal(err)
	}
	if err := ep.Add(r, In, 0); !errors.Is(err, syscall.EEXIST) {
		t.Errorf("second Add = %v, want EEXIST", err)
	}
	evs := make([]Event, 4)
	if n, err := ep.Ready(evs); n != 0 || err != nil {
		t.Fatalf("Ready on an empty pipe = %d, %v", n, err)
	}
	done := make(chan error, 1)
	go func() {
		n, err := ep.Wait(timeout(t), evs)
		if err == nil && (n != 1 || evs[0] != (Event{Events: In, Data: 1<<40 | 7})) {
			err = errors.New("got " + strconv.Itoa(n) + " events: " + evs[0].Events.String())
		}
		done <- err
	}()
	w.Write([]byte("x"))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Level-triggered: still readable.
	if n, err := ep.Ready(evs); n != 1 || err != nil {
		t.Fatalf("Ready = %d, %v; want 1", n, err)
	}
	if err := ep.Delete(r); err != nil {
		t.Fatal(err)
	}
	if n, err := ep.Ready(evs); n != 0 || err != nil {
		t.Fatalf("Ready after Delete = %d, %v; want 0", n, err)
	}
	if err := ep.Modify(r, In, 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Modify after Delete = %v, want ENOENT", err)
	}
}

func TestOneShotModify(t *testing.T) {
	ep := newInstance(t)
	r, w := pipe(t)
	w.Write([]byte("x"))
	if err := ep.Add(r, In|OneShot, 3); err != nil {
		t.Fatal(err)
	}
	evs := make([]Event, 4)
	if n, err := ep.Wait(timeout(t), evs); n != 1 || err != nil {
		t.Fatalf("Wait = %d, %v", n, err)
	}
	if n, _ := ep.Ready(evs); n != 0 {
		t.Fatalf("one-shot registration reported twice")
	}
	if err := ep.Modify(r, In|OneShot, 4); err != nil {
		t.Fatal(err)
	}
	if n, err := ep.Ready(evs); n != 1 || evs[0].Data != 4 || err != nil {
		t.Fatalf("Ready after re-arm = %d %v, %v", n, evs[0], err)
	}
}

func TestExclusiveRules(t *testing.T) {
	ep := newInstance(t)
	r, _ := pipe(t)
	for _, c := range []struct {
		op     string
		events Events
	}{
		{"add", Exclusive | OneShot},
		{"add", Exclusive | RDHup},
		{"add", Exclusive | Pri},
		{"modify", Exclusive | In},
		{"add", 1 << 20},
	} {
		var err error
		if c.op == "add" {
			err = ep.Add(r, c.events, 0)
		} else {
			err = ep.Modify(r, c.events, 0)
		}
		if !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%s %v = %v, want fs.ErrInvalid", c.op, c.events, err)
		}
	}
	if err := ep.Add(r, Exclusive|In|ET, 0); err != nil {
		t.Fatalf("Add EPOLLEXCLUSIVE|EPOLLIN|EPOLLET: %v", err)
	}
	// An epoll instance cannot be added exclusively to another.
	inner := newInstance(t)
	if err := ep.Add(inner, Exclusive|In, 0); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("exclusive add of an epoll fd = %v, want EINVAL", err)
	}
}

func TestWaitCancel(t *testing.T) {
	ep := newInstance(t)
	r, _ := pipe(t)
	if err := ep.Add(r, In, 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := ep.Wait(ctx, make([]Event, 1))
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Wait = %v", err)
	}
}

func TestCloseUnblocksWait(t *testing.T) {
	ep, err := New()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ep.Wait(timeout(t), make([]Event, 1))
		done <- err
	}()
	// Wait until the goroutine is parked: its Ready would find nothing
	// either way, so sleeping is not needed for correctness, only to make
	// the Close happen while Wait is blocked most of the time.
	time.Sleep(10 * time.Millisecond)
	if err := ep.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Wait after Close = %v, want os.ErrClosed", err)
	}
	if err := ep.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if err := ep.Add(os.Stdin, In, 0); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Add after Close = %v", err)
	}
}

func TestRegularFileRefused(t *testing.T) {
	ep := newInstance(t)
	f, err := os.Create(t.TempDir() + "/regular")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := ep.Add(f, In, 0); !errors.Is(err, syscall.EPERM) {
		t.Fatalf("Add of a regular file = %v, want EPERM", err)
	}
}

func TestRegistrations(t *testing.T) {
	ep := newInstance(t)
	r, w := pipe(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := ep.Add(r, In|ET, 0xdeadbeef00000001); err != nil {
		t.Fatal(err)
	}
	if err := ep.Add(w, Out|RDHup, 2); err != nil {
		t.Fatal(err)
	}
	if err := ep.Add(ln.(*net.TCPListener), In|Exclusive, 3); err != nil {
		t.Fatal(err)
	}
	regs, err := ep.Registrations()
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]Events{0xdeadbeef00000001: In | ET | Err | Hup, 2: Out | RDHup | Err | Hup, 3: In | Exclusive | Err | Hup}
	if len(regs) != len(want) {
		t.Fatalf("Registrations = %+v", regs)
	}
	for _, reg := range regs {
		if want[reg.Data] != reg.Events {
			t.Errorf("registration %d: events %v, want %v", reg.Data, reg.Events, want[reg.Data])
		}
		if reg.Inode == 0 || reg.FD < 0 {
			t.Errorf("registration %+v: no inode or fd", reg)
		}
	}
}

func TestEventsText(t *testing.T) {
	for _, c := range []struct {
		e    Events
		text string
	}{
		{0, "0"},
		{In | Out, "EPOLLIN|EPOLLOUT"},
		{In | ET | OneShot, "EPOLLIN|EPOLLONESHOT|EPOLLET"},
		{Exclusive | 1<<20, "EPOLLEXCLUSIVE|0x100000"},
	} {
		if got := c.e.String(); got != c.text {
			t.Errorf("%#x.String() = %q, want %q", uint32(c.e), got, c.text)
		}
		back, err := ParseEvents(c.text)
		if err != nil || back != c.e {
			t.Errorf("ParseEvents(%q) = %v, %v", c.text, back, err)
		}
	}
	if _, err := ParseEvents("EPOLLFOO"); err == nil {
		t.Error("ParseEvents accepted EPOLLFOO")
	}
}
