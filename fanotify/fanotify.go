// Package fanotify monitors filesystem events with the kernel's fanotify
// interface (fanotify(7), fanotify_init(2), fanotify_mark(2)): on single
// files and directories, on whole mounts and filesystems, and on the
// mounts of a mount namespace, with permission events that let a program
// allow or deny an open or a read before it happens.
//
// A [Group] owns one fanotify group: a close-on-exec, non-blocking
// descriptor registered with the Go runtime's poller, so [Group.Read] and
// [Group.Events] park the goroutine and end with the context or
// [Group.Close]. No goroutine is started.
//
// Events carry, depending on the group's [InitFlags], an open descriptor
// of the object ([Event.File]), or file handles and names ([FileID],
// [Event.Name]), the process's pidfd ([Event.PidFD]), a filesystem error,
// the range of a pre-content access, or a mount id. An event owns its
// descriptors: close it ([Event.Close]) when done, after answering a
// permission event with [Group.Respond]. Events that are never closed
// leak their descriptors until the garbage collector finds them.
//
// Minimum kernel: 2.6.37 (fanotify); file ids 5.1, directory ids and
// names 5.9, pidfds 5.15, FAN_RENAME 5.17, pre-content events, mount
// namespace marks and errnos in denials 6.14; each constant names its
// own. Privilege: CAP_SYS_ADMIN, except that since 5.13 any user may
// create a notification group that reports file ids and put inode marks
// on files it can read. Each user may have max_user_groups groups and
// max_user_marks marks, and a group queues max_queued_events events
// (/proc/sys/fs/fanotify).
package fanotify

import (
	"errors"
	"fmt"
	"sync"
	"syscall"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
)

// Events are read into arenas of arenaSize bytes, one read(2) after the
// other, and keep pointing into them (handles), so an arena is never
// reused: a new one is allocated when less than minRead bytes are left.
// minRead is more than the largest event (the metadata, three file ids
// with handles of up to 128 bytes and names of up to 255, and the small
// records), which the kernel refuses to split.
const (
	arenaSize = 64 << 10
	minRead   = 4 << 10
)

// Options configure New. The zero value (or nil) is a Notif group that
// reports each event with a read-only descriptor of its object.
type Options struct {
	Class Class
	Flags InitFlags
	// FileFlags are the open flags of the descriptors events carry.
	FileFlags FileFlags
}

// Group is a fanotify group. Marks and Respond may be used from any
// goroutine; Read calls are serialized with each other.
type Group struct {
	pfd   *poll.FD
	flags InitFlags

	rmu      sync.Mutex // guards the fields below
	arena    []byte     // events are read into arena[free:]
	free     int
	slab     []byte // the current batch, in an arena
	off, end int    // unread events are slab[off:end]
}

// New creates a fanotify group (fanotify_init(2) with FAN_CLOEXEC and
// FAN_NONBLOCK). Errors: EPERM without CAP_SYS_ADMIN for anything but a
// Notif group that reports file ids (ReportFID or ReportDirFID, 5.13);
// EINVAL for a combination the kernel does not know or accept (ReportFID
// with a permission class, ReportName without ReportDirFID); EMFILE past
// max_user_groups.
func New(opts *Options) (*Group, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	fd, err := sys.FanotifyInit(uint(o.Class)|uint(o.Flags), uint(o.FileFlags))
	if sys.Errno(err) == sys.ENOSYS {
		err = feature.FanotifyFID.Unsupported(err) // a kernel without CONFIG_FANOTIFY
	}
	if err != nil {
		return nil, fmt.Errorf("fanotify new (%s, %s): %w", o.Class, o.Flags, err)
	}
	pfd, err := poll.New(fd.File("fanotify"))
	if err != nil {
		return nil, fmt.Errorf("fanotify new: %w", err)
	}
	g := &Group{pfd: pfd, flags: o.Flags}
	return g, nil
}

// MarkOptions modify AddMark and RemoveMark. nil means an inode mark
// without flags.
type MarkOptions struct {
	Type  MarkType
	Flags MarkFlags
}

