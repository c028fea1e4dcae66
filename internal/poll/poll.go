// Package poll bridges a raw, non-blocking file descriptor and the Go
// runtime's network poller, in the pattern of mdlayher/socket: the fd lives
// in an *os.File (registered with the poller because it is O_NONBLOCK), and
// every operation goes through its syscall.RawConn, so a goroutine waiting
// for readiness parks instead of blocking an OS thread.
//
// Operations are the typed helpers ReadT, WriteT and ControlT, and Read and
// Write for plain read(2) and write(2) of a buffer: the caller's
// closure makes the system call on the raw fd and returns its result and
// error; for ReadT and WriteT, EAGAIN (which is EWOULDBLOCK on Linux) means
// "not ready": the goroutine parks until the fd is ready and the closure
// runs again. A fd-kind package (eventfd, timerfd, signalfd, inotify, ...)
// therefore writes one closure per operation:
//
//	n, err := poll.ReadT(ctx, p, "read", func(fd int) (uint64, error) {
//		var b [8]byte
//		_, err := sys.Read(fd, b[:])
//		return binary.NativeEndian.Uint64(b[:]), err
//	})
//
// Context cancellation is mapped onto deadlines: when ctx is done, the
// file's read (or write) deadline is moved into the past, which wakes the
// waiter, and the operation returns ctx.Err(). No goroutine is started
// unless ctx is actually cancelled (context.AfterFunc), and none outlives
// the call. A past deadline wakes every operation waiting in that
// direction, not only the cancelled one; the others notice that the
// deadline was not theirs and wait again. Close wakes every blocked
// operation, which then returns an error matching os.ErrClosed.
//
// Allocations: none of the operations allocates anything of its own
// (ReadT's and WriteT's state comes from a pool); a closure the caller
// makes per call is the caller's allocation. A cancellable context costs a context.AfterFunc registration per
// operation, unless it is the FD's watched context (Watch), registered
// once for a loop.
//
// Because cancellation works through the file's deadlines, callers must
// not set deadlines on File() themselves while operations with
// cancellable contexts run: the cancellation clears them.
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
	f      *os.File
	rc     syscall.RawConn
	closed atomic.Bool

	// sysfd is f's descriptor, for ControlT, which holds ctl for reading
	// while it uses it: Close takes ctl for writing before closing f, so
	// the number cannot be reused under a running ControlT. A RawConn's
	// Control would do the same at the cost of allocating the closure
	// it takes.
	sysfd int
	ctl   sync.RWMutex

	// rd and wd track the past deadlines that cancelled contexts set, for
	// reads and for writes.
	rd, wd canceller

	// watched is the Done channel of the context Watch registered, if
	// any: operations under it skip their own registration.
	watched atomic.Pointer[watch]
}

// watch is one Watch registration.
type watch struct{ done <-chan struct{} }

// canceller manages the past deadlines set on behalf of cancelled
// contexts in one direction. The past deadline stays in force until every
// cancellation that set it has finished; operations woken by it whose own
// context is not done wait for that, then retry.
type canceller struct {
	set func(time.Time) error // SetReadDeadline or SetWriteDeadline

	// gen changes (under mu) whenever a cancellation sets or clears the
	// deadline, so an operation can tell that a deadline error it got
	// may have come from a cancellation that is already over.
	gen atomic.Uint64

	mu      sync.Mutex
	pending int           // cancellations whose past deadline is in force
	cleared chan struct{} // closed when pending drops back to 0
}

// cancel moves the deadline into the past, waking waiters.
func (c *canceller) cancel() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == 0 {
		c.cleared = make(chan struct{})
	}
	c.pending++
	c.gen.Add(1)
	c.set(time.Unix(1, 0)) // an error means the file is closed: nothing to wake
}

// finish ends one cancellation; the last one clears the deadline.
func (c *canceller) finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending--
	if c.pending == 0 {
		c.set(time.Time{})
		c.gen.Add(1)
		close(c.cleared)
		c.cleared = nil
	}
}

// foreign reports whether a deadline error seen by an operation that
// started at generation gen may have come from a cancellation, so that the
// operation must retry; wait, if not nil, is closed when the past deadline
// is gone and the retry can proceed.
func (c *canceller) foreign(gen uint64) (retry bool, wait <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending > 0 {
		return true, c.cleared
	}
	return c.gen.Load() != gen, nil
}

// New takes ownership of f, which must have been created O_NONBLOCK so that
// os.NewFile registered it with the poller.
func New(f *os.File) (*FD, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	p := &FD{f: f, rc: rc, sysfd: -1}
	if err := rc.Control(func(fd uintptr) { p.sysfd = int(fd) }); err != nil {
		f.Close()
		return nil, err
	}
	p.rd.set, p.wd.set = f.SetReadDeadline, f.SetWriteDeadline
	return p, nil
}

