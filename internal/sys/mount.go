package sys

import "golang.org/x/sys/unix"

// mount(2) and umount2(2): the classic mount calls. They act in the
// calling thread's mount namespace.

// mount(2) flags and umount2(2) flags.
const (
	MS_BIND         = unix.MS_BIND
	MS_REC          = unix.MS_REC
	MS_PRIVATE      = unix.MS_PRIVATE
	MNT_DETACH      = unix.MNT_DETACH
	UMOUNT_NOFOLLOW = unix.UMOUNT_NOFOLLOW
)

// Mount calls mount(2). Errors are *fs.PathError naming target.
func Mount(source, target, fstype string, flags uintptr, data string) error {
	return wrapPath("mount", target, retry(func() error { return unix.Mount(source, target, fstype, flags, data) }))
}

// Unmount calls umount2(2). Errors are *fs.PathError naming target.
func Unmount(target string, flags int) error {
	return wrapPath("umount2", target, retry(func() error { return unix.Unmount(target, flags) }))
}
