// Package capability holds the value types of Linux capabilities
// (capabilities(7), include/uapi/linux/capability.h): a capability
// number, a set of them, and the effective/permitted/inheritable state
// of a process, with every text form the kernel and libcap use.
//
//   - Cap is one capability. Its text form is libcap's lowercase name,
//     "cap_sys_admin" (cap_to_name(3)); Parse accepts what libcap's
//     cap_from_name(3) accepts.
//
//   - Set is a capability set as a 64-bit mask, bit n for capability n,
//     the shape of every set in /proc/PID/status (CapInh, CapPrm, CapEff,
//     CapBnd, CapAmb: "000001ffffffffff", ParseHex and Hex) and of
//     capget(2)'s two 32-bit halves.
//
//   - State is a process's (or a file's) effective, permitted and
//     inheritable sets, with the text form of cap_to_text(3) and
//     cap_from_text(3): "=ep cap_sys_resource-ep", "cap_net_raw=ep".
//
//   - Sets are the five sets of a thread (effective, permitted,
//     inheritable, bounding, ambient): Current reads the calling
//     thread's; SetState, DropBound, RaiseAmbient, LowerAmbient and
//     ClearAmbient change them for the calling thread or for the whole
//     process (Scope).
//
//   - Securebits are a thread's securebits with their lock bits.
//
// The package reads no files in /proc: another process's sets are in
// /proc/PID/status, which procfs parses into these types. Its system
// calls are capget(2), capset(2) and prctl(2)'s capability operations.
//
// # Names
//
// Go constants drop the kernel's CAP_ prefix, which the package name
// already says, and spell the rest in Go's mixed caps: CAP_SYS_ADMIN is
// capability.SysAdmin, CAP_NET_RAW is capability.NetRaw. Every concept
// package of lx follows that rule (signal.Term, rlimit.NoFile,
// sched.FIFO). The text forms are the kernel's and libcap's, never the
// Go names.
//
// # Capabilities newer than lx
//
// lx names the 41 capabilities of Linux 5.9 and later, CAP_CHOWN (0)
// through CAP_CHECKPOINT_RESTORE (40). A set can hold bits up to 63; a
// capability lx has no name for prints as its decimal number ("41"), as
// libcap prints a capability it has no name for, and Parse accepts the
// number back. Last tells the highest capability the running
// kernel has, so that a program can tell "every capability" from "every
// capability lx knows".
package capability

import (
	"fmt"
	"strconv"
)

// Cap is a capability number, 0..63: the bit a capability occupies in a
// Set and the value the kernel's interfaces (prctl(2) PR_CAPBSET_READ,
// PR_CAP_AMBIENT) take.
type Cap uint8

