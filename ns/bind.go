package ns

import (
	"fmt"
	"strconv"

	"github.com/lxgo/lx/internal/sys"
)

// BindMount keeps h's namespace alive beyond the handle and every process
// in it, as ip-netns(8) does under /run/netns: it bind-mounts the nsfs file
// onto target, an existing file (mount(2) MS_BIND of
// /proc/thread-self/fd/N). Open(target) opens the namespace again later;
// Unmount(target) releases it.
//
// The mount is made in the calling thread's mount namespace: the
// process's, unless called inside Do with a mount namespace, and it
// propagates like any mount made there. A mount namespace can be bound
// only into an older mount namespace than itself (the kernel refuses
// others with EINVAL, to prevent reference loops).
//
// Privilege: CAP_SYS_ADMIN in the user namespace owning the calling
// thread's mount namespace.
func (h *Handle) BindMount(target string) error {
	err := h.control("mount", func(fd int) error {
		return sys.Mount("/proc/thread-self/fd/"+strconv.Itoa(fd), target, "", sys.MS_BIND, "")
	})
	if err != nil {
		return fmt.Errorf("ns bind mount %s: %w", h.name(), err)
	}
	return nil
}

// Unmount detaches the mount at target (umount2(2) with MNT_DETACH), such
// as a namespace bind mount made by BindMount; the namespace ends when
// nothing else refers to it. It acts in the calling thread's mount
// namespace. Privilege: CAP_SYS_ADMIN in the user namespace owning it.
func Unmount(target string) error {
	if err := sys.Unmount(target, sys.MNT_DETACH); err != nil {
		return fmt.Errorf("ns unmount: %w", err)
	}
	return nil
}
