// Package inotify watches files and directories for changes with the
// kernel's inotify interface (inotify(7), inotify_init1(2),
// inotify_add_watch(2), inotify_rm_watch(2)).
//
// A [Watcher] owns one inotify instance: a close-on-exec, non-blocking
// descriptor registered with the Go runtime's poller, so a goroutine
// waiting in [Watcher.Read] or [Watcher.Events] parks instead of holding
// an OS thread, and a context or [Watcher.Close] ends the wait. No
// goroutine is started.
//
// Events carry the watched path, the entry's name as the exact bytes the
// kernel reported (any byte but NUL and '/'), and a cookie that joins the
// two halves of a rename ([MovePairer]). A full kernel queue is reported
// as [ErrOverflow]; a removed watch as an event with [Ignored].
//
// Minimum kernel: 2.6.27 (inotify_init1); IN_EXCL_UNLINK needs 2.6.36 and
// IN_MASK_CREATE 4.18. No privilege is needed: a watch needs read
// permission on the watched object. Each user may have at most
// max_user_instances instances and max_user_watches watches, and each
// instance queues at most max_queued_events events ([UserLimits]).
//
// inotify is not recursive: watching a directory reports events for its
// entries, not for its subdirectories' entries. It reports what processes
// of this machine do through the filesystem: not changes made by other
// machines on a network filesystem, nor the changing contents of /proc
// and /sys files, which the kernel produces when they are read.
package inotify

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"syscall"

	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
)

// bufSize is the size of a Watcher's read buffer: room for about a
// thousand events with short names per read(2). It must be at least
// sizeof(struct inotify_event) + NAME_MAX + 1, or the kernel refuses a
// read whose first event does not fit.
const bufSize = 32 << 10

// Watch identifies one watch of a Watcher: the kernel's watch descriptor.
// Adding a path whose inode is already watched returns the same Watch.
type Watch int32

// String returns the watch descriptor as a decimal number.
func (w Watch) String() string { return strconv.FormatInt(int64(w), 10) }

// Watcher is an inotify instance. Add, Remove, Path and Close may be
// called from any goroutine; Read calls are serialized with each other.
type Watcher struct {
	pfd *poll.FD

	mu    sync.RWMutex
	paths map[Watch]string // as given to Add, until the watch's Ignored event

	rmu      sync.Mutex // guards the read buffer
	buf      []byte
	off, end int // unread events are buf[off:end]
}

// New creates an inotify instance (inotify_init1(2) with IN_CLOEXEC and
// IN_NONBLOCK). It fails with EMFILE when the user has max_user_instances
// instances already. The Watcher owns the descriptor until Close.
func New() (*Watcher, error) {
	fd, err := sys.InotifyInit()
	if err != nil {
		return nil, fmt.Errorf("inotify new: %w", err)
	}
	pfd, err := poll.New(fd.File("inotify"))
	if err != nil {
		return nil, fmt.Errorf("inotify new: %w", err)
	}
	w := &Watcher{pfd: pfd, paths: make(map[Watch]string), buf: make([]byte, bufSize)}
	return w, nil
}

// Add watches path for the events in mask (inotify_add_watch(2)) and
// returns the watch. mask holds at least one event and any of the flags
// OnlyDir, DontFollow, ExclUnlink, MaskCreate, MaskAdd and Oneshot.
//
// A watch belongs to the inode path names when Add runs, not to the
// path: renaming the file keeps the watch, and adding another path to the
// same inode (a hard link) returns the same Watch, whose mask is replaced
// (or extended with MaskAdd, or refused with EEXIST under MaskCreate).
// Events of that watch then carry the path of the latest Add.
//
// Errors: ENOENT (no such path), EACCES (no read permission), ENOTDIR
// (OnlyDir on a non-directory), EEXIST (MaskCreate on a watched inode),
// ENOSPC (max_user_watches reached), EINVAL (no event in mask, or both
// MaskAdd and MaskCreate).
func (w *Watcher) Add(path string, mask Mask) (Watch, error) {
	wd, err := poll.ControlT(w.pfd, "inotify_add_watch", func(fd int) (int, error) {
		return sys.InotifyAddWatch(fd, path, uint32(mask))
	})
	if err != nil {
		return -1, fmt.Errorf("inotify add %s: %w", mask, err)
	}
	w.mu.Lock()
	w.paths[Watch(wd)] = path
	w.mu.Unlock()
	return Watch(wd), nil
}

// Remove removes a watch (inotify_rm_watch(2)). The kernel then queues an
// event with Ignored for it, after any events of the watch still queued;
// until Read returns that event, those events still carry the watch's
// path. Removing a watch that no longer exists fails with EINVAL.
func (w *Watcher) Remove(watch Watch) error {
	_, err := poll.ControlT(w.pfd, "inotify_rm_watch", func(fd int) (struct{}, error) {
		return struct{}{}, sys.InotifyRmWatch(fd, int(watch))
	})
	if err != nil {
		return fmt.Errorf("inotify remove watch %d: %w", watch, err)
	}
	return nil
}

// Path returns the path the watch was added with, and whether the watch
// is known: a watch is forgotten when Read returns its Ignored event.
func (w *Watcher) Path(watch Watch) (string, bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	p, ok := w.paths[watch]
	return p, ok
}

// Close closes the instance, which removes every watch. A Read blocked in
// another goroutine, and every later one, returns an error matching
// os.ErrClosed; events read from the kernel but not yet returned are
// dropped. Close is idempotent.
func (w *Watcher) Close() error {
	err := w.pfd.Close()
	w.rmu.Lock()
	w.off, w.end = 0, 0
	w.rmu.Unlock()
	return err
}

// SyscallConn returns the raw connection of the inotify descriptor, for
// calls lx does not wrap (FIONREAD, reading /proc/self/fdinfo). Do not
// change its flags or read events from it: Read's buffer would lose its
// place.
func (w *Watcher) SyscallConn() (syscall.RawConn, error) { return w.pfd.File().SyscallConn() }

// ErrOverflow is returned by Read (and yielded by Events) where the kernel
// queued IN_Q_OVERFLOW: more than max_queued_events events were waiting,
// and the newer ones were dropped. The events before and after the
// overflow are still delivered; a program that keeps a picture of the
// watched tree must rebuild it.
var ErrOverflow = errors.New("inotify: event queue overflowed, events were lost")
