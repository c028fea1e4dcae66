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
