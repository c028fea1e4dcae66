package ns

import (
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"strconv"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
)

// The NS_GET_* and NS_MNT_GET_* ioctls of ioctl_ns(2) on a Handle. None
// needs privilege beyond holding the handle, except where said; none
// changes any thread's state (each doc says so once more: they only read).

// nsfsError adds the probe's *kernel.FeatureError to err when the kernel
// answered ENOTTY, the answer of a kernel without the ioctl.
func nsfsError(err error, p *feature.Probe) error {
	if sys.Errno(err) == sys.ENOTTY {
		if perr := p.Check(); errors.Is(perr, errors.ErrUnsupported) {
			return perr
		}
	}
	return err
}

// Type returns the kind of namespace h refers to (ioctl_ns(2)
// NS_GET_NSTYPE, Linux 4.11): its base kind, so PID for a handle opened as
// pid_for_children. Older kernels give an error matching
// errors.ErrUnsupported. It only reads; no privilege.
func (h *Handle) Type() (Type, error) {
	flag, err := poll.ControlT(h.pfd, "ioctl", sys.NsGetNstype)
	if err != nil {
		return 0, fmt.Errorf("ns type %s: %w", h.name(), nsfsError(err, feature.NsGetNstype))
	}
	if t := typeOfFlag(CloneFlags(flag)); t != 0 {
		return t, nil
	}
	return 0, fmt.Errorf("ns type %s: unknown namespace type %v", h.name(), CloneFlags(flag))
}

// typeOfFlag is the Type whose CloneFlag is f, or 0.
func typeOfFlag(f CloneFlags) Type {
	for t := Cgroup; t <= numTypes; t++ {
		if t.Base() == t && t.CloneFlag() == f {
			return t
		}
	}
	return 0
}

// noRelativeError is NS_GET_USERNS's or NS_GET_PARENT's EPERM: there is
// no owner or parent the caller may see.
type noRelativeError struct {
	relation, name string
	err            error
}

func (e *noRelativeError) Error() string {
	return "ns " + e.relation + " " + e.name + ": none visible (there is none, or it is above the caller's own namespace): " +
		e.err.Error()
}

// Is makes errors.Is(err, fs.ErrNotExist) true.
func (e *noRelativeError) Is(target error) bool { return target == fs.ErrNotExist }

func (e *noRelativeError) Unwrap() error { return e.err }

// related opens h's owner or parent.
func (h *Handle) related(relation string, req sys.IoctlReq, p *feature.Probe) (*Handle, error) {
	fd, err := poll.ControlT(h.pfd, "ioctl", func(fd int) (*sys.FD, error) { return sys.NsGetRelated(fd, req) })
	switch {
	case err == nil:
		return newHandle(fd, h.name()+" "+relation)
	case sys.Errno(err) == sys.EPERM:
		return nil, &noRelativeError{relation: relation, name: h.name(), err: err}
	case sys.Errno(err) == sys.EINVAL && req == sys.NS_GET_PARENT:
		return nil, fmt.Errorf("ns parent %s: only pid and user namespaces have one: %w", h.name(), err)
	}
	return nil, fmt.Errorf("ns %s %s: %w", relation, h.name(), nsfsError(err, p))
}

// Owner opens the user namespace that owns h's namespace (ioctl_ns(2)
// NS_GET_USERNS, Linux 4.9): the one whose capabilities govern it. For a
// user namespace that is its parent. The new Handle is the caller's to
// close. It only reads; no privilege.
//
// The kernel shows only the calling thread's own user namespace and those
// below it: the owner of a namespace that belongs to an ancestor of the
// caller's user namespace (the owner of the caller's own user namespace,
// for one) gives an error matching fs.ErrNotExist (and syscall.EPERM, what
// the kernel said), as does the initial user namespace, which has no
// owner.
func (h *Handle) Owner() (*Handle, error) {
	return h.related("owner", sys.NS_GET_USERNS, feature.NsGetUserns)
}