// File returns the underlying file. It stays owned by the FD: do not close
// it (use Close), set deadlines on it, or call its Fd method, which would
// make it blocking.
func (p *FD) File() *os.File { return p.f }

// Close closes the file, waking blocked operations, which return an error
// matching os.ErrClosed. It is idempotent.
func (p *FD) Close() error {
	p.closed.Store(true)
	p.ctl.Lock()
	err := p.f.Close()
	p.ctl.Unlock()
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

// ReadT runs fn with the raw fd until it is done and returns its result.
// When fn's error is EAGAIN (or EWOULDBLOCK), ReadT parks until the fd is
// readable, ctx is done or the FD is closed, then calls fn again; an EINTR
// from fn is retried at once. A bare syscall.Errno from fn is returned as
// *os.SyscallError named op; any other error (already an *os.SyscallError
// or *fs.PathError, or one fn made itself) is returned unchanged. When ctx
// ends first ReadT returns ctx.Err(), and after Close an error matching
// os.ErrClosed; fn is not called after either.
func ReadT[T any](ctx context.Context, p *FD, op string, fn func(fd int) (T, error)) (T, error) {
	return rwT(ctx, p, &p.rd, false, op, fn)
}

// WriteT is ReadT for calls that wait for the fd to become writable.
func WriteT[T any](ctx context.Context, p *FD, op string, fn func(fd int) (T, error)) (T, error) {
	return rwT(ctx, p, &p.wd, true, op, fn)
}

// ControlT runs fn once with the raw fd, for calls that never wait (ioctl,
// fstat, waitid with WNOHANG): an EAGAIN from fn is returned like any other
// error. The fd is valid only during fn. Errors are wrapped as by ReadT;
// after Close ControlT returns an error matching os.ErrClosed without
// calling fn. It allocates nothing of its own.
func ControlT[T any](p *FD, op string, fn func(fd int) (T, error)) (T, error) {
	p.ctl.RLock()
	defer p.ctl.RUnlock()
	if p.closed.Load() {
		var zero T
		return zero, &os.PathError{Op: op, Path: p.f.Name(), Err: os.ErrClosed}
	}
	t, err := fn(p.sysfd)
	return t, wrapErr(op, err)
}

// Read reads into b with read(2) through the file, parking in the poller
// while the fd is not readable, until data comes, ctx is done or the FD is
// closed, with ReadT's errors (an error of the read itself is an
// *os.PathError, and a read of 0 bytes is io.EOF, as os.File.Read has
// them). It is the allocation-free way to read a fixed-size record (an
// eventfd count, an inotify batch): it allocates nothing when ctx cannot
// be cancelled (ctx.Done() is nil) or is the FD's watched context (Watch);
// another cancellable ctx costs a context.AfterFunc registration.
func (p *FD) Read(ctx context.Context, b []byte) (int, error) {
	var n int
	err := p.io(ctx, &p.rd, "read", func() error {
		var err error
		n, err = p.f.Read(b)
		return err
	})
	return n, err
}

// Write is Read for write(2): it parks while the fd is not writable and
// writes all of b, as os.File.Write does.
func (p *FD) Write(ctx context.Context, b []byte) (int, error) {
	var n int
	err := p.io(ctx, &p.wd, "write", func() error {
		var err error
		n, err = p.f.Write(b)
		return err
	})
	return n, err
}

// Watch registers ctx's cancellation with the FD once, for a loop of
// operations under one context (a serving loop): until stop is called,
// ReadT, WriteT, Read and Write under ctx, or under any context with the
// same Done channel (its context.WithValue children), skip their own
// registration, so that each costs no allocation for it. When ctx is done
// the waiting operations return ctx.Err(), as without Watch. One context
// is watched at a time: a second Watch replaces the first for this
// purpose (the first still cancels its operations, with a registration of
// their own). stop must be called, once, before ctx's operations are over.
func (p *FD) Watch(ctx context.Context) (stop func()) {
	done := ctx.Done()
	if done == nil {
		return func() {}
	}
	w := &watch{done: done}
	fired := make(chan struct{})
	stopAfter := context.AfterFunc(ctx, func() {
		p.rd.cancel()
		p.wd.cancel()
		close(fired)
	})
	p.watched.Store(w)
	return func() {
		p.watched.CompareAndSwap(w, nil)
		if !stopAfter() {
			<-fired
			p.rd.finish()
			p.wd.finish()
		}
	}
}

// isWatched reports whether done is the watched context's channel.
func (p *FD) isWatched(done <-chan struct{}) bool {
	w := p.watched.Load()
	return w != nil && w.done == done
}

// rwT is ReadT and WriteT: the poller's wait for one direction around fn.
// Its state comes from a pool, with the callback the RawConn takes bound
// to it once, so that an operation allocates nothing of its own.
func rwT[T any](ctx context.Context, p *FD, c *canceller, write bool, op string, fn func(fd int) (T, error)) (T, error) {
	st, pool := getState[T]()
	st.fn = fn
	perr := p.io(ctx, c, op, func() error {
		if write {
			return p.rc.Write(st.call)
		}
		return p.rc.Read(st.call)
	})
	t, err := st.t, st.err
	*st = rwState[T]{call: st.call}
	pool.Put(st)
	if perr != nil {
		var zero T
		return zero, perr
	}
	return t, wrapErr(op, err)
}

// rwState is one ReadT or WriteT: the caller's function and its results.
type rwState[T any] struct {
	fn   func(fd int) (T, error)
	t    T
	err  error
	call func(uintptr) bool // st.run, bound once
}

// run calls fn, again on EINTR; it reports whether the fd was ready.
func (st *rwState[T]) run(fd uintptr) bool {
	for {
		st.t, st.err = st.fn(int(fd))
		if !errors.Is(st.err, syscall.EINTR) {
			return !errors.Is(st.err, syscall.EAGAIN)
		}
	}
}

// rwPools holds a *sync.Pool of *rwState[T] for each T, keyed by the
// typed nil pointer (*rwState[T])(nil).
var rwPools sync.Map

// getState returns an rwState[T] and the pool it goes back to.
func getState[T any]() (*rwState[T], *sync.Pool) {
	key := any((*rwState[T])(nil))
	v, ok := rwPools.Load(key)
	if !ok {
		v, _ = rwPools.LoadOrStore(key, &sync.Pool{New: func() any {
			st := new(rwState[T])
			st.call = st.run
			return st
		}})
	}
	pool := v.(*sync.Pool)
	return pool.Get().(*rwState[T]), pool
}

// wrapErr names a bare errno after op; other errors pass unchanged.
func wrapErr(op string, err error) error {
	if errno, ok := err.(syscall.Errno); ok {
		return os.NewSyscallError(op, errno)
	}
	return err
}

// WaitReadable parks until the fd is readable. It does not consume
// anything: readiness is confirmed with poll(2), so a level that was already
// reported earlier (the poller is edge-triggered) is still seen.
func (p *FD) WaitReadable(ctx context.Context) error {
	_, err := ReadT(ctx, p, "poll", func(fd int) (struct{}, error) {
		ready, err := sys.PollIn(fd)
		if err == nil && !ready {
			err = syscall.EAGAIN
		}
		return struct{}{}, err
	})
	return err
}

// Readable reports, without waiting, whether the fd is readable now.
func (p *FD) Readable() (bool, error) { return ControlT(p, "poll", sys.PollIn) }

// io runs try, the poller's wait for one direction (a RawConn method or an
// os.File read or write), until it is done, ctx ends or the FD is closed.
func (p *FD) io(ctx context.Context, c *canceller, name string, try func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if done := ctx.Done(); done == nil || p.isWatched(done) {
		return p.closedErr(name, p.wait(ctx, c, try))
	}
	// Wake the waiter when ctx is done. AfterFunc runs its function (in
	// a new goroutine) only if ctx ends before stop is called.
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		c.cancel()
		close(fired)
	})
	err := p.wait(ctx, c, try)
	if !stop() {
		// The cancellation ran or is running: let it finish, then
		// withdraw its deadline so later operations are not affected.
		<-fired
		c.finish()
	}
	return p.closedErr(name, err)
}

// wait runs try until it succeeds or fails for a reason of its own: a
// deadline error caused by another operation's cancellation is retried,
// once that cancellation has withdrawn its deadline.
func (p *FD) wait(ctx context.Context, c *canceller, try func() error) error {
	for {
		gen := c.gen.Load()
		err := try()
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		retry, cleared := c.foreign(gen)
		if !retry {
			return err // a deadline set on File() by its user
		}
		if cleared != nil {
			select {
			case <-cleared:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

// closedErr turns the runtime poller's "use of closed file" into an error
// matching os.ErrClosed, as os.File's own methods do.
func (p *FD) closedErr(op string, err error) error {
	if err != nil && p.closed.Load() && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return &os.PathError{Op: op, Path: p.f.Name(), Err: os.ErrClosed}
	}
	return err
}
