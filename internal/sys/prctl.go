package sys

import "golang.org/x/sys/unix"

// prctl(2).

// CapbsetRead calls prctl(PR_CAPBSET_READ, c) (Linux 2.6.25): whether
// capability c is in the calling thread's bounding set. For a
// capability the kernel does not know (above its CAP_LAST_CAP) the
// kernel answers EINVAL, so the call also tells which capabilities the
// kernel has. It needs no privilege.
func CapbsetRead(c int) (bool, error) {
	r, err := retry1(func() (int, error) { return unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(c), 0, 0, 0) })
	if err != nil {
		return false, wrap("prctl PR_CAPBSET_READ", err)
	}
	return r == 1, nil
}

// SetNoNewPrivs sets the calling thread's no_new_privs flag
// (prctl(PR_SET_NO_NEW_PRIVS), Linux 3.5): from then on execve(2) grants
// no privilege (set-user-ID bits and file capabilities are ignored) to
// the thread or to anything it starts. The flag cannot be cleared and is
// inherited by children over fork(2), clone(2) and execve(2). Per thread:
// call it from internal/thread, tainted.
func SetNoNewPrivs() error {
	return wrap("prctl PR_SET_NO_NEW_PRIVS", unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
}

// GetTHPDisable calls prctl(PR_GET_THP_DISABLE) (Linux 3.15): whether
// transparent huge pages are disabled for the calling process.
func GetTHPDisable() (bool, error) {
	r, err := retry1(func() (int, error) { return unix.PrctlRetInt(unix.PR_GET_THP_DISABLE, 0, 0, 0, 0) })
	if err != nil {
		return false, wrap("prctl PR_GET_THP_DISABLE", err)
	}
	return r != 0, nil
}

// SetTHPDisable calls prctl(PR_SET_THP_DISABLE, v) (Linux 3.15) with v 1
// (disable) or 0 (allow). The flag belongs to the process's memory
// descriptor: every thread shares it, fork(2) copies it and execve(2)
// keeps it.
func SetTHPDisable(v int) error {
	return wrap("prctl PR_SET_THP_DISABLE", unix.Prctl(unix.PR_SET_THP_DISABLE, uintptr(v), 0, 0, 0))
}
