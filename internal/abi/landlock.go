package abi

// From include/uapi/linux/landlock.h (landlock_create_ruleset(2),
// landlock_add_rule(2)). x/sys has the constants; its struct
// LandlockRulesetAttr already carries fields of kernels newer than any
// release (quiet_access_*), and it lacks struct landlock_net_port_attr and
// the packed layout of struct landlock_path_beneath_attr, so lx keeps its
// own copies of the three structs.

// LandlockRulesetAttr is struct landlock_ruleset_attr as of Linux 6.12
// (Landlock ABI 6): handled_access_fs (5.13), handled_access_net (6.7)
// and scoped (6.12). Passed with its full size, it works on every kernel
// since 5.13 as long as the fields an older kernel does not know are
// zero: the kernel's copy_struct_from_user accepts a longer struct whose
// tail is zero and answers E2BIG otherwise.
type LandlockRulesetAttr struct {
	HandledAccessFS  uint64 // LANDLOCK_ACCESS_FS_*
	HandledAccessNet uint64 // LANDLOCK_ACCESS_NET_*
	Scoped           uint64 // LANDLOCK_SCOPE_*
}

// LandlockPathBeneathAttr is struct landlock_path_beneath_attr (Linux
// 5.13), the attribute of a LANDLOCK_RULE_PATH_BENEATH rule. The C struct
// is packed (12 bytes, the __s32 right after the __u64), which a Go
// struct with a uint64 field cannot be on 64-bit machines; the fields are
// byte arrays in the machine's byte order instead
// (encoding/binary.NativeEndian).
type LandlockPathBeneathAttr struct {
	AllowedAccess [8]byte // __u64 allowed_access: LANDLOCK_ACCESS_FS_*
	ParentFD      [4]byte // __s32 parent_fd: preferably an O_PATH fd
}

// LandlockNetPortAttr is struct landlock_net_port_attr (Linux 6.7,
// Landlock ABI 4), the attribute of a LANDLOCK_RULE_NET_PORT rule.
type LandlockNetPortAttr struct {
	AllowedAccess uint64 // LANDLOCK_ACCESS_NET_*
	Port          uint64 // host byte order, 0..65535
}

// LANDLOCK_RULE_NET_PORT is enum landlock_rule_type's value for a network
// port rule (Linux 6.7); x/sys has only LANDLOCK_RULE_PATH_BENEATH.
const LANDLOCK_RULE_NET_PORT = 2
