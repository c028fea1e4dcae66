package abi

// From include/uapi/linux/seccomp.h (seccomp(2)).

// SeccompNotifSizes is struct seccomp_notif_sizes, which
// seccomp(SECCOMP_GET_NOTIF_SIZES) fills with the sizes, in bytes, that the
// running kernel uses for the user-notification structs (Linux 5.0).
type SeccompNotifSizes struct {
	Notif     uint16 // struct seccomp_notif
	NotifResp uint16 // struct seccomp_notif_resp
	Data      uint16 // struct seccomp_data
}

// SeccompData is struct seccomp_data, what a seccomp filter reads about
// a system call (Linux 3.5).
type SeccompData struct {
	Nr                 int32     // nr: the system call number
	Arch               uint32    // arch: an AUDIT_ARCH_ value
	InstructionPointer uint64    // instruction_pointer
	Args               [6]uint64 // args
}
