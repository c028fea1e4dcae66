// Package mqueue is POSIX message queues (mq_overview(7)) in pure Go,
// without cgo: named queues of discrete messages with priorities that
// unrelated processes open by name, made with the mq_* system calls
// directly (glibc's mq_open, mq_send and friends are thin wrappers).
//
// A [Queue] owns a close-on-exec, non-blocking message queue descriptor
// registered with the Go runtime's poller (a queue descriptor is
// pollable: readable while it holds a message, writable while it has
// room). [Queue.Send] and [Queue.Receive] park the goroutine, not an OS
// thread, while the queue is full or empty, take a context, and are
// woken by Close. Readiness comes from the poller ([Queue.WaitMessage],
// [Queue.WaitSpace]), so lx does not offer mq_notify's signals.
//
// Names: a queue name is one path component of up to 255 bytes (NAME_MAX)
// without '/' or NUL, other than "." and ".."; POSIX's leading '/' is
// accepted and dropped ("/jobs" and "jobs" are the same queue). The rest
// is kept byte for byte. Queues live in the IPC namespace of the calling
// process, in the kernel's internal mqueue file system (mounted by
// convention on /dev/mqueue); they persist until [Unlink] and the last
// Close.
//
// Limits: /proc/sys/fs/mqueue (see [ReadLimits]) bounds a queue's
// messages and message size for processes without CAP_SYS_RESOURCE;
// RLIMIT_MSGQUEUE bounds the bytes of one user's queues.
//
// Minimum kernel: 2.6.6, built with CONFIG_POSIX_MQUEUE; a kernel without
// it answers ENOSYS, which matches errors.ErrUnsupported. No privilege is
// needed beyond the queue's permission bits.
package mqueue

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
)

// Priority is a message's priority: 0 (lowest) to MaxPriority. Receive
// takes the oldest message of the highest priority.
type Priority uint32

// MaxPriority is the highest priority Linux accepts (MQ_PRIO_MAX - 1).
const MaxPriority Priority = abi.MQ_PRIO_MAX - 1

// Access is how a queue is opened.
type Access uint8

// The access modes. The zero value is ReadWrite.
const (
	ReadWrite Access = iota // O_RDWR: send and receive
	ReadOnly                // O_RDONLY: receive only
	WriteOnly               // O_WRONLY: send only
)

// String returns the open(2) flag name: "O_RDWR".
func (a Access) String() string {
	switch a {
	case ReadWrite:
		return "O_RDWR"
	case ReadOnly:
		return "O_RDONLY"
	case WriteOnly:
		return "O_WRONLY"
	}
	return fmt.Sprintf("Access(%d)", uint8(a))
}

func (a Access) flags() (int, error) {
	switch a {
	case ReadWrite:
		return sys.O_RDWR, nil
	case ReadOnly:
		return sys.O_RDONLY, nil
	case WriteOnly:
		return sys.O_WRONLY, nil
	}
	return 0, fmt.Errorf("access %v: %w", a, fs.ErrInvalid)
}

// Hard limits of the kernel (ipc/mqueue.c HARD_MSGMAX and
// HARD_MSGSIZEMAX, Linux 3.5): not even CAP_SYS_RESOURCE goes beyond.
const (
	hardMaxMessages = 65536
	hardMessageSize = 16 << 20
	nameMax         = 255
)

// CheckName reports whether name is a valid queue name (see the package
// comment), with or without its leading '/', and returns it without.
func CheckName(name string) (string, error) {
	n := strings.TrimPrefix(name, "/")
	switch {
	case n == "":
		return "", fmt.Errorf("queue name %q: empty: %w", name, fs.ErrInvalid)
	case len(n) > nameMax:
		return "", fmt.Errorf("queue name %q: longer than %d bytes: %w", name, nameMax, fs.ErrInvalid)
	case strings.ContainsAny(n, "/\x00"):
		return "", fmt.Errorf("queue name %q: holds '/' or NUL: %w", name, fs.ErrInvalid)
	case n == "." || n == "..":
		return "", fmt.Errorf("queue name %q: %w", name, fs.ErrInvalid)
	}
	return n, nil
}

// Queue is an open message queue descriptor. It is safe for concurrent
// use.
type Queue struct {
	pfd     *poll.FD
	name    string
	msgsize int
}

