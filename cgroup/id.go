package cgroup

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"syscall"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/sys"
)

// ID is a cgroup v2's 64-bit id: the id of its kernfs node, which is the
// inode number of its directory (st_ino on 64-bit systems; a 32-bit
// st_ino holds only the low half), the 8-byte file handle that
// name_to_handle_at(2) returns for the directory (FILEID_KERNFS), the
// cgroup id of a pidfd's PIDFD_GET_INFO (pidfd.Info.CgroupID), and what
// BPF's bpf_get_current_cgroup_id returns. Ids are not reused while the
// system runs (Linux 5.5; before, 32-bit ids could be).
type ID uint64

// String returns the id in decimal.
func (id ID) String() string { return strconv.FormatUint(uint64(id), 10) }

// MarshalText returns the id in decimal.
func (id ID) MarshalText() ([]byte, error) { return strconv.AppendUint(nil, uint64(id), 10), nil }

// UnmarshalText sets *id from a decimal number.
func (id *ID) UnmarshalText(text []byte) error {
	v, err := strconv.ParseUint(string(text), 10, 64)
	if err != nil {
		return fmt.Errorf("cgroup id %q: %w", text, err)
	}
	*id = ID(v)
	return nil
}

// ID returns the cgroup's id, from name_to_handle_at(2) of its directory
// (Linux 4.13 for cgroupfs file handles). No privilege is needed.
func (c *Cgroup) ID() (ID, error) {
	id, err := dirT(c, "name_to_handle_at", handleID)
	if err != nil {
		return 0, fmt.Errorf("cgroup id %s: %w", c.path, pathError(c.dir, err))
	}
	return id, nil
}

// handleID returns the kernfs id in the file handle of the directory fd.
func handleID(fd int) (ID, error) {
	var buf [abi.MAX_HANDLE_SZ]byte
	typ, n, err := sys.NameToHandleFD(fd, buf[:])
	if err != nil {
		return 0, err
	}
	if typ != abi.FILEID_KERNFS || n != 8 {
		return 0, fmt.Errorf("file handle of type %#x and %d bytes, not a kernfs id: %w", typ, n, errNotCgroupFile)
	}
	return ID(binary.NativeEndian.Uint64(buf[:8])), nil
}

// OpenID opens the cgroup v2 whose id is id. See FS.OpenID.
func OpenID(id ID) (*Cgroup, error) { return Default().OpenID(id) }

// OpenID opens the cgroup whose id is id with open_by_handle_at(2),
// relative to this FS's cgroup2 mount, and finds its path from the
// descriptor (/proc/self/fd). It needs CAP_DAC_READ_SEARCH (an error
// matching fs.ErrPermission without it). An id that names no live cgroup
// gives an error matching fs.ErrNotExist (ESTALE from the kernel), as
// does a cgroup outside the subtree that the mount shows. The returned
// Cgroup is the caller's to Close.
func (fsys FS) OpenID(id ID) (*Cgroup, error) {
	c, err := fsys.openID(id)
	if err != nil {
		return nil, fmt.Errorf("cgroup open id %d: %w", uint64(id), err)
	}
	return c, nil
}

func (fsys FS) openID(id ID) (*Cgroup, error) {
	m, err := fsys.unifiedMount()
	if err != nil {
		return nil, err
	}
	mfd, err := sys.Open(m.Point, sys.O_RDONLY|sys.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	defer mfd.Close()
	if magic, err := sys.FstatfsType(mfd.Int()); err != nil {
		return nil, pathError(m.Point, err)
	} else if magic != sys.CGROUP2_SUPER_MAGIC {
		return nil, fmt.Errorf("%s: %w (filesystem type %#x)", m.Point, errNotCgroupMount, magic)
	}
	var h [8]byte
	binary.NativeEndian.PutUint64(h[:], uint64(id))
	fd, err := sys.OpenByHandleAt(mfd.Int(), abi.FILEID_KERNFS, h[:], sys.O_RDONLY|sys.O_DIRECTORY)
	if err != nil {
		if errors.Is(err, syscall.ESTALE) {
			return nil, &fs.PathError{Op: "open_by_handle_at", Path: m.Point, Err: fmt.Errorf("no cgroup with this id: %w", fs.ErrNotExist)}
		}
		return nil, pathError(m.Point, err)
	}
	var buf [4096]byte
	target, err := sys.Readlinkat(sys.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd.Int()), buf[:])
	if err != nil {
		fd.Close()
		return nil, err
	}
	dir := string(target)
	rel, ok := strings.CutPrefix(dir, m.Point)
	if !ok || (rel != "" && rel[0] != '/') {
		fd.Close()
		return nil, &fs.PathError{Op: "open_by_handle_at", Path: dir, Err: fmt.Errorf("outside the hierarchy mounted at %s: %w", m.Point, fs.ErrNotExist)}
	}
	p := m.Root
	if rel != "" {
		p = strings.TrimSuffix(m.Root, "/") + rel
	}
	return newCgroup(fd, m, p, dir, false), nil
}
