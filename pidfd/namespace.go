package pidfd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/ns"
)

// nsIoctl are the PIDFD_GET_<TYPE>_NAMESPACE ioctls, indexed by ns.Type.
var nsIoctl = [...]sys.IoctlReq{
	ns.Cgroup:          sys.PIDFD_GET_CGROUP_NAMESPACE,
	ns.IPC:             sys.PIDFD_GET_IPC_NAMESPACE,
	ns.Mnt:             sys.PIDFD_GET_MNT_NAMESPACE,
	ns.Net:             sys.PIDFD_GET_NET_NAMESPACE,
	ns.PID:             sys.PIDFD_GET_PID_NAMESPACE,
	ns.PIDForChildren:  sys.PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE,
	ns.Time:            sys.PIDFD_GET_TIME_NAMESPACE,
	ns.TimeForChildren: sys.PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE,
	ns.User:            sys.PIDFD_GET_USER_NAMESPACE,
	ns.UTS:             sys.PIDFD_GET_UTS_NAMESPACE,
}

// Namespace opens the process's namespace of type t (one of ns.Types;
// any other value gives an error matching fs.ErrInvalid) and returns it
// as an nsfs file, close-on-exec, owned by the caller, usable with
// setns(2) and the NS_GET_* ioctls. It issues PIDFD_GET_<TYPE>_NAMESPACE
// (Linux 6.11); older kernels give an error matching
// errors.ErrUnsupported, as does a namespace type the kernel was built
// without (CONFIG_TIME_NS, ...). Opening /proc/PID/ns/<type> is the
// equivalent on older kernels, but is racy against PID reuse.
//
// Privilege: PTRACE_MODE_READ_FSCREDS over the process (same UID, or
// CAP_SYS_PTRACE); pid_for_children and time_for_children also need the
// process to have such a namespace. After the process has exited the
// error matches os.ErrProcessDone.
func (f *FD) Namespace(t ns.Type) (*os.File, error) {
	if int(t) >= len(nsIoctl) || nsIoctl[t] == 0 {
		return nil, fmt.Errorf("pidfd namespace: invalid namespace type %v: %w", t, fs.ErrInvalid)
	}
	nsfd, err := poll.ControlT(f.pfd, "ioctl", func(fd int) (*sys.FD, error) {
		return sys.PidfdGetNamespace(fd, nsIoctl[t])
	})
	if err != nil {
		switch sys.Errno(err) {
		case sys.ENOTTY, sys.EINVAL:
			if perr := feature.PidfdNamespace.Check(); errors.Is(perr, errors.ErrUnsupported) {
				err = perr
			}
		case sys.EOPNOTSUPP:
			err = &kernel.FeatureError{Feature: t.String() + " namespaces", Err: err}
		case sys.ESRCH:
			err = processDone(err)
		}
		return nil, fmt.Errorf("pidfd namespace %v: %w", t, err)
	}
	return nsfd.File("pidfd:" + strconv.Itoa(f.pid) + ":ns/" + t.String()), nil
}
