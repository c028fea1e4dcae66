package sys

import (
	"errors"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// The nsfs ioctls (ioctl_ns(2), include/uapi/linux/nsfs.h) on a namespace
// file descriptor, with their probes. Each probe opens one of the calling
// thread's namespaces through /proc/thread-self/ns (Linux 3.17), makes the
// ioctl and closes every fd it got.

// NSFS_MAGIC is the statfs(2) f_type of nsfs, the filesystem every
// namespace file (/proc/PID/ns/*, and a bind mount of one) lives on.
const NSFS_MAGIC = unix.NSFS_MAGIC

// The nsfs ioctl requests.
const (
	NS_GET_USERNS    IoctlReq = unix.NS_GET_USERNS    // fd of the owning user namespace (4.9)
	NS_GET_PARENT    IoctlReq = unix.NS_GET_PARENT    // fd of the parent pid or user namespace (4.9)
	NS_GET_NSTYPE    IoctlReq = unix.NS_GET_NSTYPE    // the CLONE_NEW* type, as the return value (4.11)
	NS_GET_OWNER_UID IoctlReq = unix.NS_GET_OWNER_UID // a user namespace's creator, *uid_t (4.11)
	NS_GET_MNTNS_ID  IoctlReq = unix.NS_GET_MNTNS_ID  // a mount namespace's 64-bit id, *__u64 (6.8)
)

// NS_MNT_GET_INFO, NS_MNT_GET_NEXT and NS_MNT_GET_PREV (Linux 6.12) take a
// struct mnt_ns_info; x/sys v0.50.0 lacks them.
var (
	NS_MNT_GET_INFO = IOR(abi.NSIO, 10, uint32(unsafe.Sizeof(abi.MntNsInfo{})))
	NS_MNT_GET_NEXT = IOR(abi.NSIO, 11, uint32(unsafe.Sizeof(abi.MntNsInfo{})))
	NS_MNT_GET_PREV = IOR(abi.NSIO, 12, uint32(unsafe.Sizeof(abi.MntNsInfo{})))
)

// NsGetRelated issues NS_GET_USERNS or NS_GET_PARENT, which return a new
// nsfs fd (O_CLOEXEC, opened by the kernel) for the related namespace.
func NsGetRelated(fd int, req IoctlReq) (*FD, error) {
	nfd, err := Ioctl(fd, req, 0)
	if err != nil {
		return nil, err
	}
	return NewFD(nfd), nil
}

// NsGetNstype issues NS_GET_NSTYPE and returns the namespace's CLONE_NEW*
// flag.
func NsGetNstype(fd int) (int, error) { return Ioctl(fd, NS_GET_NSTYPE, 0) }

// NsGetOwnerUID issues NS_GET_OWNER_UID on a user namespace: the uid of
// its creator, in the caller's user namespace (the overflow uid, 65534,
// when it has no mapping there).
func NsGetOwnerUID(fd int) (uint32, error) {
	var uid uint32
	_, err := IoctlPtr(fd, NS_GET_OWNER_UID, unsafe.Pointer(&uid))
	return uid, err
}

// NsGetMntnsID issues NS_GET_MNTNS_ID on a mount namespace.
func NsGetMntnsID(fd int) (uint64, error) {
	var id uint64
	_, err := IoctlPtr(fd, NS_GET_MNTNS_ID, unsafe.Pointer(&id))
	return id, err
}

// NsMntGetInfo issues NS_MNT_GET_INFO on a mount namespace.
func NsMntGetInfo(fd int) (abi.MntNsInfo, error) {
	var info abi.MntNsInfo
	_, err := IoctlPtr(fd, NS_MNT_GET_INFO, unsafe.Pointer(&info))
	return info, err
}

// NsMntGetNeighbour issues NS_MNT_GET_NEXT or NS_MNT_GET_PREV on a mount
// namespace: a new nsfs fd (O_CLOEXEC) for the next (previous) mount
// namespace in id order over whose owning user namespace the caller has
// CAP_SYS_ADMIN, and its information. ENOENT means there is none.
func NsMntGetNeighbour(fd int, req IoctlReq) (*FD, abi.MntNsInfo, error) {
	var info abi.MntNsInfo
	nfd, err := IoctlPtr(fd, req, unsafe.Pointer(&info))
	if err != nil {
		return nil, info, err
	}
	return NewFD(nfd), info, nil
}

// withOwnNamespace opens the calling thread's namespace of kind name
// ("mnt", "user", ...) and runs fn on it.
func withOwnNamespace(name string, fn func(fd int) error) error {
	path := "/proc/thread-self/ns/" + name
	fd, err := retry1(func() (int, error) { return unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0) })
	if err != nil {
		return wrapPath("open", path, err)
	}
	defer unix.Close(fd)
	return fn(fd)
}