// The capabilities, numbered as in include/uapi/linux/capability.h.
const (
	Chown             Cap = 0  // CAP_CHOWN: change file owners and groups
	DACOverride       Cap = 1  // CAP_DAC_OVERRIDE: bypass file read, write and execute permission checks
	DACReadSearch     Cap = 2  // CAP_DAC_READ_SEARCH: bypass file read and directory search checks
	Fowner            Cap = 3  // CAP_FOWNER: bypass checks that the file's owner is the caller
	Fsetid            Cap = 4  // CAP_FSETID: keep set-user-ID and set-group-ID bits on modification
	Kill              Cap = 5  // CAP_KILL: send signals to any process
	Setgid            Cap = 6  // CAP_SETGID: change group ids
	Setuid            Cap = 7  // CAP_SETUID: change user ids
	Setpcap           Cap = 8  // CAP_SETPCAP: change the bounding and inheritable sets, securebits
	LinuxImmutable    Cap = 9  // CAP_LINUX_IMMUTABLE: set FS_APPEND_FL and FS_IMMUTABLE_FL
	NetBindService    Cap = 10 // CAP_NET_BIND_SERVICE: bind ports below 1024
	NetBroadcast      Cap = 11 // CAP_NET_BROADCAST: unused
	NetAdmin          Cap = 12 // CAP_NET_ADMIN: network configuration
	NetRaw            Cap = 13 // CAP_NET_RAW: raw and packet sockets
	IPCLock           Cap = 14 // CAP_IPC_LOCK: lock memory (mlock, mlockall, SHM_LOCK)
	IPCOwner          Cap = 15 // CAP_IPC_OWNER: bypass System V IPC permission checks
	SysModule         Cap = 16 // CAP_SYS_MODULE: load and unload kernel modules
	SysRawio          Cap = 17 // CAP_SYS_RAWIO: I/O ports, /dev/mem, FIBMAP
	SysChroot         Cap = 18 // CAP_SYS_CHROOT: chroot(2), setns(2) into a mount namespace
	SysPtrace         Cap = 19 // CAP_SYS_PTRACE: trace and inspect any process
	SysPacct          Cap = 20 // CAP_SYS_PACCT: process accounting (acct(2))
	SysAdmin          Cap = 21 // CAP_SYS_ADMIN: the many administrative operations
	SysBoot           Cap = 22 // CAP_SYS_BOOT: reboot(2), kexec_load(2)
	SysNice           Cap = 23 // CAP_SYS_NICE: raise priority, real-time policies, other processes' affinity
	SysResource       Cap = 24 // CAP_SYS_RESOURCE: exceed resource limits and quotas
	SysTime           Cap = 25 // CAP_SYS_TIME: set the system clock
	SysTTYConfig      Cap = 26 // CAP_SYS_TTY_CONFIG: vhangup(2), privileged terminal ioctls
	Mknod             Cap = 27 // CAP_MKNOD: create device files
	Lease             Cap = 28 // CAP_LEASE: leases on files the caller does not own
	AuditWrite        Cap = 29 // CAP_AUDIT_WRITE: write the kernel audit log
	AuditControl      Cap = 30 // CAP_AUDIT_CONTROL: configure kernel auditing
	Setfcap           Cap = 31 // CAP_SETFCAP: set file capabilities; map uid 0 in a user namespace
	MACOverride       Cap = 32 // CAP_MAC_OVERRIDE: override mandatory access control
	MACAdmin          Cap = 33 // CAP_MAC_ADMIN: configure mandatory access control
	Syslog            Cap = 34 // CAP_SYSLOG: privileged syslog(2) operations, unhashed kernel addresses
	WakeAlarm         Cap = 35 // CAP_WAKE_ALARM: timers that wake the system
	BlockSuspend      Cap = 36 // CAP_BLOCK_SUSPEND: block system suspend (EPOLLWAKEUP)
	AuditRead         Cap = 37 // CAP_AUDIT_READ: read the audit log by multicast netlink (Linux 3.16)
	Perfmon           Cap = 38 // CAP_PERFMON: performance monitoring (Linux 5.8)
	BPF               Cap = 39 // CAP_BPF: privileged BPF operations (Linux 5.8)
	CheckpointRestore Cap = 40 // CAP_CHECKPOINT_RESTORE: checkpoint/restore operations (Linux 5.9)
)

// numNamed is the number of capabilities lx has names for: 0..numNamed-1.
const numNamed = 41

// names are libcap's names (cap_to_name(3)): the kernel's CAP_* names in
// lower case.
var names = [numNamed]string{
	"cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner",
	"cap_fsetid", "cap_kill", "cap_setgid", "cap_setuid", "cap_setpcap",
	"cap_linux_immutable", "cap_net_bind_service", "cap_net_broadcast",
	"cap_net_admin", "cap_net_raw", "cap_ipc_lock", "cap_ipc_owner",
	"cap_sys_module", "cap_sys_rawio", "cap_sys_chroot", "cap_sys_ptrace",
	"cap_sys_pacct", "cap_sys_admin", "cap_sys_boot", "cap_sys_nice",
	"cap_sys_resource", "cap_sys_time", "cap_sys_tty_config", "cap_mknod",
	"cap_lease", "cap_audit_write", "cap_audit_control", "cap_setfcap",
	"cap_mac_override", "cap_mac_admin", "cap_syslog", "cap_wake_alarm",
	"cap_block_suspend", "cap_audit_read", "cap_perfmon", "cap_bpf",
	"cap_checkpoint_restore",
}

