// Package eventfd wraps eventfd(2): a 64-bit counter in the kernel that
// one side adds to and the other reads, the cheapest way to wake a
// goroutine, a thread or another process through a file descriptor (and
// the notification fd that KVM irqfds, cgroup v1 event_control, VFIO,
// io_uring and AIO take).
//
// An [FD] owns a close-on-exec, non-blocking eventfd registered with the
// Go runtime's poller: [FD.Read] and [FD.Add] park the calling goroutine,
// not an OS thread, take a context.Context, and return an error matching
// os.ErrClosed when another goroutine closes the FD. No goroutine outlives
// a call.
//
// Minimum kernel: eventfd2(2) with EFD_CLOEXEC and EFD_NONBLOCK, Linux
// 2.6.27; EFD_SEMAPHORE 2.6.30: older than any kernel Go runs on. No
// privilege is needed. The counter belongs to the open file description:
// every duplicate of the fd (dup(2), SCM_RIGHTS, fork(2) without exec)
// shares it.
package eventfd

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"syscall"

	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
)

// Max is the largest value the counter can hold, 2^64-2. An [FD.Add] that
// would take the counter past it waits for a read to make room.
const Max = 1<<64 - 2

// Mode says what a read takes from the counter.
type Mode uint8

const (
	// Counter: a read returns the whole counter and resets it to zero.
	Counter Mode = iota
	// Semaphore (EFD_SEMAPHORE): a read returns 1 and decrements the
	// counter by one.
	Semaphore
)

// String returns "counter" or "semaphore"; an unknown mode prints as
// "Mode(N)".
func (m Mode) String() string {
	switch m {
	case Counter:
		return "counter"
	case Semaphore:
		return "semaphore"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Options modify New. nil means a counter starting at zero.
type Options struct {
	// Mode is Counter (the zero value) or Semaphore.
	Mode Mode
	// Initial is the counter's starting value (eventfd2's initval is
	// an unsigned int).
	Initial uint32
}

// FD is an eventfd. It is safe for concurrent use.
type FD struct {
	pfd  *poll.FD
	mode Mode
}

// New creates an eventfd (eventfd2(2)), close-on-exec and non-blocking.
// An unknown opts.Mode is an error matching fs.ErrInvalid.
func New(opts *Options) (*FD, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	flags := sys.EFD_NONBLOCK
	switch o.Mode {
	case Counter:
	case Semaphore:
		flags |= sys.EFD_SEMAPHORE
	default:
		return nil, fmt.Errorf("eventfd new: mode %d: %w", o.Mode, fs.ErrInvalid)
	}
	fd, err := sys.Eventfd(uint(o.Initial), flags)
	if err != nil {
		return nil, fmt.Errorf("eventfd new: %w", err)
	}
	pfd, err := poll.New(fd.File("eventfd"))
	if err != nil {
		return nil, fmt.Errorf("eventfd new: %w", err)
	}
	return &FD{pfd: pfd, mode: o.Mode}, nil
}

// Mode returns the mode the FD was created with.
func (f *FD) Mode() Mode { return f.mode }

// Read waits until the counter is not zero and takes from it: in Counter
// mode the whole value (the counter drops to zero), in Semaphore mode 1
// (the counter drops by one). It waits in the poller: ctx cancels the
// wait (the error is ctx.Err()), and Close ends it with an error matching
// os.ErrClosed. Nothing is taken from the counter when Read fails.
func (f *FD) Read(ctx context.Context) (uint64, error) {
	// The file's own read through the poller allocates nothing (see
	// poll.FD.Read); an eventfd read is all 8 bytes or an error.
	var b [8]byte
	if _, err := f.pfd.Read(ctx, b[:]); err != nil {
		return 0, fmt.Errorf("eventfd read: %w", err)
	}
	return binary.NativeEndian.Uint64(b[:]), nil
}

// Add adds n to the counter and wakes the readers. When the sum would
// exceed Max, Add waits in the poller for a read to make room (the
// kernel's rule for a blocking eventfd), until ctx is done or the FD is
// closed; nothing is added then. n = 2^64-1 is refused before any system
// call with an error matching fs.ErrInvalid (the kernel answers EINVAL).
// Adding 0 changes nothing but wakes readers, which find the counter as
// it was.
func (f *FD) Add(ctx context.Context, n uint64) error {
	if n > Max {
		return fmt.Errorf("eventfd add: %d is larger than the counter's maximum %d: %w", n, uint64(Max), fs.ErrInvalid)
	}
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], n)
	if _, err := f.pfd.Write(ctx, b[:]); err != nil {
		return fmt.Errorf("eventfd add: %w", err)
	}
	return nil
}

// ReadWriter returns the FD as an io.ReadWriter of native-endian 8-byte
// values, the eventfd(2) wire format, for code that wants a stream: each
// Write adds the values in p in turn (as Add does, waiting for room),
// each Read takes up to len(p)/8 values, waiting only for the first (as
// Read does). Buffers must be a multiple of 8 bytes long; others fail
// with an error matching fs.ErrInvalid and transfer nothing. ctx bounds
// every wait of the returned value.
func (f *FD) ReadWriter(ctx context.Context) io.ReadWriter { return &stream{f: f, ctx: ctx} }

// stream is ReadWriter's value.
type stream struct {
	f   *FD
	ctx context.Context
}

// checkLen refuses a buffer that is not whole 8-byte values.
func checkLen(op string, p []byte) error {
	if len(p)%8 != 0 {
		return fmt.Errorf("eventfd %s: buffer of %d bytes is not a multiple of 8: %w", op, len(p), fs.ErrInvalid)
	}
	return nil
}

func (s *stream) Read(p []byte) (int, error) {
	if err := checkLen("read", p); err != nil || len(p) == 0 {
		return 0, err
	}
	v, err := s.f.Read(s.ctx)
	if err != nil {
		return 0, err
	}
	binary.NativeEndian.PutUint64(p, v)
	n := 8
	for ; n < len(p); n += 8 {
		// The first value is in hand: take more only if they are
		// already there.
		v, err := poll.ControlT(s.f.pfd, "read", sys.EventfdRead)
		if errors.Is(err, syscall.EAGAIN) {
			break
		}
		if err != nil {
			return n, fmt.Errorf("eventfd read: %w", err)
		}
		binary.NativeEndian.PutUint64(p[n:], v)
	}
	return n, nil
}

func (s *stream) Write(p []byte) (int, error) {
	if err := checkLen("write", p); err != nil {
		return 0, err
	}
	for n := 0; n < len(p); n += 8 {
		if err := s.f.Add(s.ctx, binary.NativeEndian.Uint64(p[n:])); err != nil {
			return n, err
		}
	}
	return len(p), nil
}

// Close closes the eventfd; blocked Read and Add calls return an error
// matching os.ErrClosed. Close is idempotent.
func (f *FD) Close() error { return f.pfd.Close() }

// SyscallConn returns the raw connection of the eventfd, for handing the
// fd to an interface that takes one (KVM_IRQFD, io_uring_register(2),
// another process over a unix socket). The fd is valid only inside
// Control; do not change its flags.
func (f *FD) SyscallConn() (syscall.RawConn, error) { return f.pfd.File().SyscallConn() }
