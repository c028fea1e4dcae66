package sys

import "golang.org/x/sys/unix"

// The new mount API: open_tree(2) and mount_setattr(2) (Linux 5.2 and
// 5.12), as far as lx uses it: cloning a mount into a detached tree and
// changing its attributes, idmapping in particular.

// open_tree(2) and mount_setattr(2) flags and mount attributes.
const (
	OPEN_TREE_CLONE   = unix.OPEN_TREE_CLONE   // a detached copy of the mount, not the mount itself
	OPEN_TREE_CLOEXEC = unix.OPEN_TREE_CLOEXEC // = O_CLOEXEC
	AT_RECURSIVE      = unix.AT_RECURSIVE      // the whole subtree
	AT_EMPTY_PATH     = unix.AT_EMPTY_PATH
	MOUNT_ATTR_IDMAP  = unix.MOUNT_ATTR_IDMAP // idmapped mount (5.12); UsernsFD names the mapping
	MOUNT_ATTR_RDONLY = unix.MOUNT_ATTR_RDONLY
)

// MountAttr is struct mount_attr, the attributes mount_setattr(2) sets and
// clears.
type MountAttr struct {
	Set, Clear  uint64 // MOUNT_ATTR_* to set and to clear
	Propagation uint64 // MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE or 0
	UsernsFD    uint64 // with MOUNT_ATTR_IDMAP: a user namespace fd
}

// OpenTree calls open_tree(2) with OPEN_TREE_CLOEXEC added and returns the
// new fd: an O_PATH fd for path, or with OPEN_TREE_CLONE a detached mount
// tree, which the kernel unmounts when the last fd to it is closed.
func OpenTree(dirfd int, path string, flags uint) (*FD, error) {
	fd, err := retry1(func() (int, error) { return unix.OpenTree(dirfd, path, flags|unix.OPEN_TREE_CLOEXEC) })
	if err != nil {
		return nil, wrapPath("open_tree", path, err)
	}
	return NewFD(fd), nil
}

// MountSetattr calls mount_setattr(2) on the mount at path relative to
// dirfd (AT_EMPTY_PATH and "" for dirfd itself).
func MountSetattr(dirfd int, path string, flags uint, attr MountAttr) error {
	ka := unix.MountAttr{Attr_set: attr.Set, Attr_clr: attr.Clear, Propagation: attr.Propagation, Userns_fd: attr.UsernsFD}
	return wrapPath("mount_setattr", path, retry(func() error { return unix.MountSetattr(dirfd, path, flags, &ka) }))
}