// OpenOptions modify Open. nil means ReadWrite.
type OpenOptions struct {
	Access Access
}

// Open opens the existing queue name (mq_open(2)). A queue that does not
// exist is ENOENT (fs.ErrNotExist); one whose permission bits refuse the
// access EACCES (fs.ErrPermission). The caller owns the Queue and closes
// it.
func Open(name string, opts *OpenOptions) (*Queue, error) {
	if opts == nil {
		opts = &OpenOptions{}
	}
	n, err := CheckName(name)
	if err != nil {
		return nil, fmt.Errorf("mqueue open: %w", err)
	}
	flags, err := opts.Access.flags()
	if err != nil {
		return nil, fmt.Errorf("mqueue open %s: %w", n, err)
	}
	q, err := open(n, flags, 0, nil)
	if err != nil {
		return nil, fmt.Errorf("mqueue open %s: %w", n, err)
	}
	return q, nil
}

// CreateOptions modify New. nil means a ReadWrite queue with mode 0600
// and the system's default sizes.
type CreateOptions struct {
	Access Access
	// Mode holds the queue's permission bits (0600 if 0), reduced by
	// the umask. Only permission bits are allowed.
	Mode fs.FileMode
	// MaxMessages is how many messages the queue holds (mq_maxmsg), 1
	// to /proc/sys/fs/mqueue/msg_max (65536 with CAP_SYS_RESOURCE); 0
	// takes msg_default.
	MaxMessages int
	// MessageSize is the largest message in bytes (mq_msgsize), 1 to
	// msgsize_max (16 MiB with CAP_SYS_RESOURCE); 0 takes
	// msgsize_default.
	MessageSize int
	// Exclusive fails with EEXIST (fs.ErrExist) if the queue exists
	// (O_EXCL); otherwise an existing queue is opened as it is, and the
	// sizes asked for are ignored.
	Exclusive bool
}

// New creates the queue name (mq_open(2) with O_CREAT), or opens it if
// it exists and opts.Exclusive is not set. Sizes out of range are
// fs.ErrInvalid before any system call; sizes within the hard limits
// but above the system's are EINVAL from the kernel, and the error then
// names /proc/sys/fs/mqueue's values. The caller owns the Queue.
func New(name string, opts *CreateOptions) (*Queue, error) {
	if opts == nil {
		opts = &CreateOptions{}
	}
	n, err := CheckName(name)
	if err != nil {
		return nil, fmt.Errorf("mqueue create: %w", err)
	}
	q, err := create(n, opts)
	if err != nil {
		return nil, fmt.Errorf("mqueue create %s: %w", n, err)
	}
	return q, nil
}

func create(name string, opts *CreateOptions) (*Queue, error) {
	flags, err := opts.Access.flags()
	if err != nil {
		return nil, err
	}
	flags |= sys.O_CREAT
	if opts.Exclusive {
		flags |= sys.O_EXCL
	}
	if opts.Mode&^fs.ModePerm != 0 {
		return nil, fmt.Errorf("mode %v: only permission bits: %w", opts.Mode, fs.ErrInvalid)
	}
	mode := uint32(opts.Mode)
	if mode == 0 {
		mode = 0o600
	}
	if opts.MaxMessages < 0 || opts.MaxMessages > hardMaxMessages {
		return nil, fmt.Errorf("MaxMessages %d out of range 1..%d: %w", opts.MaxMessages, hardMaxMessages, fs.ErrInvalid)
	}
	if opts.MessageSize < 0 || opts.MessageSize > hardMessageSize {
		return nil, fmt.Errorf("MessageSize %d out of range 1..%d: %w", opts.MessageSize, hardMessageSize, fs.ErrInvalid)
	}
	var attr *abi.MqAttr
	if opts.MaxMessages != 0 || opts.MessageSize != 0 {
		// The kernel takes both sizes or neither: fill the one not
		// given with the system's default.
		a := abi.MqAttr{Maxmsg: opts.MaxMessages, Msgsize: opts.MessageSize}
		if a.Maxmsg == 0 || a.Msgsize == 0 {
			l, err := ReadLimits()
			if err != nil {
				return nil, err
			}
			if a.Maxmsg == 0 {
				a.Maxmsg = min(l.DefaultMessages, l.MaxMessages)
			}
			if a.Msgsize == 0 {
				a.Msgsize = min(l.DefaultMessageSize, l.MaxMessageSize)
			}
		}
		attr = &a
	}
	q, err := open(name, flags, mode, attr)
	if err != nil && attr != nil && sys.Errno(err) == sys.EINVAL {
		if l, lerr := ReadLimits(); lerr == nil {
			return nil, fmt.Errorf("%w (asked for %d messages of %d bytes; /proc/sys/fs/mqueue allows msg_max %d, msgsize_max %d without CAP_SYS_RESOURCE)",
				err, attr.Maxmsg, attr.Msgsize, l.MaxMessages, l.MaxMessageSize)
		}
	}
	return q, err
}

