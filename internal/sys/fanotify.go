package sys

import "golang.org/x/sys/unix"

// fanotify_init(2), fanotify_mark(2), and read(2) and write(2) of a
// fanotify group.

// fanotify(7) constants re-exported for package fanotify, which may not
// import x/sys (include/uapi/linux/fanotify.h).
const (
	FAN_ACCESS                        = unix.FAN_ACCESS
	FAN_ACCESS_PERM                   = unix.FAN_ACCESS_PERM
	FAN_ALLOW                         = unix.FAN_ALLOW
	FAN_ATTRIB                        = unix.FAN_ATTRIB
	FAN_AUDIT                         = unix.FAN_AUDIT
	FAN_CLASS_CONTENT                 = unix.FAN_CLASS_CONTENT
	FAN_CLASS_NOTIF                   = unix.FAN_CLASS_NOTIF
	FAN_CLASS_PRE_CONTENT             = unix.FAN_CLASS_PRE_CONTENT
	FAN_CLOEXEC                       = unix.FAN_CLOEXEC
	FAN_CLOSE                         = unix.FAN_CLOSE
	FAN_CLOSE_NOWRITE                 = unix.FAN_CLOSE_NOWRITE
	FAN_CLOSE_WRITE                   = unix.FAN_CLOSE_WRITE
	FAN_CREATE                        = unix.FAN_CREATE
	FAN_DELETE                        = unix.FAN_DELETE
	FAN_DELETE_SELF                   = unix.FAN_DELETE_SELF
	FAN_DENY                          = unix.FAN_DENY
	FAN_ENABLE_AUDIT                  = unix.FAN_ENABLE_AUDIT
	FAN_EPIDFD                        = unix.FAN_EPIDFD
	FAN_ERRNO_BITS                    = unix.FAN_ERRNO_BITS
	FAN_ERRNO_MASK                    = unix.FAN_ERRNO_MASK
	FAN_ERRNO_SHIFT                   = unix.FAN_ERRNO_SHIFT
	FAN_EVENT_INFO_TYPE_DFID          = unix.FAN_EVENT_INFO_TYPE_DFID
	FAN_EVENT_INFO_TYPE_DFID_NAME     = unix.FAN_EVENT_INFO_TYPE_DFID_NAME
	FAN_EVENT_INFO_TYPE_ERROR         = unix.FAN_EVENT_INFO_TYPE_ERROR
	FAN_EVENT_INFO_TYPE_FID           = unix.FAN_EVENT_INFO_TYPE_FID
	FAN_EVENT_INFO_TYPE_MNT           = unix.FAN_EVENT_INFO_TYPE_MNT
	FAN_EVENT_INFO_TYPE_NEW_DFID_NAME = unix.FAN_EVENT_INFO_TYPE_NEW_DFID_NAME
	FAN_EVENT_INFO_TYPE_OLD_DFID_NAME = unix.FAN_EVENT_INFO_TYPE_OLD_DFID_NAME
	FAN_EVENT_INFO_TYPE_PIDFD         = unix.FAN_EVENT_INFO_TYPE_PIDFD
	FAN_EVENT_INFO_TYPE_RANGE         = unix.FAN_EVENT_INFO_TYPE_RANGE
	FAN_EVENT_METADATA_LEN            = unix.FAN_EVENT_METADATA_LEN
	FAN_EVENT_ON_CHILD                = unix.FAN_EVENT_ON_CHILD
	FAN_FS_ERROR                      = unix.FAN_FS_ERROR
	FAN_INFO                          = unix.FAN_INFO
	FAN_MARK_ADD                      = unix.FAN_MARK_ADD
	FAN_MARK_DONT_FOLLOW              = unix.FAN_MARK_DONT_FOLLOW
	FAN_MARK_EVICTABLE                = unix.FAN_MARK_EVICTABLE
	FAN_MARK_FILESYSTEM               = unix.FAN_MARK_FILESYSTEM
	FAN_MARK_FLUSH                    = unix.FAN_MARK_FLUSH
	FAN_MARK_IGNORE                   = unix.FAN_MARK_IGNORE
	FAN_MARK_IGNORED_MASK             = unix.FAN_MARK_IGNORED_MASK
	FAN_MARK_IGNORED_SURV_MODIFY      = unix.FAN_MARK_IGNORED_SURV_MODIFY
	FAN_MARK_IGNORE_SURV              = unix.FAN_MARK_IGNORE_SURV
	FAN_MARK_INODE                    = unix.FAN_MARK_INODE
	FAN_MARK_MNTNS                    = unix.FAN_MARK_MNTNS
	FAN_MARK_MOUNT                    = unix.FAN_MARK_MOUNT
	FAN_MARK_ONLYDIR                  = unix.FAN_MARK_ONLYDIR
	FAN_MARK_REMOVE                   = unix.FAN_MARK_REMOVE
	FAN_MNT_ATTACH                    = unix.FAN_MNT_ATTACH
	FAN_MNT_DETACH                    = unix.FAN_MNT_DETACH
	FAN_MODIFY                        = unix.FAN_MODIFY
	FAN_MOVE                          = unix.FAN_MOVE
	FAN_MOVED_FROM                    = unix.FAN_MOVED_FROM
	FAN_MOVED_TO                      = unix.FAN_MOVED_TO
	FAN_MOVE_SELF                     = unix.FAN_MOVE_SELF
	FAN_NOFD                          = unix.FAN_NOFD
	FAN_NONBLOCK                      = unix.FAN_NONBLOCK
	FAN_NOPIDFD                       = unix.FAN_NOPIDFD
	FAN_ONDIR                         = unix.FAN_ONDIR
	FAN_OPEN                          = unix.FAN_OPEN
	FAN_OPEN_EXEC                     = unix.FAN_OPEN_EXEC
	FAN_OPEN_EXEC_PERM                = unix.FAN_OPEN_EXEC_PERM
	FAN_OPEN_PERM                     = unix.FAN_OPEN_PERM
	FAN_PRE_ACCESS                    = unix.FAN_PRE_ACCESS
	FAN_Q_OVERFLOW                    = unix.FAN_Q_OVERFLOW
	FAN_RENAME                        = unix.FAN_RENAME
	FAN_REPORT_DFID_NAME              = unix.FAN_REPORT_DFID_NAME
	FAN_REPORT_DFID_NAME_TARGET       = unix.FAN_REPORT_DFID_NAME_TARGET
	FAN_REPORT_DIR_FID                = unix.FAN_REPORT_DIR_FID
	FAN_REPORT_FD_ERROR               = unix.FAN_REPORT_FD_ERROR
	FAN_REPORT_FID                    = unix.FAN_REPORT_FID
	FAN_REPORT_MNT                    = unix.FAN_REPORT_MNT
	FAN_REPORT_NAME                   = unix.FAN_REPORT_NAME
	FAN_REPORT_PIDFD                  = unix.FAN_REPORT_PIDFD
	FAN_REPORT_TARGET_FID             = unix.FAN_REPORT_TARGET_FID
	FAN_REPORT_TID                    = unix.FAN_REPORT_TID
	FAN_RESPONSE_INFO_AUDIT_RULE      = unix.FAN_RESPONSE_INFO_AUDIT_RULE
	FAN_RESPONSE_INFO_NONE            = unix.FAN_RESPONSE_INFO_NONE
	FAN_UNLIMITED_MARKS               = unix.FAN_UNLIMITED_MARKS
	FAN_UNLIMITED_QUEUE               = unix.FAN_UNLIMITED_QUEUE
)

