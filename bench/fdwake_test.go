package bench

// The wake-up paths of lx's eventfd and timerfd against hand-written
// loops on the same kind of fd, the floor a poller-integrated wrapper
// is measured against:
//
//   - impl=lx: eventfd.FD.Read/Add and timerfd.Timer.Set/Wait with
//     context.Background() (internal/poll's path for a context that
//     cannot end);
//   - impl=lx-cancel: the same with a cancellable context (WithCancel,
//     never cancelled), the context most callers pass;
//   - impl=raw: os.NewFile on a raw non-blocking fd, then its
//     SyscallConn's Read and Write loops around read(2) and write(2),
//     EAGAIN parking the goroutine: what a program writes by hand
//     without lx (no context);
//   - impl=osfile: the *os.File's own Read and Write on that fd, the
//     runtime's internal poller loop without any closure: the floor;
//   - impl=blocking (eventfd only): blocking fds read and written by
//     two goroutines locked to their OS threads, the 6.2 µs
//     reference.
//
// BenchmarkEventfdPingPong is one round trip between two goroutines,
// each waking the other through an eventfd of its own. BenchmarkTimerfd
// arms a one-shot timer 1ns ahead and waits for its expiration: settime,
// the kernel's hrtimer, and the poller's wake-up of the waiter.
//
//	./run 'EventfdPingPong|TimerfdExpire'

import (
	"context"
	"encoding/binary"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/lxgo/lx/eventfd"
	"github.com/lxgo/lx/timerfd"
)

// counter is one end of a ping-pong: an eventfd read and written by one
// implementation.
type counter interface {
	read() (uint64, error)
	add(uint64) error
	close() error
}

// lxCounter is an eventfd.FD used with ctx.
type lxCounter struct {
	fd  *eventfd.FD
	ctx context.Context
}

func (c lxCounter) read() (uint64, error) { return c.fd.Read(c.ctx) }
func (c lxCounter) add(n uint64) error    { return c.fd.Add(c.ctx, n) }
func (c lxCounter) close() error          { return c.fd.Close() }

// rawEventfd creates an eventfd with eventfd2(2) directly.
func rawEventfd(flags int) (int, error) {
	fd, _, e := syscall.RawSyscall(syscall.SYS_EVENTFD2, 0, uintptr(flags|syscall.O_CLOEXEC), 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

// rawConnCounter reads and writes through SyscallConn loops.
type rawConnCounter struct {
	f  *os.File
	rc syscall.RawConn
}

func (c *rawConnCounter) read() (uint64, error) {
	var b [8]byte
	var err error
	if rerr := c.rc.Read(func(fd uintptr) bool {
		_, err = syscall.Read(int(fd), b[:])
		return err != syscall.EAGAIN
	}); rerr != nil {
		return 0, rerr
	}
	return binary.NativeEndian.Uint64(b[:]), err
}

func (c *rawConnCounter) add(n uint64) error {
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], n)
	var err error
	if werr := c.rc.Write(func(fd uintptr) bool {
		_, err = syscall.Write(int(fd), b[:])
		return err != syscall.EAGAIN
	}); werr != nil {
		return werr
	}
	return err
}

func (c *rawConnCounter) close() error { return c.f.Close() }

// fileCounter uses the *os.File's Read and Write. buf is per end: each
// end is used by one goroutine.
type fileCounter struct {
	f   *os.File
	buf [8]byte
}

func (c *fileCounter) read() (uint64, error) {
	if _, err := c.f.Read(c.buf[:]); err != nil {
		return 0, err
	}
	return binary.NativeEndian.Uint64(c.buf[:]), nil
}

func (c *fileCounter) add(n uint64) error {
	binary.NativeEndian.PutUint64(c.buf[:], n)
	_, err := c.f.Write(c.buf[:])
	return err
}

func (c *fileCounter) close() error { return c.f.Close() }

// blockingCounter is a blocking eventfd used with raw system calls (the
// goroutines using it are locked to their threads).
type blockingCounter struct{ fd int }

