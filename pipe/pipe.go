// Package pipe wraps Linux pipes (pipe(7)) with what os.Pipe leaves out:
// a chosen buffer size (F_SETPIPE_SZ), packet mode (O_DIRECT), the number
// of bytes waiting (FIONREAD), and the zero-copy calls that move data
// through a pipe's buffer: splice(2), tee(2) and vmsplice(2), with
// [Copy], a splice loop between files and sockets.
//
// Both ends of a pipe made by [New] are close-on-exec and non-blocking,
// registered with the Go runtime's poller: a blocked Read, Write or
// splice parks the goroutine, not an OS thread, takes a context, and is
// woken by Close. A program that hands an end to a child process that
// expects a blocking pipe uses os.Pipe instead.
//
// Minimum kernel: pipe2 2.6.27, splice 2.6.17, tee and vmsplice 2.6.17,
// F_SETPIPE_SZ 2.6.35, packet mode 3.4. No privilege is needed, except
// CAP_SYS_RESOURCE for a buffer beyond /proc/sys/fs/pipe-max-size or once
// the user's pipes hold more than /proc/sys/fs/pipe-user-pages-hard.
package pipe

import (
	"context"
	"fmt"
	"io/fs"
	"syscall"

	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
)

// Options modify New. nil means a pipe of the kernel's default size
// (16 pages) in byte-stream mode.
type Options struct {
	// Size is the buffer size to ask for in bytes (F_SETPIPE_SZ); the
	// kernel rounds it up to a power of two pages. 0 keeps the default.
	// Beyond /proc/sys/fs/pipe-max-size (1 MiB by default) it needs
	// CAP_SYS_RESOURCE.
	Size int
	// Packet makes the pipe carry packets (O_DIRECT, Linux 3.4): each
	// write of up to PIPE_BUF (4096) bytes is one packet, and each read
	// returns at most one packet, discarding what does not fit.
	Packet bool
}

// New creates a pipe and returns its read and write ends. Both belong to
// the caller, who closes them.
func New(opts *Options) (*Reader, *Writer, error) {
	if opts == nil {
		opts = &Options{}
	}
	if opts.Size != 0 {
		if err := checkSize(opts.Size); err != nil {
			return nil, nil, fmt.Errorf("pipe create: %w", err)
		}
	}
	flags := sys.O_NONBLOCK
	if opts.Packet {
		flags |= sys.O_DIRECT
	}
	rfd, wfd, err := sys.Pipe2(flags)
	if err != nil {
		return nil, nil, fmt.Errorf("pipe create: %w", err)
	}
	if opts.Size != 0 {
		if _, err := setSize(rfd.Int(), opts.Size); err != nil {
			rfd.Close()
			wfd.Close()
			return nil, nil, fmt.Errorf("pipe create: %w", err)
		}
	}
	r, err := poll.New(rfd.File("pipe"))
	if err != nil {
		wfd.Close()
		return nil, nil, fmt.Errorf("pipe create: %w", err)
	}
	w, err := poll.New(wfd.File("pipe"))
	if err != nil {
		r.Close()
		return nil, nil, fmt.Errorf("pipe create: %w", err)
	}
	return &Reader{end{r}}, &Writer{end{w}}, nil
}

// end is what both ends of a pipe share.
type end struct{ pfd *poll.FD }

// Close closes this end, waking its blocked calls, which return an error
// matching os.ErrClosed. It is idempotent. Closing the last write end
// makes reads return io.EOF; closing the last read end makes writes fail
// with EPIPE (the Go runtime ignores SIGPIPE on descriptors other than
// standard output and error).
func (e end) Close() error { return e.pfd.Close() }

// SyscallConn returns the raw connection of this end.
func (e end) SyscallConn() (syscall.RawConn, error) { return e.pfd.File().SyscallConn() }

