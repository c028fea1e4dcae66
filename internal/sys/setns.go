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

// Unshare calls unshare(2). It affects the calling thread only; call it from
// internal/thread.
func Unshare(flags int) error { return wrap("unshare", unix.Unshare(flags)) }

// Setns calls setns(2) on the calling thread.
func Setns(fd int, nstype int) error { return wrap("setns", unix.Setns(fd, nstype)) }
