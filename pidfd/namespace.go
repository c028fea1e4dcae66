package pidfd

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// NamespaceType is a kind of namespace, named as in /proc/PID/ns.
type NamespaceType uint8

const (
	NSCgroup          NamespaceType = iota + 1 // cgroup (CLONE_NEWCGROUP)
	NSIPC                                      // ipc (CLONE_NEWIPC)
	NSMnt                                      // mnt (CLONE_NEWNS)
	NSNet                                      // net (CLONE_NEWNET)
	NSPID                                      // pid (CLONE_NEWPID)
	NSPIDForChildren                           // pid_for_children: the PID namespace of the process's future children
	NSTime                                     // time (CLONE_NEWTIME)
	NSTimeForChildren                          // time_for_children
	NSUser                                     // user (CLONE_NEWUSER)
	NSUTS                                      // uts (CLONE_NEWUTS)
)

var nsNames = [...]string{
	NSCgroup: "cgroup", NSIPC: "ipc", NSMnt: "mnt", NSNet: "net", NSPID: "pid",
	NSPIDForChildren: "pid_for_children", NSTime: "time",
	NSTimeForChildren: "time_for_children", NSUser: "user", NSUTS: "uts",
}

// ioctl numbers, indexed by NamespaceType.
var nsIoctl = [...]sys.IoctlReq{
	NSCgroup:          sys.PIDFD_GET_CGROUP_NAMESPACE,
	NSIPC:             sys.PIDFD_GET_IPC_NAMESPACE,
	NSMnt:             sys.PIDFD_GET_MNT_NAMESPACE,
	NSNet:             sys.PIDFD_GET_NET_NAMESPACE,
	NSPID:             sys.PIDFD_GET_PID_NAMESPACE,
	NSPIDForChildren:  sys.PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE,
	NSTime:            sys.PIDFD_GET_TIME_NAMESPACE,
	NSTimeForChildren: sys.PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE,
	NSUser:            sys.PIDFD_GET_USER_NAMESPACE,
	NSUTS:             sys.PIDFD_GET_UTS_NAMESPACE,
}

// NamespaceTypes lists every NamespaceType.
func NamespaceTypes() []NamespaceType {
	return []NamespaceType{NSCgroup, NSIPC, NSMnt, NSNet, NSPID, NSPIDForChildren,
		NSTime, NSTimeForChildren, NSUser, NSUTS}
}

// String returns the name used in /proc/PID/ns, e.g. "net" or
// "pid_for_children".
func (t NamespaceType) String() string {
	if t > 0 && int(t) < len(nsNames) {
		return nsNames[t]
	}
	return "NamespaceType(" + strconv.Itoa(int(t)) + ")"
}

// Namespace opens the process's namespace of type t and returns it as an
// nsfs file, close-on-exec, owned by the caller, usable with setns(2) (the
// future ns package) and the NS_GET_* ioctls. It issues
// PIDFD_GET_<TYPE>_NAMESPACE (Linux 6.11); older kernels give an error
// matching errors.ErrUnsupported, as does a namespace type the kernel was
// built without (CONFIG_TIME_NS, ...). Opening /proc/PID/ns/<type> is the
// equivalent on older kernels, but is racy against PID reuse.
//
// Privilege: PTRACE_MODE_READ_FSCREDS over the process (same UID, or
// CAP_SYS_PTRACE); pid_for_children and time_for_children also need the
// process to have such a namespace. After the process has exited the
// error matches os.ErrProcessDone.
func (f *FD) Namespace(t NamespaceType) (*os.File, error) {
	if t == 0 || int(t) >= len(nsIoctl) {
		return nil, fmt.Errorf("pidfd namespace: invalid namespace type %d", t)
	}
	ns, err := poll.ControlT(f.pfd, "ioctl", func(fd int) (*sys.FD, error) {
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
	return ns.File("pidfd:" + strconv.Itoa(f.pid) + ":ns/" + t.String()), nil
}
