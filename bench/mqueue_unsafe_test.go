package bench

// A message queue round trip between two goroutines: lx's mqueue.Queue
// (non-blocking descriptors in the runtime's poller) against the same
// calls made raw on blocking descriptors (mq_timedsend and
// mq_timedreceive with no timeout block an OS thread each, as a C
// program or a cgo binding of librt would).
//
//	./run MqueueRoundTrip

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"unsafe"

	"github.com/lxgo/lx/mqueue"
)

// mqRaw is a blocking queue descriptor used with raw system calls.
type mqRaw int

func mqRawOpen(name string) (mqRaw, error) {
	p, err := syscall.BytePtrFromString(name)
	if err != nil {
		return -1, err
	}
	fd, _, e := syscall.Syscall6(syscall.SYS_MQ_OPEN, uintptr(unsafe.Pointer(p)), syscall.O_RDWR|syscall.O_CLOEXEC, 0, 0, 0, 0)
	if e != 0 {
		return -1, e
	}
	return mqRaw(fd), nil
}

func (q mqRaw) send(msg []byte, prio uint32) error {
	for {
		_, _, e := syscall.Syscall6(syscall.SYS_MQ_TIMEDSEND, uintptr(q), uintptr(unsafe.Pointer(&msg[0])), uintptr(len(msg)), uintptr(prio), 0, 0)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return e
		}
		return nil
	}
}

func (q mqRaw) receive(buf []byte) (int, uint32, error) {
	var prio uint32
	for {
		n, _, e := syscall.Syscall6(syscall.SYS_MQ_TIMEDRECEIVE, uintptr(q), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), uintptr(unsafe.Pointer(&prio)), 0, 0)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0, 0, e
		}
		return int(n), prio, nil
	}
}

func (q mqRaw) close() { syscall.Close(int(q)) }

// mqPair creates the request and reply queues of a round trip and
// returns their names; cleanup unlinks them.
func mqPair(tb testing.TB) (req, rep *mqueue.Queue) {
	tb.Helper()
	base := "lx-bench-" + strconv.Itoa(os.Getpid()) + "-"
	var qs [2]*mqueue.Queue
	for i, n := range []string{"req", "rep"} {
		q, err := mqueue.New(base+n, &mqueue.CreateOptions{MaxMessages: 4, MessageSize: 64, Exclusive: true})
		if err != nil {
			tb.Fatal(err)
		}
		qs[i] = q
		tb.Cleanup(func() { q.Close(); mqueue.Unlink(q.Name()) })
	}
	return qs[0], qs[1]
}

// mqEcho is one implementation: start runs a server that answers each
// request on the reply queue with the same message and priority + 1,
// until a message "stop"; call sends one request and returns the reply.
type mqEcho struct {
	name  string
	start func(tb testing.TB, req, rep *mqueue.Queue) (call func(msg []byte, prio uint32) ([]byte, uint32, error), stop func() error)
}

var mqEchoImpls = []mqEcho{
	{"lx", func(tb testing.TB, req, rep *mqueue.Queue) (func([]byte, uint32) ([]byte, uint32, error), func() error) {
		ctx := context.Background()
		done := make(chan error, 1)
		go func() {
			buf := make([]byte, 64)
			for {
				m, p, err := req.Receive(ctx, buf)
				if err != nil || string(m) == "stop" {
					done <- err
					return
				}
				if err := rep.Send(ctx, m, p+1); err != nil {
					done <- err
					return
				}
			}
		}()
		buf := make([]byte, 64)
		call := func(msg []byte, prio uint32) ([]byte, uint32, error) {
			if err := req.Send(ctx, msg, mqueue.Priority(prio)); err != nil {
				return nil, 0, err
			}
			m, p, err := rep.Receive(ctx, buf)
			return m, uint32(p), err
		}
		stop := func() error {
			req.Send(ctx, []byte("stop"), 0)
			return <-done
		}
		return call, stop
	}},
	{"raw", func(tb testing.TB, req, rep *mqueue.Queue) (func([]byte, uint32) ([]byte, uint32, error), func() error) {
		var fds [4]mqRaw // server req, server rep, client req, client rep
		for i, n := range []string{req.Name(), rep.Name(), req.Name(), rep.Name()} {
			fd, err := mqRawOpen(n)
			if err != nil {
				tb.Fatal(err)
			}
			fds[i] = fd
		}
		done := make(chan error, 1)
		go func() {
			buf := make([]byte, 64)
			for {
				n, p, err := fds[0].receive(buf)
				if err != nil || string(buf[:n]) == "stop" {
					done <- err
					return
				}
				if err := fds[1].send(buf[:n], p+1); err != nil {
					done <- err
					return
				}
			}
		}()
		buf := make([]byte, 64)
		call := func(msg []byte, prio uint32) ([]byte, uint32, error) {
			if err := fds[2].send(msg, prio); err != nil {
				return nil, 0, err
			}
			n, p, err := fds[3].receive(buf)
			return buf[:n], p, err
		}
		stop := func() error {
			fds[2].send([]byte("stop"), 0)
			err := <-done
			for _, fd := range fds {
				fd.close()
			}
			return err
		}
		return call, stop
	}},
}

// BenchmarkMqueueRoundTrip: one request and one reply of 32 bytes.
func BenchmarkMqueueRoundTrip(b *testing.B) {
	msg := []byte("0123456789abcdef0123456789abcdef")
	for _, impl := range mqEchoImpls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			req, rep := mqPair(b)
			call, stop := impl.start(b, req, rep)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := call(msg, 3); err != nil {
					b.Fatal(err)
				}
			}
			if err := stop(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// TestMqueueAgrees: both implementations echo the message with the
// priority raised by one.
func TestMqueueAgrees(t *testing.T) {
	for _, impl := range mqEchoImpls {
		t.Run(impl.name, func(t *testing.T) {
			req, rep := mqPair(t)
			call, stop := impl.start(t, req, rep)
			m, p, err := call([]byte("ping"), 41)
			if err != nil || string(m) != "ping" || p != 42 {
				t.Errorf("%s: %q %d, %v", impl.name, m, p, err)
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