func (c blockingCounter) read() (uint64, error) {
	var v uint64
	for {
		_, _, e := syscall.Syscall(syscall.SYS_READ, uintptr(c.fd), uintptr(unsafe.Pointer(&v)), 8)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return v, nil
	}
}

func (c blockingCounter) add(n uint64) error {
	for {
		_, _, e := syscall.Syscall(syscall.SYS_WRITE, uintptr(c.fd), uintptr(unsafe.Pointer(&n)), 8)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return e
		}
		return nil
	}
}

func (c blockingCounter) close() error { return syscall.Close(c.fd) }

// eventfdImpls makes a counter for each implementation.
var eventfdImpls = []struct {
	name   string
	locked bool // the goroutines lock their threads
	open   func(tb testing.TB) counter
}{
	{"lx", false, func(tb testing.TB) counter {
		fd, err := eventfd.New(nil)
		if err != nil {
			tb.Fatal(err)
		}
		return lxCounter{fd, context.Background()}
	}},
	{"lx-cancel", false, func(tb testing.TB) counter {
		fd, err := eventfd.New(nil)
		if err != nil {
			tb.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		tb.Cleanup(cancel)
		return lxCounter{fd, ctx}
	}},
	{"raw", false, func(tb testing.TB) counter {
		fd, err := rawEventfd(syscall.O_NONBLOCK)
		if err != nil {
			tb.Fatal(err)
		}
		f := os.NewFile(uintptr(fd), "eventfd")
		rc, err := f.SyscallConn()
		if err != nil {
			tb.Fatal(err)
		}
		return &rawConnCounter{f, rc}
	}},
	{"osfile", false, func(tb testing.TB) counter {
		fd, err := rawEventfd(syscall.O_NONBLOCK)
		if err != nil {
			tb.Fatal(err)
		}
		return &fileCounter{f: os.NewFile(uintptr(fd), "eventfd")}
	}},
	{"blocking", true, func(tb testing.TB) counter {
		fd, err := rawEventfd(0)
		if err != nil {
			tb.Fatal(err)
		}
		return blockingCounter{fd}
	}},
}

// stopValue ends the echo goroutine; rounds send smaller values.
const stopValue = 1 << 40

// pingPong runs rounds round trips: the caller adds i to ping, the echo
// goroutine reads it and adds it to pong, the caller reads it back. It
// returns the sum of the values read back.
func pingPong(tb testing.TB, open func(testing.TB) counter, locked bool, rounds func(yield func(i uint64) bool)) uint64 {
	ping, pong := open(tb), open(tb)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if locked {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
		}
		for {
			v, err := ping.read()
			if err != nil || v >= stopValue {
				return
			}
			if err := pong.add(v); err != nil {
				return
			}
		}
	}()
	if locked {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	var sum uint64
	for i := range rounds {
		if err := ping.add(i); err != nil {
			tb.Fatal(err)
		}
		v, err := pong.read()
		if err != nil {
			tb.Fatal(err)
		}
		sum += v
	}
	if err := ping.add(stopValue); err != nil {
		tb.Fatal(err)
	}
	<-done
	ping.close()
	pong.close()
	return sum
}

func BenchmarkEventfdPingPong(b *testing.B) {
	for _, impl := range eventfdImpls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			pingPong(b, impl.open, impl.locked, func(yield func(uint64) bool) {
				for b.Loop() {
					if !yield(1) {
						return
					}
				}
			})
		})
	}
}

// TestEventfdPingPongAgrees: every implementation echoes every value.
func TestEventfdPingPongAgrees(t *testing.T) {
	for _, impl := range eventfdImpls {
		sum := pingPong(t, impl.open, impl.locked, func(yield func(uint64) bool) {
			for i := uint64(1); i <= 100; i++ {
				if !yield(i) {
					return
				}
			}
		})
		if sum != 5050 {
			t.Errorf("impl=%s: echoed values sum to %d, want 5050", impl.name, sum)
		}
	}
}

// expirer arms a one-shot timer and waits for its expiration.
type expirer interface {
	expire() (uint64, error) // arms 1ns ahead, waits, returns the count
	close() error
}

type lxExpirer struct {
	t   *timerfd.Timer
	ctx context.Context
}

