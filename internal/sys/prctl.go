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
