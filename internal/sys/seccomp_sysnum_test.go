package sys_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/seccomp"
)

// TestSeccompSysnum checks seccomp's generated table for the build's
// architecture against x/sys's constants, which only this package may
// import. GOARCH=386 go test (and arm64, arm, riscv64 under an emulator)
// checks the other tables.
func TestSeccompSysnum(t *testing.T) {
	arch, err := seccomp.NativeArch()
	if err != nil {
		t.Skip(err)
	}
	audit := map[seccomp.Arch]uint32{
		seccomp.Arch386:     unix.AUDIT_ARCH_I386,
		seccomp.ArchAMD64:   unix.AUDIT_ARCH_X86_64,
		seccomp.ArchARM:     unix.AUDIT_ARCH_ARM,
		seccomp.ArchARM64:   unix.AUDIT_ARCH_AARCH64,
		seccomp.ArchRISCV64: unix.AUDIT_ARCH_RISCV64,
	}
	for a, want := range audit {
		if uint32(a) != want {
			t.Errorf("%v = %#x, x/sys has %#x", a, uint32(a), want)
		}
	}
	for name, want := range map[string]uintptr{
		"read": unix.SYS_READ, "write": unix.SYS_WRITE, "close": unix.SYS_CLOSE,
		"openat": unix.SYS_OPENAT, "mkdirat": unix.SYS_MKDIRAT, "getpid": unix.SYS_GETPID,
		"gettid": unix.SYS_GETTID, "execve": unix.SYS_EXECVE, "exit_group": unix.SYS_EXIT_GROUP,
		"ioctl": unix.SYS_IOCTL, "futex": unix.SYS_FUTEX, "seccomp": unix.SYS_SECCOMP,
		"clone3": unix.SYS_CLONE3, "pidfd_open": unix.SYS_PIDFD_OPEN,
		"landlock_create_ruleset": unix.SYS_LANDLOCK_CREATE_RULESET, "rseq_slice_yield": unix.SYS_RSEQ_SLICE_YIELD,
	} {
		nr, err := arch.Lookup(name)
		if err != nil || uintptr(nr) != want {
			t.Errorf("%v.Lookup(%q) = %v, %v; x/sys has %d", arch, name, nr, err, want)
		}
	}
}