// Size returns the pipe's buffer size in bytes (F_GETPIPE_SZ).
func (e end) Size() (int, error) {
	n, err := poll.ControlT(e.pfd, "fcntl", sys.PipeSize)
	if err != nil {
		return 0, fmt.Errorf("pipe size: %w", err)
	}
	return n, nil
}

// SetSize asks for a buffer of at least n bytes (F_SETPIPE_SZ) and
// returns the size granted, a power of two pages. A size smaller than
// the data in the pipe is EBUSY. Beyond /proc/sys/fs/pipe-max-size, or
// when the user's pipes exceed /proc/sys/fs/pipe-user-pages-hard, an
// unprivileged caller gets EPERM (fs.ErrPermission), and the error names
// the limit.
func (e end) SetSize(n int) (int, error) {
	if err := checkSize(n); err != nil {
		return 0, fmt.Errorf("pipe set size: %w", err)
	}
	got, err := poll.ControlT(e.pfd, "fcntl", func(fd int) (int, error) { return setSize(fd, n) })
	if err != nil {
		return 0, fmt.Errorf("pipe set size: %w", err)
	}
	return got, nil
}

// Buffered returns the number of bytes in the pipe now (FIONREAD).
func (e end) Buffered() (int, error) {
	n, err := poll.ControlT(e.pfd, "ioctl", sys.Fionread)
	if err != nil {
		return 0, fmt.Errorf("pipe buffered: %w", err)
	}
	return n, nil
}

// maxSize is the largest size F_SETPIPE_SZ takes: the kernel refuses
// anything above 2^31 (round_pipe_size).
const maxSize int64 = 1 << 31

func checkSize(n int) error {
	if n <= 0 || int64(n) > maxSize {
		return fmt.Errorf("size %d out of range 1..%d: %w", n, maxSize, fs.ErrInvalid)
	}
	return nil
}

// setSize is F_SETPIPE_SZ with the limit named when the kernel refuses.
func setSize(fd, n int) (int, error) {
	got, err := sys.SetPipeSize(fd, n)
	if err == nil {
		return got, nil
	}
	if sys.Errno(err) == sys.EPERM {
		if l, lerr := ReadLimits(); lerr == nil {
			if n > l.MaxSize {
				return 0, fmt.Errorf("%d bytes: %w (above /proc/sys/fs/pipe-max-size %d; CAP_SYS_RESOURCE lifts it)", n, err, l.MaxSize)
			}
			return 0, fmt.Errorf("%d bytes: %w (the user's pipes are over /proc/sys/fs/pipe-user-pages-hard %d bytes)", n, err, l.UserHard)
		}
	}
	return 0, fmt.Errorf("%d bytes: %w", n, err)
}

// Reader is the read end of a pipe. It is safe for concurrent use.
type Reader struct{ end }

// Read reads into p, waiting in the poller until data arrives; io.EOF
// once the pipe is empty and every write end is closed. It makes Reader
// an io.Reader.
func (r *Reader) Read(p []byte) (int, error) { return r.ReadContext(context.Background(), p) }

// ReadContext is Read with a context.
func (r *Reader) ReadContext(ctx context.Context, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	// The file's own read through the poller allocates nothing (see
	// poll.FD.Read), and returns io.EOF for a read of 0 bytes.
	return r.pfd.Read(ctx, p)
}

// Writer is the write end of a pipe. It is safe for concurrent use, but
// writes longer than PIPE_BUF (4096 bytes) from concurrent goroutines may
// interleave.
type Writer struct{ end }

// Write writes all of p, waiting in the poller while the pipe is full.
// It makes Writer an io.Writer.
func (w *Writer) Write(p []byte) (int, error) { return w.WriteContext(context.Background(), p) }

// WriteContext is Write with a context; on error it returns how much
// was written.
func (w *Writer) WriteContext(ctx context.Context, p []byte) (int, error) {
	// The file's own write through the poller writes all of p and
	// allocates nothing (see poll.FD.Write).
	return w.pfd.Write(ctx, p)
}