// String returns libcap's name of c, "cap_sys_admin", or for a
// capability lx has no name for its decimal number, "41", as libcap's
// cap_to_name(3) does.
func (c Cap) String() string {
	if c < numNamed {
		return names[c]
	}
	return strconv.Itoa(int(c))
}

// appendName appends c's String to b.
func (c Cap) appendName(b []byte) []byte {
	if c < numNamed {
		return append(b, names[c]...)
	}
	return strconv.AppendUint(b, uint64(c), 10)
}

// MarshalText returns String's text.
func (c Cap) MarshalText() ([]byte, error) { return c.appendName(nil), nil }

// UnmarshalText sets *c from text Parse accepts.
func (c *Cap) UnmarshalText(text []byte) error {
	v, err := Parse(string(text))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Parse returns the capability s names. It accepts what libcap's
// cap_from_name(3) accepts, the whole of s and nothing around it:
//
//   - a name in any ASCII case: "cap_sys_admin", "CAP_SYS_ADMIN" (the
//     "cap_" prefix is required, as in libcap);
//   - a number 0..63 as C's strtoul(3) reads it with base 0: decimal
//     "21", hexadecimal "0x15", octal "025".
//
// The error wraps strconv.ErrSyntax, or strconv.ErrRange for a number
// above 63.
func Parse(s string) (Cap, error) {
	c, n, err := scanCap(s, 0)
	if err == nil && n != len(s) {
		err = strconv.ErrSyntax
	}
	if err != nil {
		return 0, fmt.Errorf("capability: invalid capability %q: %w", s, err)
	}
	return c, nil
}

// scanCap reads one capability starting at s[i], as libcap's lookupname
// does: a number if s[i] is a digit, otherwise the longest run of ASCII
// letters and underscores, which must be a name. It returns the index
// after what it read.
func scanCap(s string, i int) (Cap, int, error) {
	if i < len(s) && isDigit(s[i]) {
		n, next, overflow := scanUint(s, i)
		if overflow || n > 63 {
			return 0, next, strconv.ErrRange
		}
		return Cap(n), next, nil
	}
	end := i
	for end < len(s) && (isLetter(s[end]) || s[end] == '_') {
		end++
	}
	word := s[i:end]
	for c := range Cap(numNamed) {
		if equalFoldASCII(word, names[c]) {
			return c, end, nil
		}
	}
	return 0, end, strconv.ErrSyntax
}

// scanUint reads an unsigned number at s[i] (which is a digit) as
// strtoul(3) with base 0 does: "0x" or "0X" followed by a hexadecimal
// digit starts a hexadecimal number, another leading 0 an octal one,
// anything else a decimal one; it stops at the first character that is
// not a digit of the base. overflow reports a value above 2^64-1.
func scanUint(s string, i int) (n uint64, next int, overflow bool) {
	base := uint64(10)
	if s[i] == '0' {
		base = 8
		if i+2 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X') && hexDigit(s[i+2]) < 16 {
			base = 16
			i += 2
		}
	}
	for ; i < len(s); i++ {
		d := uint64(hexDigit(s[i]))
		if d >= base {
			break
		}
		if n > (1<<64-1-d)/base {
			overflow = true
		}
		n = n*base + d
	}
	return n, i, overflow
}

// hexDigit returns the value of a hexadecimal digit, or 16 for any other
// byte.
func hexDigit(c byte) byte {
	switch {
	case c-'0' <= 9:
		return c - '0'
	case c-'a' <= 5:
		return c - 'a' + 10
	case c-'A' <= 5:
		return c - 'A' + 10
	}
	return 16
}

func isDigit(c byte) bool  { return c-'0' <= 9 }
func isLetter(c byte) bool { return (c|0x20)-'a' <= 'z'-'a' }

// equalFoldASCII reports whether s equals the lower-case name when ASCII
// letters of s are folded to lower case, as C's tolower(3) in libcap's
// name comparison does (unlike strings.EqualFold, no Unicode folding:
// the Kelvin sign is not a 'k').
func equalFoldASCII(s, name string) bool {
	if len(s) != len(name) {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if c-'A' <= 'Z'-'A' {
			c |= 0x20
		}
		if c != name[i] {
			return false
		}
	}
	return true
}
