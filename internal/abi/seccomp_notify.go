package abi

// The user-notification structs of include/uapi/linux/seccomp.h
// (seccomp_unotify(2)). Their sizes are the ones of the headers lx was
// written against; a newer kernel may use larger ones, which
// seccomp(SECCOMP_GET_NOTIF_SIZES) reports (SeccompNotifSizes).

// SeccompNotif is struct seccomp_notif, what SECCOMP_IOCTL_NOTIF_RECV
// fills for one intercepted system call (Linux 5.0).
type SeccompNotif struct {
	ID    uint64      // id: the cookie naming the notification
	PID   uint32      // pid: the target thread, in the listener's PID namespace (0 if not visible there)
	Flags uint32      // flags: none defined
	Data  SeccompData // data: the system call
}

// SeccompNotifResp is struct seccomp_notif_resp, the answer that
// SECCOMP_IOCTL_NOTIF_SEND gives (Linux 5.0).
type SeccompNotifResp struct {
	ID    uint64 // id: the notification's cookie
	Val   int64  // val: the return value when Error is 0
	Error int32  // error: 0 or a negated errno
	Flags uint32 // flags: SECCOMP_USER_NOTIF_FLAG_CONTINUE (Linux 5.5)
}

// SeccompNotifAddfd is struct seccomp_notif_addfd, the argument of
// SECCOMP_IOCTL_NOTIF_ADDFD (Linux 5.9).
type SeccompNotifAddfd struct {
	ID         uint64 // id: the notification's cookie
	Flags      uint32 // flags: SECCOMP_ADDFD_FLAG_SETFD, SECCOMP_ADDFD_FLAG_SEND (5.14)
	Srcfd      uint32 // srcfd: the supervisor's fd to install
	Newfd      uint32 // newfd: the target's fd number with SECCOMP_ADDFD_FLAG_SETFD, else 0
	NewfdFlags uint32 // newfd_flags: O_CLOEXEC or 0
}

// The sizes of the structs above, which the ioctl numbers encode.
const (
	SizeofSeccompNotif      = 80
	SizeofSeccompNotifResp  = 24
	SizeofSeccompNotifAddfd = 24
)
