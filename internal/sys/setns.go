package sys

import "golang.org/x/sys/unix"

// unshare(2) and setns(2): moving the calling thread between namespaces.

// Namespace clone flags, for Unshare and Setns.
const (
	CLONE_NEWNS     = unix.CLONE_NEWNS
	CLONE_NEWUTS    = unix.CLONE_NEWUTS
	CLONE_NEWIPC    = unix.CLONE_NEWIPC
	CLONE_NEWUSER   = unix.CLONE_NEWUSER
	CLONE_NEWPID    = unix.CLONE_NEWPID
	CLONE_NEWNET    = unix.CLONE_NEWNET
	CLONE_NEWCGROUP = unix.CLONE_NEWCGROUP
	CLONE_NEWTIME   = unix.CLONE_NEWTIME
	CLONE_FS        = unix.CLONE_FS
	CLONE_FILES     = unix.CLONE_FILES
)

// EUSERS is what setns(2) says for a time namespace when the caller has
// more than one thread.
const EUSERS = unix.EUSERS

// Unshare calls unshare(2). It affects the calling thread only; call it from
// internal/thread.
func Unshare(flags int) error { return wrap("unshare", unix.Unshare(flags)) }

// Setns calls setns(2) on the calling thread. fd is an nsfs fd (nstype 0
// or its CLONE_NEW* flag) or, since Linux 5.8, a pidfd (nstype the
// CLONE_NEW* flags of the namespaces to join, all at once).
func Setns(fd int, nstype int) error { return wrap("setns", unix.Setns(fd, nstype)) }

// ProbeSetnsPidfd checks that setns(2) accepts a pidfd (Linux 5.8) without
// joining anything: it asks to join the calling process's own time
// namespace through a pidfd for the process. A kernel that takes pidfds
// validates the request and refuses it with EUSERS, because a time
// namespace can only be joined by a single-threaded process and a Go
// process never is; nothing is changed. An older kernel says EINVAL (the
// fd is not a namespace file), and so does a kernel built without time
// namespaces (CONFIG_TIME_NS), which this probe therefore reports as
// lacking the feature.
func ProbeSetnsPidfd() error {
	return withSelfPidfd(0, func(fd int) error {
		err := Setns(fd, unix.CLONE_NEWTIME)
		if Errno(err) == unix.EUSERS {
			return nil
		}
		return err
	})
}