// Parent opens the parent of h's namespace (ioctl_ns(2) NS_GET_PARENT,
// Linux 4.9), which only PID and user namespaces, being nested, have
// (others give an error matching syscall.EINVAL). The new Handle is the
// caller's to close. It only reads; no privilege.
//
// The kernel shows only the calling thread's own namespace of that kind
// (its active PID namespace, its user namespace) and those below it: the
// parent of the caller's own namespace, or of any above it, gives an
// error matching fs.ErrNotExist (and syscall.EPERM, what the kernel
// said), as does the initial namespace, which has none.
func (h *Handle) Parent() (*Handle, error) {
	return h.related("parent", sys.NS_GET_PARENT, feature.NsGetParent)
}

// OwnerUID returns the user that created h's user namespace (ioctl_ns(2)
// NS_GET_OWNER_UID, Linux 4.11), as seen in the calling thread's user
// namespace: the overflow uid (65534) when it has no mapping there. Other
// kinds of namespace give an error matching syscall.EINVAL. It only
// reads; no privilege.
func (h *Handle) OwnerUID() (cred.UID, error) {
	uid, err := poll.ControlT(h.pfd, "ioctl", sys.NsGetOwnerUID)
	if err != nil {
		if sys.Errno(err) == sys.EINVAL {
			return 0, fmt.Errorf("ns owner uid %s: not a user namespace: %w", h.name(), err)
		}
		return 0, fmt.Errorf("ns owner uid %s: %w", h.name(), nsfsError(err, feature.NsGetOwnerUID))
	}
	return cred.UID(uid), nil
}

// MountNSID is the 64-bit id of a mount namespace (Linux 6.8): unlike the
// inode number of its nsfs file it is never reused while the system runs.
// statmount(2) reports it and listmount(2) takes it.
type MountNSID uint64

// String returns the id in decimal.
func (id MountNSID) String() string { return strconv.FormatUint(uint64(id), 10) }

// MountNSID returns the id of h's mount namespace (ioctl_ns(2)
// NS_GET_MNTNS_ID, Linux 6.8). Other kinds of namespace give an error
// matching syscall.EINVAL, older kernels one matching
// errors.ErrUnsupported. It only reads; no privilege.
func (h *Handle) MountNSID() (MountNSID, error) {
	id, err := poll.ControlT(h.pfd, "ioctl", sys.NsGetMntnsID)
	if err != nil {
		return 0, h.mntError("mount namespace id", err, feature.NsGetMntnsID)
	}
	return MountNSID(id), nil
}

// mntError wraps the error of a mount namespace ioctl.
func (h *Handle) mntError(what string, err error, p *feature.Probe) error {
	if sys.Errno(err) == sys.EINVAL {
		return fmt.Errorf("ns %s %s: not a mount namespace: %w", what, h.name(), err)
	}
	return fmt.Errorf("ns %s %s: %w", what, h.name(), nsfsError(err, p))
}

// MountNSInfo describes a mount namespace (struct mnt_ns_info).
type MountNSInfo struct {
	ID     MountNSID
	Mounts int // mounts in the namespace, as its mountinfo lists them
}

func mountNSInfo(i abi.MntNsInfo) MountNSInfo {
	return MountNSInfo{ID: MountNSID(i.MntNsID), Mounts: int(i.NrMounts)}
}

// MountNSInfo describes h's mount namespace (ioctl_ns(2) NS_MNT_GET_INFO,
// Linux 6.12). Other kinds of namespace give an error matching
// syscall.EINVAL, older kernels one matching errors.ErrUnsupported. It
// only reads; no privilege.
func (h *Handle) MountNSInfo() (MountNSInfo, error) {
	i, err := poll.ControlT(h.pfd, "ioctl", sys.NsMntGetInfo)
	if err != nil {
		return MountNSInfo{}, h.mntError("mount namespace info", err, feature.NsMntGetInfo)
	}
	return mountNSInfo(i), nil
}

