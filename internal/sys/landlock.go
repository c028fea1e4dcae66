package sys

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// landlock_create_ruleset(2), landlock_add_rule(2), landlock_restrict_self(2).

// Landlock constants re-exported for package landlock, which may not import
// x/sys (include/uapi/linux/landlock.h).
const (
	LANDLOCK_ACCESS_FS_EXECUTE     = unix.LANDLOCK_ACCESS_FS_EXECUTE
	LANDLOCK_ACCESS_FS_WRITE_FILE  = unix.LANDLOCK_ACCESS_FS_WRITE_FILE
	LANDLOCK_ACCESS_FS_READ_FILE   = unix.LANDLOCK_ACCESS_FS_READ_FILE
	LANDLOCK_ACCESS_FS_READ_DIR    = unix.LANDLOCK_ACCESS_FS_READ_DIR
	LANDLOCK_ACCESS_FS_REMOVE_DIR  = unix.LANDLOCK_ACCESS_FS_REMOVE_DIR
	LANDLOCK_ACCESS_FS_REMOVE_FILE = unix.LANDLOCK_ACCESS_FS_REMOVE_FILE
	LANDLOCK_ACCESS_FS_MAKE_CHAR   = unix.LANDLOCK_ACCESS_FS_MAKE_CHAR
	LANDLOCK_ACCESS_FS_MAKE_DIR    = unix.LANDLOCK_ACCESS_FS_MAKE_DIR
	LANDLOCK_ACCESS_FS_MAKE_REG    = unix.LANDLOCK_ACCESS_FS_MAKE_REG
	LANDLOCK_ACCESS_FS_MAKE_SOCK   = unix.LANDLOCK_ACCESS_FS_MAKE_SOCK
	LANDLOCK_ACCESS_FS_MAKE_FIFO   = unix.LANDLOCK_ACCESS_FS_MAKE_FIFO
	LANDLOCK_ACCESS_FS_MAKE_BLOCK  = unix.LANDLOCK_ACCESS_FS_MAKE_BLOCK
	LANDLOCK_ACCESS_FS_MAKE_SYM    = unix.LANDLOCK_ACCESS_FS_MAKE_SYM
	LANDLOCK_ACCESS_FS_REFER       = unix.LANDLOCK_ACCESS_FS_REFER
	LANDLOCK_ACCESS_FS_TRUNCATE    = unix.LANDLOCK_ACCESS_FS_TRUNCATE
	LANDLOCK_ACCESS_FS_IOCTL_DEV   = unix.LANDLOCK_ACCESS_FS_IOCTL_DEV

	LANDLOCK_ACCESS_NET_BIND_TCP    = unix.LANDLOCK_ACCESS_NET_BIND_TCP
	LANDLOCK_ACCESS_NET_CONNECT_TCP = unix.LANDLOCK_ACCESS_NET_CONNECT_TCP

	LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET = unix.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
	LANDLOCK_SCOPE_SIGNAL               = unix.LANDLOCK_SCOPE_SIGNAL

	LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF  = unix.LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF
	LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON    = unix.LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
	LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF = unix.LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF
)

// ProbeLandlockABI returns the highest Landlock ABI version the kernel
// supports: landlock_create_ruleset(NULL, 0,
// LANDLOCK_CREATE_RULESET_VERSION) (Linux 5.13). When Landlock is built in
// but was not enabled at boot (the "lsm=" list) the kernel answers
// EOPNOTSUPP, and the error says so.
func ProbeLandlockABI() (int, error) {
	r, err := Syscall6("landlock_create_ruleset", unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0,
		unix.LANDLOCK_CREATE_RULESET_VERSION, 0, 0, 0)
	if Errno(err) == unix.EOPNOTSUPP {
		return 0, fmt.Errorf("landlock is built in but was not enabled at boot (lsm= kernel parameter): %w", err)
	}
	if err != nil {
		return 0, err
	}
	return int(r), nil
}

// LandlockCreateRuleset creates a ruleset handling the rights in attr
// (landlock_create_ruleset(2), Linux 5.13) and returns its fd, which is
// close-on-exec (the kernel always sets O_CLOEXEC on it). attr is passed
// with its full size: fields the running kernel does not know must be
// zero, or the kernel answers E2BIG. A ruleset that handles nothing is
// ENOMSG.
func LandlockCreateRuleset(attr *abi.LandlockRulesetAttr) (*FD, error) {
	r, err := Syscall6("landlock_create_ruleset", unix.SYS_LANDLOCK_CREATE_RULESET,
		uintptr(unsafe.Pointer(attr)), unsafe.Sizeof(*attr), 0, 0, 0, 0)
	if err != nil {
		return nil, err
	}
	return NewFD(int(r)), nil
}

// LandlockAddPathBeneath adds a LANDLOCK_RULE_PATH_BENEATH rule to the
// ruleset rulesetFD (landlock_add_rule(2), Linux 5.13): access is allowed
// on the file or directory hierarchy parentFD refers to. access must be a
// non-empty subset of the ruleset's handled_access_fs (EINVAL, or ENOMSG
// for 0), and a file that is not a directory takes only file rights.
func LandlockAddPathBeneath(rulesetFD int, access uint64, parentFD int) error {
	var attr abi.LandlockPathBeneathAttr
	binary.NativeEndian.PutUint64(attr.AllowedAccess[:], access)
	binary.NativeEndian.PutUint32(attr.ParentFD[:], uint32(int32(parentFD)))
	_, err := Syscall6("landlock_add_rule", unix.SYS_LANDLOCK_ADD_RULE, uintptr(rulesetFD),
		unix.LANDLOCK_RULE_PATH_BENEATH, uintptr(unsafe.Pointer(&attr)), 0, 0, 0)
	return err
}

// LandlockAddNetPort adds a LANDLOCK_RULE_NET_PORT rule to the ruleset
// rulesetFD (landlock_add_rule(2), Linux 6.7, Landlock ABI 4): access is
// allowed for TCP port port. access must be a non-empty subset of the
// ruleset's handled_access_net; port above 65535 is EINVAL.
func LandlockAddNetPort(rulesetFD int, access, port uint64) error {
	attr := abi.LandlockNetPortAttr{AllowedAccess: access, Port: port}
	_, err := Syscall6("landlock_add_rule", unix.SYS_LANDLOCK_ADD_RULE, uintptr(rulesetFD),
		abi.LANDLOCK_RULE_NET_PORT, uintptr(unsafe.Pointer(&attr)), 0, 0, 0)
	return err
}

// LandlockRestrictSelf enforces the ruleset rulesetFD on the calling
// thread (landlock_restrict_self(2), Linux 5.13); flags are the
// LANDLOCK_RESTRICT_SELF_* flags (Landlock ABI 7), or 0. The thread must
// have no_new_privs set or CAP_SYS_ADMIN in its user namespace: otherwise
// EPERM. The restriction cannot be undone, is per thread, and is inherited
// by the children the thread creates afterwards: call it on a tainted
// internal/thread thread.
func LandlockRestrictSelf(rulesetFD int, flags uint32) error {
	_, err := Syscall6("landlock_restrict_self", unix.SYS_LANDLOCK_RESTRICT_SELF,
		uintptr(rulesetFD), uintptr(flags), 0, 0, 0, 0)
	return err
}
