// Package poll bridges a raw, non-blocking file descriptor and the Go
// runtime's network poller, in the pattern of mdlayher/socket: the fd lives
// in an *os.File (registered with the poller because it is O_NONBLOCK), and
// every operation goes through its syscall.RawConn, so a goroutine waiting
// for readiness parks instead of blocking an OS thread.
//
// Context cancellation is mapped onto deadlines: when ctx is done, the
// file's deadline is moved into the past, which wakes the waiter, and the
// operation returns ctx.Err(). No goroutine is started unless ctx is
// actually cancelled (context.AfterFunc), and none outlives the call.
// Close wakes every blocked operation, which then returns an error matching
// os.ErrClosed.
package poll

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lxgo/lx/internal/sys"
)

// FD is a pollable file descriptor owned by an *os.File.
type FD struct {
	f  *os.File
	rc syscall.RawConn

	// mu serialises deadline changes made on behalf of contexts, so that
	// a cancellation of one operation cannot leave a past deadline behind
	// for the next. cancelling counts cancellations whose past deadline is
	// still set: another operation woken by it retries instead of
	// reporting a deadline that was not its own.
	mu         sync.Mutex
	cancelling atomic.Int32
}

// New takes ownership of f, which must have been created O_NONBLOCK so that
// os.NewFile registered it with the poller.
func New(f *os.File) (*FD, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &FD{f: f, rc: rc}, nil
}

// File returns the underlying file. It stays owned by the FD; do not call
// its Fd method, which would make it blocking.
func (p *FD) File() *os.File { return p.f }

// Close closes the file, waking blocked operations. It is idempotent.
func (p *FD) Close() error {
	err := p.f.Close()
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

// Control runs fn with the raw fd, for calls that never block (ioctl,
// fstat). The fd is valid only during fn.
func (p *FD) Control(fn func(fd int)) error {
	return p.rc.Control(func(fd uintptr) { fn(int(fd)) })
}

// Read calls fn with the raw fd until it reports done. When fn returns
// false (its syscall said EAGAIN), Read parks until the fd is readable, ctx
// is done, or the file is closed.
func (p *FD) Read(ctx context.Context, fn func(fd int) (done bool)) error {
	return p.do(ctx, true, fn)
}

// Write is Read for writability.
func (p *FD) Write(ctx context.Context, fn func(fd int) (done bool)) error {
	return p.do(ctx, false, fn)
}

// WaitReadable parks until the fd is readable. It does not consume
// anything: readiness is confirmed with poll(2), so a level that was already
// reported earlier (the poller is edge-triggered) is still seen.
func (p *FD) WaitReadable(ctx context.Context) error {
	var perr error
	err := p.Read(ctx, func(fd int) bool {
		ready, err := sys.PollIn(fd)
		if err != nil {
			perr = err
			return true
		}
		return ready
	})
	if err != nil {
		return err
	}
	return perr
}

// Readable reports, without waiting, whether the fd is readable now.
func (p *FD) Readable() (bool, error) {
	var ready bool
	var perr error
	if err := p.Control(func(fd int) { ready, perr = sys.PollIn(fd) }); err != nil {
		return false, err
	}
	return ready, perr
}

func (p *FD) do(ctx context.Context, read bool, fn func(fd int) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	call := func(fd uintptr) bool { return fn(int(fd)) }
	op := p.rc.Write
	setDeadline := p.f.SetWriteDeadline
	if read {
		op, setDeadline = p.rc.Read, p.f.SetReadDeadline
	}
	if ctx.Done() == nil {
		return p.retry(ctx, op, call)
	}

	// Wake the waiter when ctx is done. AfterFunc runs its function in a
	// new goroutine only if ctx is cancelled before stop is called.
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		p.mu.Lock()
		p.cancelling.Add(1)
		setDeadline(time.Unix(1, 0))
		p.mu.Unlock()
		close(fired)
	})
	err := p.retry(ctx, op, call)
	if !stop() {
		// The cancellation ran or is running: wait for it, then clear
		// the deadline it set so the next operation is not affected.
		<-fired
		p.mu.Lock()
		setDeadline(time.Time{})
		p.cancelling.Add(-1)
		p.mu.Unlock()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return ctx.Err()
		}
	}
	return err
}

// retry runs op, and runs it again when it was woken by another
// operation's cancellation rather than by its own context.
func (p *FD) retry(ctx context.Context, op func(func(uintptr) bool) error, call func(uintptr) bool) error {
	for {
		err := op(call)
		if !errors.Is(err, os.ErrDeadlineExceeded) || ctx.Err() != nil || p.cancelling.Load() == 0 {
			return err
		}
		time.Sleep(50 * time.Microsecond) // until the canceller clears its deadline
	}
}