// FanotifyInit creates a fanotify group with fanotify_init(2). FAN_CLOEXEC
// and FAN_NONBLOCK are added to flags (the group goes to the poller), and
// O_CLOEXEC to eventFFlags (the flags of the descriptors events carry).
func FanotifyInit(flags, eventFFlags uint) (*FD, error) {
	fd, err := retry1(func() (int, error) {
		return unix.FanotifyInit(flags|unix.FAN_CLOEXEC|unix.FAN_NONBLOCK, eventFFlags|unix.O_CLOEXEC)
	})
	if err != nil {
		return nil, wrap("fanotify_init", err)
	}
	return NewFD(fd), nil
}

// FanotifyMark adds, removes or flushes marks with fanotify_mark(2). An
// empty path marks the object dirfd refers to.
func FanotifyMark(fd int, flags uint, mask uint64, dirfd int, path string) error {
	err := retry(func() error { return unix.FanotifyMark(fd, flags, mask, dirfd, path) })
	if err != nil {
		if path != "" {
			return wrapPath("fanotify_mark", path, err)
		}
		return wrap("fanotify_mark", err)
	}
	return nil
}

// ProbeFanotifyFID creates and closes a notification group that reports
// file handles (FAN_REPORT_FID, Linux 5.1), which even an unprivileged
// caller may create since Linux 5.13 (EPERM before).
func ProbeFanotifyFID() error {
	fd, err := FanotifyInit(unix.FAN_CLASS_NOTIF|unix.FAN_REPORT_FID, unix.O_RDONLY)
	if err != nil {
		return err
	}
	return fd.Close()
}