// neighbour opens the next or previous mount namespace after h in id
// order (NS_MNT_GET_NEXT, NS_MNT_GET_PREV); ok is false at the end.
func (h *Handle) neighbour(req sys.IoctlReq) (n *Handle, info MountNSInfo, ok bool, err error) {
	type result struct {
		fd   *sys.FD
		info abi.MntNsInfo
	}
	r, err := poll.ControlT(h.pfd, "ioctl", func(fd int) (result, error) {
		nfd, i, err := sys.NsMntGetNeighbour(fd, req)
		return result{nfd, i}, err
	})
	switch {
	case sys.Errno(err) == sys.ENOENT:
		return nil, MountNSInfo{}, false, nil
	case sys.Errno(err) == sys.EPERM:
		return nil, MountNSInfo{}, false, fmt.Errorf("ns mount namespaces %s: walking them needs CAP_SYS_ADMIN in the initial "+
			"user namespace, from the initial PID namespace: %w", h.name(), err)
	case err != nil:
		return nil, MountNSInfo{}, false, h.mntError("mount namespaces", err, feature.NsMntGetInfo)
	}
	n, err = newHandle(r.fd, "nsfs:mnt:"+MountNSID(r.info.MntNsID).String())
	return n, mountNSInfo(r.info), err == nil, err
}

// MountNamespaces iterates over mount namespaces in increasing id order
// (NS_MNT_GET_PREV and NS_MNT_GET_NEXT, Linux 6.12): the calling thread's
// own, and every other one over whose owning user namespace the caller has
// CAP_SYS_ADMIN. Since the fix "nsfs: tighten permission checks for ns
// iteration ioctls" (commit e6b899f08066, February 2026, marked for the
// stable kernels from 6.12 on; this machine's 6.18.44 has it) the kernel
// lets only a caller in the initial PID namespace with CAP_SYS_ADMIN in
// the initial user namespace walk at all, which then sees every mount
// namespace of the system; anyone else gets an error matching
// fs.ErrPermission as the only value. Before the fix anyone could walk,
// seeing the namespaces it had CAP_SYS_ADMIN over (a container's own and
// nested ones; an unprivileged process's own only).
//
// It only reads: no thread changes namespace. Each Handle belongs to the
// iteration: it is valid in the loop body and
// closed when the body returns (call Dup to keep one). On older kernels
// the only value yielded is an error matching errors.ErrUnsupported. A
// namespace created or destroyed during the iteration may or may not be
// seen.
func MountNamespaces() iter.Seq2[*Handle, error] {
	return func(yield func(*Handle, error) bool) {
		own, err := Current(Mnt)
		if err != nil {
			yield(nil, err)
			return
		}
		defer own.Close()
		ownInfo, err := own.MountNSInfo()
		if err != nil {
			yield(nil, err)
			return
		}
		// Walk back from our own namespace to the first one before it.
		var first *Handle
		var firstInfo MountNSInfo
		for cur := own; ; {
			p, info, ok, err := cur.neighbour(sys.NS_MNT_GET_PREV)
			if err != nil || !ok {
				if err != nil {
					closeHandle(first)
					yield(nil, err)
					return
				}
				break
			}
			closeHandle(first)
			first, firstInfo, cur = p, info, p
		}
		// Forward from there, yielding our own namespace in its place
		// whether or not the walk reaches it (it does only if the
		// caller has CAP_SYS_ADMIN over it).
		h, info := first, firstInfo
		if h == nil {
			h, info = own, ownInfo
		}
		ownDone := false
		for {
			if !ownDone && (h == own || info.ID >= ownInfo.ID) {
				ownDone = true
				if !yield(own, nil) {
					closeHandle(h, own)
					return
				}
			}
			if h != own && info.ID != ownInfo.ID {
				if !yield(h, nil) {
					closeHandle(h, own)
					return
				}
			}
			next, nextInfo, ok, err := h.neighbour(sys.NS_MNT_GET_NEXT)
			closeHandle(h, own)
			if err != nil {
				yield(nil, err)
				return
			}
			if !ok {
				break
			}
			h, info = next, nextInfo
		}
		if !ownDone {
			yield(own, nil)
		}
	}
}

// closeHandle closes h unless it is nil or one of keep.
func closeHandle(h *Handle, keep ...*Handle) {
	if h == nil {
		return
	}
	for _, k := range keep {
		if h == k {
			return
		}
	}
	h.Close()
}