func open(name string, flags int, mode uint32, attr *abi.MqAttr) (*Queue, error) {
	fd, err := sys.MqOpen(name, flags|sys.O_NONBLOCK, mode, attr)
	if err != nil {
		return nil, explain(err)
	}
	a, err := sys.MqGetattr(fd.Int())
	if err != nil {
		fd.Close()
		return nil, err
	}
	pfd, err := poll.New(fd.File("/" + name))
	if err != nil {
		return nil, err
	}
	return &Queue{pfd: pfd, name: name, msgsize: a.Msgsize}, nil
}

// FromFile adopts f, a message queue descriptor received from elsewhere
// (inherited, or passed over a unix socket), and takes ownership: f is
// closed, even on error. Its open file description is made non-blocking,
// which other holders of the same description see too. A descriptor that
// is not a message queue is EBADF. The Queue's Name is empty: the kernel
// does not say what a queue descriptor was opened as.
func FromFile(f *os.File) (*Queue, error) {
	if f == nil {
		return nil, fmt.Errorf("mqueue from file: nil file: %w", fs.ErrInvalid)
	}
	defer f.Close()
	var fd *sys.FD
	err := sys.Control(f, func(raw int) error {
		if _, err := sys.MqGetattr(raw); err != nil {
			return err
		}
		var err error
		fd, err = sys.Dup(raw)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mqueue from file %s: %w", f.Name(), err)
	}
	if err := sys.SetNonblock(fd.Int()); err != nil {
		fd.Close()
		return nil, fmt.Errorf("mqueue from file %s: %w", f.Name(), err)
	}
	a, err := sys.MqGetattr(fd.Int())
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("mqueue from file %s: %w", f.Name(), err)
	}
	pfd, err := poll.New(fd.File(f.Name()))
	if err != nil {
		return nil, fmt.Errorf("mqueue from file %s: %w", f.Name(), err)
	}
	return &Queue{pfd: pfd, msgsize: a.Msgsize}, nil
}

// explain adds the limit behind an mq_open error where one is.
func explain(err error) error {
	switch sys.Errno(err) {
	case sys.ENOSPC:
		if l, lerr := ReadLimits(); lerr == nil {
			return fmt.Errorf("%w (the IPC namespace has /proc/sys/fs/mqueue/queues_max %d queues)", err, l.MaxQueues)
		}
	case sys.EMFILE:
		return fmt.Errorf("%w (open files, or the user's queues would exceed RLIMIT_MSGQUEUE)", err)
	case sys.ENOSYS:
		return fmt.Errorf("%w (kernel built without CONFIG_POSIX_MQUEUE)", err)
	}
	return err
}

// Unlink removes the queue name (mq_unlink(2)). Open descriptors keep
// working; the queue is freed when the last is closed. A missing queue
// is ENOENT (fs.ErrNotExist).
func Unlink(name string) error {
	n, err := CheckName(name)
	if err != nil {
		return fmt.Errorf("mqueue unlink: %w", err)
	}
	if err := sys.MqUnlink(n); err != nil {
		return fmt.Errorf("mqueue unlink %s: %w", n, err)
	}
	return nil
}

// Name returns the queue's name, without the leading '/'; empty for a
// queue adopted with FromFile.
func (q *Queue) Name() string { return q.name }

// label names the queue in errors: "/name", or the adopted file's name.
func (q *Queue) label() string { return q.pfd.File().Name() }

// Close closes the descriptor, waking blocked calls, which return an
// error matching os.ErrClosed. It is idempotent. The queue itself stays
// until Unlink.
func (q *Queue) Close() error { return q.pfd.Close() }