// closeRelated closes the fd a successful NsGetRelated returned.
func closeRelated(fd *FD, err error) error {
	if err != nil {
		return err
	}
	return fd.Close()
}

// ProbeNsGetUserns asks for the owner of the calling thread's network
// namespace with NS_GET_USERNS (Linux 4.9). When that owner is outside
// the caller's user namespace (a process in a new user namespace that kept
// its network namespace), a kernel with the ioctl says EPERM: that answer
// proves the ioctl exists, so it counts as success. A kernel without it
// says ENOTTY.
func ProbeNsGetUserns() error {
	return withOwnNamespace("net", func(fd int) error {
		return existsIfEPERM(closeRelated(NsGetRelated(fd, NS_GET_USERNS)))
	})
}

// existsIfEPERM turns EPERM, the answer of an nsfs ioctl that exists but
// refuses to show a namespace outside the caller's view, into nil.
func existsIfEPERM(err error) error {
	if Errno(err) == unix.EPERM {
		return nil
	}
	return err
}

// ProbeNsGetParent asks for the parent of the calling thread's user
// namespace with NS_GET_PARENT (Linux 4.9). In the initial user namespace,
// or in a namespace whose parent the caller cannot see, a kernel with the
// ioctl says EPERM, which counts as success as for ProbeNsGetUserns.
func ProbeNsGetParent() error {
	return withOwnNamespace("user", func(fd int) error {
		return existsIfEPERM(closeRelated(NsGetRelated(fd, NS_GET_PARENT)))
	})
}

// ProbeNsGetNstype asks for the type of the calling thread's network
// namespace with NS_GET_NSTYPE (Linux 4.11) and checks the answer.
func ProbeNsGetNstype() error {
	return withOwnNamespace("net", func(fd int) error {
		t, err := NsGetNstype(fd)
		if err == nil && t != unix.CLONE_NEWNET {
			return errors.New("NS_GET_NSTYPE of a network namespace is not CLONE_NEWNET")
		}
		return err
	})
}

// ProbeNsGetOwnerUID reads the creator of the calling thread's user
// namespace with NS_GET_OWNER_UID (Linux 4.11).
func ProbeNsGetOwnerUID() error {
	return withOwnNamespace("user", func(fd int) error {
		_, err := NsGetOwnerUID(fd)
		return err
	})
}

// ProbeNsGetMntnsID reads the id of the calling thread's mount namespace
// with NS_GET_MNTNS_ID (Linux 6.8).
func ProbeNsGetMntnsID() error {
	return withOwnNamespace("mnt", func(fd int) error {
		_, err := NsGetMntnsID(fd)
		return err
	})
}

// ProbeNsMntGetInfo reads the calling thread's mount namespace with
// NS_MNT_GET_INFO (Linux 6.12, with NS_MNT_GET_NEXT and NS_MNT_GET_PREV)
// and checks that the kernel filled the struct.
func ProbeNsMntGetInfo() error {
	return withOwnNamespace("mnt", func(fd int) error {
		info, err := NsMntGetInfo(fd)
		if err == nil && info.Size < unix.MNT_NS_INFO_SIZE_VER0 {
			return errors.New("NS_MNT_GET_INFO filled less than struct mnt_ns_info")
		}
		return err
	})
}
