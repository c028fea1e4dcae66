package pipe

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
)

// SpliceOptions modify the splice calls. nil means none.
type SpliceOptions struct {
	// More tells a socket destination that more data follows
	// (SPLICE_F_MORE), as MSG_MORE does for send(2).
	More bool
}

func (o *SpliceOptions) flags() int {
	f := sys.SPLICE_F_MOVE | sys.SPLICE_F_NONBLOCK
	if o != nil && o.More {
		f |= sys.SPLICE_F_MORE
	}
	return f
}

// errFull and errEmpty end a wait on the other side of a splice whose
// EAGAIN came from the pipe: the caller then waits on the pipe.
var (
	errFull  = errors.New("pipe full")
	errEmpty = errors.New("pipe empty")
)

// borrow duplicates the descriptor of c (F_DUPFD_CLOEXEC) into a file of
// its own, registered with the poller when the descriptor is
// non-blocking (a socket from package net, a pipe), so that a splice can
// wait for it with a context without touching c's deadlines. The
// duplicate shares c's open file description: its offset and flags.
func borrow(c syscall.Conn) (*poll.FD, error) {
	if c == nil {
		return nil, fmt.Errorf("nil file: %w", fs.ErrInvalid)
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	var d *sys.FD
	var derr error
	if err := rc.Control(func(fd uintptr) { d, derr = sys.Dup(int(fd)) }); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	return poll.New(d.File("splice peer"))
}

// SpliceTo moves up to n bytes from the pipe to dst (an *os.File, a
// *net.TCPConn, another pipe's Writer: any syscall.Conn) with splice(2),
// without copying them through user space, and returns how many it
// moved: 0 only when the pipe is empty and every write end is closed.
// It waits in the poller, with ctx, while the pipe is empty or dst
// cannot take data. dst is written at its file offset; a file opened
// with O_APPEND is refused by the kernel (EINVAL).
//
// Each call duplicates dst's descriptor to wait on it; [Copy] does that
// once for a whole transfer.
func (r *Reader) SpliceTo(ctx context.Context, dst syscall.Conn, n int, opts *SpliceOptions) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	d, err := borrow(dst)
	if err != nil {
		return 0, fmt.Errorf("pipe splice: %w", err)
	}
	defer d.Close()
	flags := opts.flags()
	for {
		m, err := poll.WriteT(ctx, d, "splice", func(dfd int) (int, error) {
			return poll.ControlT(r.pfd, "splice", func(rfd int) (int, error) {
				m, err := sys.Splice(rfd, dfd, n, flags)
				if err == sys.EAGAIN {
					if ready, perr := sys.PollIn(rfd); perr == nil && !ready {
						return 0, errEmpty
					}
				}
				return m, err
			})
		})
		if err == errEmpty {
			if err := r.pfd.WaitReadable(ctx); err != nil {
				return 0, err
			}
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("pipe splice: %w", err)
		}
		return m, nil
	}
}

// SpliceFrom moves up to n bytes from src (an *os.File, a *net.TCPConn,
// another pipe's Reader) into the pipe with splice(2) and returns how
// many it moved: 0 at the end of src. It waits in the poller, with ctx,
// while src has nothing to read or the pipe is full.
func (w *Writer) SpliceFrom(ctx context.Context, src syscall.Conn, n int, opts *SpliceOptions) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	s, err := borrow(src)
	if err != nil {
		return 0, fmt.Errorf("pipe splice: %w", err)
	}
	defer s.Close()
	flags := opts.flags()
	for {
		m, err := poll.ReadT(ctx, s, "splice", func(sfd int) (int, error) {
			return poll.ControlT(w.pfd, "splice", func(wfd int) (int, error) {
				m, err := sys.Splice(sfd, wfd, n, flags)
				if err == sys.EAGAIN {
					if ready, perr := sys.PollOut(wfd); perr == nil && !ready {
						return 0, errFull
					}
				}
				return m, err
			})
		})
		if err == errFull {
			if err := w.waitWritable(ctx); err != nil {
				return 0, err
			}
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("pipe splice: %w", err)
		}
		return m, nil
	}
}

// waitWritable parks until the pipe has room.
func (w *Writer) waitWritable(ctx context.Context) error {
	_, err := poll.WriteT(ctx, w.pfd, "poll", func(fd int) (struct{}, error) {
		ready, err := sys.PollOut(fd)
		if err == nil && !ready {
			err = sys.EAGAIN
		}
		return struct{}{}, err
	})
	return err
}

// Tee copies up to n bytes from this pipe into the pipe of dst with
// tee(2), without consuming them here and without copying the data:
// both pipes then refer to the same pages. It returns how many bytes it
// copied, 0 when this pipe is empty and its write ends are closed, and
// waits with ctx while this pipe is empty or dst's is full.
func (r *Reader) Tee(ctx context.Context, dst *Writer, n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	for {
		m, err := poll.WriteT(ctx, dst.pfd, "tee", func(wfd int) (int, error) {
			return poll.ControlT(r.pfd, "tee", func(rfd int) (int, error) {
				m, err := sys.Tee(rfd, wfd, n, sys.SPLICE_F_NONBLOCK)
				if err == sys.EAGAIN {
					if ready, perr := sys.PollIn(rfd); perr == nil && !ready {
						return 0, errEmpty
					}
				}
				return m, err
			})
		})
		if err == errEmpty {
			if err := r.pfd.WaitReadable(ctx); err != nil {
				return 0, err
			}
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("pipe tee: %w", err)
		}
		return m, nil
	}
}

// Vmsplice puts all of b into the pipe with vmsplice(2), waiting in the
// poller with ctx while the pipe is full, and returns how much it put
// (less than len(b) only with an error).
//
// The pipe refers to b's pages; it does not copy them. Until the data
// has been consumed at the far end (read, or spliced into a file or a
// socket, which copies it), b must not be modified and must stay
// reachable: a write to b, or the garbage collector reusing b's memory
// for other values, changes what the reader gets. A program that cannot
// keep that promise uses Write, which copies. (lx does not offer
// SPLICE_F_GIFT: it asks the kernel to take the pages over, which Go's
// memory cannot allow.)
func (w *Writer) Vmsplice(ctx context.Context, b []byte) (int, error) {
	done := 0
	for done < len(b) {
		n, err := poll.WriteT(ctx, w.pfd, "vmsplice", func(fd int) (int, error) {
			return sys.Vmsplice(fd, b[done:], sys.SPLICE_F_NONBLOCK)
		})
		done += n
		if err != nil {
			return done, fmt.Errorf("pipe vmsplice: %w", err)
		}
	}
	return done, nil
}
