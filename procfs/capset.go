package procfs

import (
	"iter"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
)

// Cap is a capability number (capabilities(7), include/uapi/linux/capability.h).
type Cap uint8

// Capabilities, as numbered by the kernel.
const (
	CapChown             Cap = 0
	CapDacOverride       Cap = 1
	CapDacReadSearch     Cap = 2
	CapFowner            Cap = 3
	CapFsetid            Cap = 4
	CapKill              Cap = 5
	CapSetgid            Cap = 6
	CapSetuid            Cap = 7
	CapSetpcap           Cap = 8
	CapLinuxImmutable    Cap = 9
	CapNetBindService    Cap = 10
	CapNetBroadcast      Cap = 11
	CapNetAdmin          Cap = 12
	CapNetRaw            Cap = 13
	CapIPCLock           Cap = 14
	CapIPCOwner          Cap = 15
	CapSysModule         Cap = 16
	CapSysRawio          Cap = 17
	CapSysChroot         Cap = 18
	CapSysPtrace         Cap = 19
	CapSysPacct          Cap = 20
	CapSysAdmin          Cap = 21
	CapSysBoot           Cap = 22
	CapSysNice           Cap = 23
	CapSysResource       Cap = 24
	CapSysTime           Cap = 25
	CapSysTTYConfig      Cap = 26
	CapMknod             Cap = 27
	CapLease             Cap = 28
	CapAuditWrite        Cap = 29
	CapAuditControl      Cap = 30
	CapSetfcap           Cap = 31
	CapMacOverride       Cap = 32
	CapMacAdmin          Cap = 33
	CapSyslog            Cap = 34
	CapWakeAlarm         Cap = 35
	CapBlockSuspend      Cap = 36
	CapAuditRead         Cap = 37 // Linux 3.16+
	CapPerfmon           Cap = 38 // Linux 5.8+
	CapBPF               Cap = 39 // Linux 5.8+
	CapCheckpointRestore Cap = 40 // Linux 5.9+
)

var capNames = [...]string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
	"CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
	"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE"}

// String returns the kernel's name, "CAP_SYS_ADMIN", or "CAP_N" for a
// number newer than lx.
func (c Cap) String() string {
	if int(c) < len(capNames) {
		return capNames[c]
	}
	return "CAP_" + strconv.Itoa(int(c))
}

// CapSet is a set of capabilities, bit n for capability n, as
// /proc/PID/status prints them (CapInh, CapPrm, CapEff, CapBnd, CapAmb).
type CapSet uint64

// Has reports whether c is in the set.
func (s CapSet) Has(c Cap) bool { return c < 64 && s&(1<<c) != 0 }

// Caps yields the capabilities in the set, in increasing order.
func (s CapSet) Caps() iter.Seq[Cap] {
	return func(yield func(Cap) bool) {
		for i := range 64 {
			if s&(1<<i) != 0 && !yield(Cap(i)) {
				return
			}
		}
	}
}

// String lists the capabilities, "CAP_CHOWN,CAP_KILL"; the empty set is "".
func (s CapSet) String() string {
	var b []byte
	for i := range 64 {
		if s&(1<<i) == 0 {
			continue
		}
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = append(b, Cap(i).String()...)
	}
	return string(b)
}

func parseCapSet(v []byte) (CapSet, error) {
	n, err := parse.Hex(v)
	return CapSet(n), err
}