func (e lxExpirer) expire() (uint64, error) {
	if _, err := e.t.Set(1, 0); err != nil {
		return 0, err
	}
	return e.t.Wait(e.ctx)
}

func (e lxExpirer) close() error { return e.t.Close() }

// rawTimerfd creates a non-blocking CLOCK_MONOTONIC timerfd directly.
func rawTimerfd() (*os.File, error) {
	fd, _, e := syscall.RawSyscall(syscall.SYS_TIMERFD_CREATE, 1, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if e != 0 {
		return nil, e
	}
	return os.NewFile(fd, "timerfd"), nil
}

// skip32 skips the timerfd comparisons where time_t is 32 bits.
func skip32(tb testing.TB) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		tb.Skip("itimerspec is written for 64-bit architectures")
	}
}

// itimerspec is struct itimerspec on 64-bit architectures.
type itimerspec struct {
	intervalSec, intervalNsec, valueSec, valueNsec int64
}

// armOnce arms fd to expire once, 1ns ahead.
func armOnce(fd uintptr) error {
	spec := itimerspec{valueNsec: 1}
	_, _, e := syscall.Syscall6(syscall.SYS_TIMERFD_SETTIME, fd, 0, uintptr(unsafe.Pointer(&spec)), 0, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

type rawExpirer struct {
	f  *os.File
	rc syscall.RawConn
}

func (e *rawExpirer) expire() (uint64, error) {
	var err error
	if cerr := e.rc.Control(func(fd uintptr) { err = armOnce(fd) }); cerr != nil {
		return 0, cerr
	}
	if err != nil {
		return 0, err
	}
	var b [8]byte
	if rerr := e.rc.Read(func(fd uintptr) bool {
		_, err = syscall.Read(int(fd), b[:])
		return err != syscall.EAGAIN
	}); rerr != nil {
		return 0, rerr
	}
	return binary.NativeEndian.Uint64(b[:]), err
}

func (e *rawExpirer) close() error { return e.f.Close() }

// fileExpirer arms through SyscallConn (an *os.File has no other way)
// and waits with the file's own Read.
type fileExpirer struct {
	rawExpirer
	buf [8]byte
}

func (e *fileExpirer) expire() (uint64, error) {
	var err error
	if cerr := e.rc.Control(func(fd uintptr) { err = armOnce(fd) }); cerr != nil {
		return 0, cerr
	}
	if err != nil {
		return 0, err
	}
	if _, err := e.f.Read(e.buf[:]); err != nil {
		return 0, err
	}
	return binary.NativeEndian.Uint64(e.buf[:]), nil
}

var timerfdImpls = []struct {
	name string
	open func(tb testing.TB) expirer
}{
	{"lx", func(tb testing.TB) expirer {
		t, err := timerfd.New(timerfd.Monotonic)
		if err != nil {
			tb.Fatal(err)
		}
		return lxExpirer{t, context.Background()}
	}},
	{"lx-cancel", func(tb testing.TB) expirer {
		t, err := timerfd.New(timerfd.Monotonic)
		if err != nil {
			tb.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		tb.Cleanup(cancel)
		return lxExpirer{t, ctx}
	}},
	{"raw", func(tb testing.TB) expirer {
		f, err := rawTimerfd()
		if err != nil {
			tb.Fatal(err)
		}
		rc, err := f.SyscallConn()
		if err != nil {
			tb.Fatal(err)
		}
		return &rawExpirer{f, rc}
	}},
	{"osfile", func(tb testing.TB) expirer {
		f, err := rawTimerfd()
		if err != nil {
			tb.Fatal(err)
		}
		rc, err := f.SyscallConn()
		if err != nil {
			tb.Fatal(err)
		}
		return &fileExpirer{rawExpirer: rawExpirer{f, rc}}
	}},
}

func BenchmarkTimerfdExpire(b *testing.B) {
	skip32(b)
	for _, impl := range timerfdImpls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			e := impl.open(b)
			defer e.close()
			b.ReportAllocs()
			for b.Loop() {
				if n, err := e.expire(); err != nil || n != 1 {
					b.Fatalf("expire = %d, %v", n, err)
				}
			}
		})
	}
}

