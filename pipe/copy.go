package pipe

import (
	"context"
	"fmt"
	"io"
	"syscall"

	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
)

// copyPipeSize is the buffer Copy asks for: 1 MiB, the default
// pipe-max-size, moves a large transfer in few system calls. When the
// kernel refuses (a lower limit, a user over pipe-user-pages-soft) Copy
// keeps the default size.
const copyPipeSize = 1 << 20

// Copy moves everything from src to dst until src's end (an *os.File, a
// *net.TCPConn, a *net.UnixConn, a pipe end: any syscall.Conn) through a
// private pipe with splice(2), so the data never enters user space, and
// returns how many bytes it moved. src and dst stay the caller's: Copy
// borrows their descriptors. It is the loop of sendfile(2)
// generalised: file to socket, socket to file, socket to socket.
//
// Copy waits in the poller, with ctx, on the side that is not ready:
// src while there is nothing to read, dst while it cannot take data.
// It does not set or clear deadlines on src or dst: it waits on
// duplicates of their descriptors. A socket or pipe in blocking mode
// (one made blocking by os.File.Fd, or inherited so) blocks the thread
// in splice instead, and ctx cannot interrupt that call. Both are read and written at their
// file offsets, as io.Copy does. A dst opened with O_APPEND is refused
// by the kernel (EINVAL); src and dst of a kind splice cannot handle
// fail with EINVAL as well.
//
// When dst fails after data left src, the bytes in the private pipe are
// lost; the returned count says how many reached dst.
func Copy(ctx context.Context, dst, src syscall.Conn) (int64, error) {
	s, err := borrow(src)
	if err != nil {
		return 0, fmt.Errorf("pipe copy: source: %w", err)
	}
	defer s.Close()
	d, err := borrow(dst)
	if err != nil {
		return 0, fmt.Errorf("pipe copy: destination: %w", err)
	}
	defer d.Close()
	pr, pw, err := sys.Pipe2(sys.O_NONBLOCK)
	if err != nil {
		return 0, fmt.Errorf("pipe copy: %w", err)
	}
	defer pr.Close()
	defer pw.Close()
	size, err := sys.SetPipeSize(pw.Int(), copyPipeSize)
	if err != nil {
		if size, err = sys.PipeSize(pw.Int()); err != nil {
			return 0, fmt.Errorf("pipe copy: %w", err)
		}
	}
	rfd, wfd := pr.Int(), pw.Int()
	const flags = sys.SPLICE_F_MOVE | sys.SPLICE_F_NONBLOCK
	var total int64
	for {
		// The private pipe is empty here, so EAGAIN is src's.
		n, err := poll.ReadT(ctx, s, "splice", func(fd int) (int, error) { return sys.Splice(fd, wfd, size, flags) })
		if err != nil {
			return total, fmt.Errorf("pipe copy: read: %w", err)
		}
		if n == 0 {
			return total, nil
		}
		// The private pipe holds data, so EAGAIN is dst's.
		for n > 0 {
			m, err := poll.WriteT(ctx, d, "splice", func(fd int) (int, error) { return sys.Splice(rfd, fd, n, flags) })
			if err == nil && m == 0 {
				err = io.ErrShortWrite
			}
			if err != nil {
				return total, fmt.Errorf("pipe copy: write: %w", err)
			}
			n -= m
			total += int64(m)
		}
	}
}
