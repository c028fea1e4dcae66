package sys

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// The credential calls: getresuid(2), getresgid(2), setfsuid(2),
// getgroups(2), and their setters. Ids are uint32 (uid_t, gid_t);
// 0xffffffff is (uid_t)-1, "unchanged" for the setters.
//
// The setters are Go's syscall package's, which apply to every thread of
// the process (Go 1.16 and later on Linux: syscall.AllThreadsSyscall
// without cgo, glibc's own all-thread mechanism with cgo), as POSIX
// requires and as the kernel's per-thread credentials do not.

// Getresuid returns the calling thread's real, effective and saved user
// ids. It cannot fail.
func Getresuid() (real, effective, saved uint32) {
	r, e, s := unix.Getresuid()
	return uint32(r), uint32(e), uint32(s)
}

// Getresgid returns the calling thread's real, effective and saved group
// ids. It cannot fail.
func Getresgid() (real, effective, saved uint32) {
	r, e, s := unix.Getresgid()
	return uint32(r), uint32(e), uint32(s)
}

// Getfsuid returns the calling thread's file system user id:
// setfsuid(-1), which changes nothing (-1 is no uid) and returns the
// current one. No privilege is needed.
func Getfsuid() uint32 {
	prev, _ := unix.SetfsuidRetUid(-1)
	return uint32(prev)
}

// Getfsgid returns the calling thread's file system group id, as
// Getfsuid.
func Getfsgid() uint32 {
	prev, _ := unix.SetfsgidRetGid(-1)
	return uint32(prev)
}

// Getgroups returns the calling thread's supplementary groups.
func Getgroups() ([]uint32, error) {
	gids, err := unix.Getgroups()
	if err != nil {
		return nil, wrap("getgroups", err)
	}
	out := make([]uint32, len(gids))
	for i, g := range gids {
		out[i] = uint32(g)
	}
	return out, nil
}

// Setresuid sets the real, effective and saved user ids of every thread.
func Setresuid(real, effective, saved uint32) error {
	return wrap("setresuid", syscall.Setresuid(idArg(real), idArg(effective), idArg(saved)))
}

// Setresgid sets the real, effective and saved group ids of every thread.
func Setresgid(real, effective, saved uint32) error {
	return wrap("setresgid", syscall.Setresgid(idArg(real), idArg(effective), idArg(saved)))
}

// Setgroups sets the supplementary groups of every thread.
func Setgroups(gids []uint32) error {
	in := make([]int, len(gids))
	for i, g := range gids {
		in[i] = idArg(g)
	}
	return wrap("setgroups", syscall.Setgroups(in))
}

// idArg passes an id as the int the syscall package takes: the kernel
// reads the low 32 bits, so (uid_t)-1 stays -1 on every architecture.
func idArg(id uint32) int { return int(int32(id)) }