// AddMark adds the events in mask to the mark on path
// (fanotify_mark(2) with FAN_MARK_ADD), creating it. opts says what the
// mark is on (the inode, its mount, its filesystem, a mount namespace)
// and whether mask is an ignore mask.
//
// Errors: ENOENT (no path), EACCES (no read permission), EPERM (a mount,
// filesystem or mount namespace mark without CAP_SYS_ADMIN), EINVAL
// (permission events in a Notif group, file-id events in a group without
// file ids or on a mount mark), EOPNOTSUPP (pre-content events on a
// filesystem that does not support them, or file ids on one that cannot
// encode them), ENOSPC (max_user_marks), EXDEV.
func (g *Group) AddMark(path string, mask Mask, opts *MarkOptions) error {
	return g.mark(sys.FAN_MARK_ADD, "add", path, nil, mask, opts)
}

// RemoveMark removes the events in mask from the mark on path
// (FAN_MARK_REMOVE); the mark goes when its mask is empty. ENOENT when
// there is no such mark.
func (g *Group) RemoveMark(path string, mask Mask, opts *MarkOptions) error {
	return g.mark(sys.FAN_MARK_REMOVE, "remove", path, nil, mask, opts)
}

// AddMarkFile is AddMark on the object f is open on (an O_PATH
// descriptor will do; for MountNS, an nsfs file such as /proc/PID/ns/mnt).
// f is borrowed: it may be closed after the call.
func (g *Group) AddMarkFile(f syscall.Conn, mask Mask, opts *MarkOptions) error {
	return g.mark(sys.FAN_MARK_ADD, "add", "", f, mask, opts)
}

// RemoveMarkFile is RemoveMark on the object f is open on.
func (g *Group) RemoveMarkFile(f syscall.Conn, mask Mask, opts *MarkOptions) error {
	return g.mark(sys.FAN_MARK_REMOVE, "remove", "", f, mask, opts)
}

// FlushMarks removes every mark of type t (FAN_MARK_FLUSH).
func (g *Group) FlushMarks(t MarkType) error {
	_, err := poll.ControlT(g.pfd, "fanotify_mark", func(fd int) (struct{}, error) {
		return struct{}{}, sys.FanotifyMark(fd, sys.FAN_MARK_FLUSH|uint(t), 0, sys.AT_FDCWD, "")
	})
	if err != nil {
		return fmt.Errorf("fanotify flush %s marks: %w", t, err)
	}
	return nil
}

// mark is fanotify_mark(2) on path (relative to the working directory)
// or, when f is not nil, on the object f refers to.
func (g *Group) mark(cmd uint, verb, path string, f sys.SyscallConner, mask Mask, opts *MarkOptions) error {
	var o MarkOptions
	if opts != nil {
		o = *opts
	}
	flags := cmd | uint(o.Type) | uint(o.Flags)
	_, err := poll.ControlT(g.pfd, "fanotify_mark", func(fd int) (struct{}, error) {
		if f == nil {
			return struct{}{}, sys.FanotifyMark(fd, flags, uint64(mask), sys.AT_FDCWD, path)
		}
		return struct{}{}, sys.Control(f, func(dirfd int) error {
			return sys.FanotifyMark(fd, flags, uint64(mask), dirfd, "")
		})
	})
	if err != nil {
		return fmt.Errorf("fanotify %s %s mark %s: %w", verb, o.Type, mask, err)
	}
	return nil
}

// Close closes the group: its marks go, permission events it has not
// answered are allowed, and a Read blocked in another goroutine returns an
// error matching os.ErrClosed. The descriptors of events read from the
// kernel but not yet returned by Read are closed; those of returned events
// stay the caller's. Close is idempotent.
func (g *Group) Close() error {
	err := g.pfd.Close()
	g.rmu.Lock()
	defer g.rmu.Unlock()
	for g.off < g.end {
		n := closeRawFDs(g.slab[g.off:g.end])
		if n == 0 {
			break
		}
		g.off += n
	}
	g.off, g.end, g.slab = 0, 0, nil
	return err
}

// SyscallConn returns the raw connection of the group's descriptor, for
// calls lx does not wrap. Do not read events from it or change its flags.
func (g *Group) SyscallConn() (syscall.RawConn, error) { return g.pfd.File().SyscallConn() }

// ErrOverflow is returned by Read (and yielded by Events) where the kernel
// queued FAN_Q_OVERFLOW: more than max_queued_events events were waiting
// and newer ones were dropped (a group with UnlimitedQueue never
// overflows).
var ErrOverflow = errors.New("fanotify: event queue overflowed, events were lost")
