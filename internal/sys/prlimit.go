package sys

import "golang.org/x/sys/unix"

// prlimit(2): another process's resource limits.

// RLIM_INFINITY is the "unlimited" value of a limit (prlimit64's, on
// every architecture).
const RLIM_INFINITY = unix.RLIM_INFINITY

// Prlimit sets the soft and hard limit of resource (RLIMIT_*) of process
// pid (0: the calling process) with prlimit(2) (Linux 2.6.36). Limits are
// per process, shared by its threads. Permission: the caller's real uid
// and gid must equal every uid and gid of pid, or the caller needs
// CAP_SYS_RESOURCE in pid's user namespace; raising a hard limit needs
// CAP_SYS_RESOURCE in the initial one.
func Prlimit(pid, resource int, soft, hard uint64) error {
	lim := unix.Rlimit{Cur: soft, Max: hard}
	return wrap("prlimit", retry(func() error { return unix.Prlimit(pid, resource, &lim, nil) }))
}