// SyscallConn returns the raw connection of the queue descriptor.
func (q *Queue) SyscallConn() (syscall.RawConn, error) { return q.pfd.File().SyscallConn() }

// Send queues msg with priority prio (mq_timedsend(2)), waiting in the
// poller while the queue is full. A message longer than the queue's
// message size is EMSGSIZE; a queue opened ReadOnly EBADF.
func (q *Queue) Send(ctx context.Context, msg []byte, prio Priority) error {
	if prio > MaxPriority {
		return fmt.Errorf("mqueue send %s: priority %d out of range 0..%d: %w", q.label(), prio, MaxPriority, fs.ErrInvalid)
	}
	if len(msg) > q.msgsize {
		return fmt.Errorf("mqueue send %s: message of %d bytes, the queue's limit is %d: %w", q.label(), len(msg), q.msgsize, syscall.EMSGSIZE)
	}
	_, err := poll.WriteT(ctx, q.pfd, "mq_timedsend", func(fd int) (struct{}, error) {
		return struct{}{}, sys.MqSend(fd, msg, uint32(prio))
	})
	if err != nil {
		return q.opErr("send", ctx, err)
	}
	return nil
}

// Receive takes the oldest message of the highest priority into buf
// (mq_timedreceive(2)), waiting in the poller while the queue is empty,
// and returns it (a slice of buf) and its priority. buf must hold the
// queue's message size ([Attr].MessageSize), else EMSGSIZE.
func (q *Queue) Receive(ctx context.Context, buf []byte) ([]byte, Priority, error) {
	if len(buf) < q.msgsize {
		return nil, 0, fmt.Errorf("mqueue receive %s: buffer of %d bytes, the queue's message size is %d: %w", q.label(), len(buf), q.msgsize, syscall.EMSGSIZE)
	}
	type msg struct {
		n    int
		prio uint32
	}
	m, err := poll.ReadT(ctx, q.pfd, "mq_timedreceive", func(fd int) (msg, error) {
		n, prio, err := sys.MqReceive(fd, buf)
		return msg{n, prio}, err
	})
	if err != nil {
		return nil, 0, q.opErr("receive", ctx, err)
	}
	return buf[:m.n], Priority(m.prio), nil
}

// opErr adds context to an error of a waiting call, except a context's
// own error and os.ErrClosed, which are returned as they are.
func (q *Queue) opErr(op string, ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return err
	}
	return fmt.Errorf("mqueue %s %s: %w", op, q.label(), err)
}

// WaitMessage waits in the poller until the queue holds a message,
// without taking it: the poller's replacement for mq_notify(3). Another
// receiver may take the message first.
func (q *Queue) WaitMessage(ctx context.Context) error {
	if err := q.pfd.WaitReadable(ctx); err != nil {
		return q.opErr("wait", ctx, err)
	}
	return nil
}

// WaitSpace waits in the poller until the queue has room for a message.
func (q *Queue) WaitSpace(ctx context.Context) error {
	_, err := poll.WriteT(ctx, q.pfd, "poll", func(fd int) (struct{}, error) {
		ready, err := sys.PollOut(fd)
		if err == nil && !ready {
			err = sys.EAGAIN
		}
		return struct{}{}, err
	})
	if err != nil {
		return q.opErr("wait", ctx, err)
	}
	return nil
}

// Attr are a queue's attributes (struct mq_attr).
type Attr struct {
	MaxMessages int // mq_maxmsg: how many messages it holds
	MessageSize int // mq_msgsize: the largest message, in bytes
	Messages    int // mq_curmsgs: messages queued now
}

// Attr returns the queue's attributes (mq_getsetattr(2)). lx has no
// setter: mq_setattr can change only O_NONBLOCK, which lx keeps set for
// the poller (a blocking call is one with a context).
func (q *Queue) Attr() (Attr, error) {
	a, err := poll.ControlT(q.pfd, "mq_getsetattr", sys.MqGetattr)
	if err != nil {
		return Attr{}, fmt.Errorf("mqueue attributes %s: %w", q.label(), err)
	}
	return Attr{MaxMessages: a.Maxmsg, MessageSize: a.Msgsize, Messages: a.Curmsgs}, nil
}
