package sys

import (
	"golang.org/x/sys/unix"
)

// inotify_init1(2), inotify_add_watch(2), inotify_rm_watch(2), and read(2)
// of an inotify instance.

// inotify(7) event and watch flags re-exported for package inotify, which
// may not import x/sys (include/uapi/linux/inotify.h).
const (
	IN_ACCESS        = unix.IN_ACCESS
	IN_MODIFY        = unix.IN_MODIFY
	IN_ATTRIB        = unix.IN_ATTRIB
	IN_CLOSE_WRITE   = unix.IN_CLOSE_WRITE
	IN_CLOSE_NOWRITE = unix.IN_CLOSE_NOWRITE
	IN_OPEN          = unix.IN_OPEN
	IN_MOVED_FROM    = unix.IN_MOVED_FROM
	IN_MOVED_TO      = unix.IN_MOVED_TO
	IN_CREATE        = unix.IN_CREATE
	IN_DELETE        = unix.IN_DELETE
	IN_DELETE_SELF   = unix.IN_DELETE_SELF
	IN_MOVE_SELF     = unix.IN_MOVE_SELF
	IN_UNMOUNT       = unix.IN_UNMOUNT
	IN_Q_OVERFLOW    = unix.IN_Q_OVERFLOW
	IN_IGNORED       = unix.IN_IGNORED
	IN_ONLYDIR       = unix.IN_ONLYDIR
	IN_DONT_FOLLOW   = unix.IN_DONT_FOLLOW
	IN_EXCL_UNLINK   = unix.IN_EXCL_UNLINK
	IN_MASK_CREATE   = unix.IN_MASK_CREATE
	IN_MASK_ADD      = unix.IN_MASK_ADD
	IN_ISDIR         = unix.IN_ISDIR
	IN_ONESHOT       = unix.IN_ONESHOT
	IN_ALL_EVENTS    = unix.IN_ALL_EVENTS

	// SizeofInotifyEvent is the fixed part of struct inotify_event.
	SizeofInotifyEvent = unix.SizeofInotifyEvent
)

// InotifyInit creates an inotify instance with inotify_init1(2),
// close-on-exec and non-blocking, ready for the poller.
func InotifyInit() (*FD, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, wrap("inotify_init1", err)
	}
	return NewFD(fd), nil
}

// InotifyAddWatch adds or changes the watch of path with
// inotify_add_watch(2) and returns its watch descriptor.
func InotifyAddWatch(fd int, path string, mask uint32) (int, error) {
	wd, err := retry1(func() (int, error) { return unix.InotifyAddWatch(fd, path, mask) })
	if err != nil {
		return -1, wrapPath("inotify_add_watch", path, err)
	}
	return wd, nil
}

// InotifyRmWatch removes watch wd with inotify_rm_watch(2).
func InotifyRmWatch(fd, wd int) error {
	_, err := unix.InotifyRmWatch(fd, uint32(wd))
	return wrap("inotify_rm_watch", err)
}