// TestTimerfdExpireAgrees: every implementation sees each one-shot
// timer expire exactly once.
func TestTimerfdExpireAgrees(t *testing.T) {
	skip32(t)
	for _, impl := range timerfdImpls {
		e := impl.open(t)
		total := uint64(0)
		for range 100 {
			n, err := e.expire()
			if err != nil {
				t.Fatalf("impl=%s: %v", impl.name, err)
			}
			total += n
		}
		e.close()
		if total != 100 {
			t.Errorf("impl=%s: %d expirations of 100 one-shot timers", impl.name, total)
		}
	}
}

// pairedBlock is the number of operations each implementation runs in
// turn inside one iteration of a paired benchmark.
const pairedBlock = 8

// pairedReport reports each implementation's ns per operation and its
// ratio to impl=lx's, from the blocks timed side by side: alternating
// the implementations inside every iteration cancels most of the
// machine's drift, which on a shared machine moves absolute times by
// tens of percent. B/op and allocs/op of a paired benchmark count every
// implementation's pairedBlock operations together: the allocations of
// each are those of BenchmarkEventfdPingPong and BenchmarkTimerfdExpire.
func pairedReport(b *testing.B, names []string, total []time.Duration, ops int) {
	for i, name := range names {
		b.ReportMetric(float64(total[i].Nanoseconds())/float64(ops), name+"-ns/op")
		if i > 0 {
			b.ReportMetric(float64(total[i])/float64(total[0]), name+"/lx")
		}
	}
	b.ReportMetric(0, "ns/op") // the sum of all implementations: meaningless
}

// BenchmarkEventfdPaired times eventfd round trips of impl=lx (both
// contexts), impl=raw and impl=osfile in alternating blocks.
func BenchmarkEventfdPaired(b *testing.B) {
	impls := eventfdImpls[:4] // lx, lx-cancel, raw, osfile
	names := make([]string, len(impls))
	total := make([]time.Duration, len(impls))
	type pair struct {
		ping, pong counter
		done       chan struct{}
	}
	pairs := make([]pair, len(impls))
	for i, impl := range impls {
		names[i] = impl.name
		p := pair{impl.open(b), impl.open(b), make(chan struct{})}
		pairs[i] = p
		go func() {
			defer close(p.done)
			for {
				v, err := p.ping.read()
				if err != nil || v >= stopValue {
					return
				}
				if err := p.pong.add(v); err != nil {
					return
				}
			}
		}()
	}
	b.ReportAllocs()
	ops := 0
	for b.Loop() {
		for i, p := range pairs {
			t0 := time.Now()
			for range pairedBlock {
				if err := p.ping.add(1); err != nil {
					b.Fatal(err)
				}
				if _, err := p.pong.read(); err != nil {
					b.Fatal(err)
				}
			}
			total[i] += time.Since(t0)
		}
		ops += pairedBlock
	}
	b.StopTimer()
	for _, p := range pairs {
		p.ping.add(stopValue)
		<-p.done
		p.ping.close()
		p.pong.close()
	}
	pairedReport(b, names, total, ops)
}

// BenchmarkTimerfdPaired times one-shot timer expirations of every
// implementation in alternating blocks.
func BenchmarkTimerfdPaired(b *testing.B) {
	skip32(b)
	names := make([]string, len(timerfdImpls))
	total := make([]time.Duration, len(timerfdImpls))
	es := make([]expirer, len(timerfdImpls))
	for i, impl := range timerfdImpls {
		names[i], es[i] = impl.name, impl.open(b)
		defer es[i].close()
	}
	b.ReportAllocs()
	ops := 0
	for b.Loop() {
		for i, e := range es {
			t0 := time.Now()
			for range pairedBlock {
				if n, err := e.expire(); err != nil || n != 1 {
					b.Fatalf("%s: expire = %d, %v", names[i], n, err)
				}
			}
			total[i] += time.Since(t0)
		}
		ops += pairedBlock
	}
	pairedReport(b, names, total, ops)
}
