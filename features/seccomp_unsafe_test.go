package features

import (
	"errors"
	"os"
	"runtime"
	"syscall"
	"testing"
	"unsafe"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// TestUnsupportedUnderSeccomp makes the kernel deny two interfaces to this
// thread with a seccomp filter, in a child process: landlock_create_ruleset
// answers ENOSYS, as on a kernel without Landlock, and memfd_secret answers
// EPERM, as under a container's policy. The first must be reported as
// unsupported, the second as inconclusive.
func TestUnsupportedUnderSeccomp(t *testing.T) {
	testutil.RunInChild(t, nil, func(t *testing.T) {
		// The filter goes on this thread only; Check makes its system
		// calls on the calling goroutine's thread. The thread is never
		// unlocked, so it dies with the test goroutine.
		runtime.LockOSThread()
		denyOnThisThread(t, map[uintptr]syscall.Errno{
			444: syscall.ENOSYS, // landlock_create_ruleset, on every architecture
			447: syscall.EPERM,  // memfd_secret, on every architecture that has it
			425: syscall.EPERM,  // io_uring_setup, on every architecture
		})

		s, err := Check("landlock")
		if err != nil {
			t.Fatal(err)
		}
		var fe *kernel.FeatureError
		if s.Available || !errors.Is(s.Err, errors.ErrUnsupported) || !errors.As(s.Err, &fe) ||
			fe.MinKernel != kernel.V(5, 13) || !errors.Is(s.Err, syscall.ENOSYS) {
			t.Errorf("landlock under an ENOSYS filter: %+v", s)
		}

		s, err = Check("memfd_secret")
		if err != nil {
			t.Fatal(err)
		}
		if s.Available || errors.Is(s.Err, errors.ErrUnsupported) || !errors.Is(s.Err, syscall.EPERM) {
			t.Errorf("memfd_secret under an EPERM filter: %+v", s)
		}

		s, err = Check("io_uring")
		if err != nil {
			t.Fatal(err)
		}
		if s.Available || errors.Is(s.Err, errors.ErrUnsupported) || !errors.Is(s.Err, syscall.EPERM) {
			t.Errorf("io_uring under an EPERM filter: %+v", s)
		}

		// A feature the filter does not touch still works.
		if s, _ := Check("openat2"); !s.Available {
			testutil.SkipIfUnsupported(t, s.Err, s.Feature.MinKernel)
			t.Errorf("openat2 under the filter: %+v", s)
		}
	})
}

// denyOnThisThread installs a seccomp filter on the calling thread that
// fails the given system calls with the given errnos.
func denyOnThisThread(t *testing.T, deny map[uintptr]syscall.Errno) {
	t.Helper()
	const (
		seccompModeFilter = 2
		seccompRetErrno   = 0x00050000
		seccompRetAllow   = 0x7fff0000
	)
	prog := []syscall.SockFilter{
		// A = seccomp_data.nr
		{Code: syscall.BPF_LD | syscall.BPF_W | syscall.BPF_ABS, K: 0},
	}
	for nr, errno := range deny {
		prog = append(prog,
			syscall.SockFilter{Code: syscall.BPF_JMP | syscall.BPF_JEQ | syscall.BPF_K, K: uint32(nr), Jt: 0, Jf: 1},
			syscall.SockFilter{Code: syscall.BPF_RET | syscall.BPF_K, K: seccompRetErrno | uint32(errno)})
	}
	prog = append(prog, syscall.SockFilter{Code: syscall.BPF_RET | syscall.BPF_K, K: seccompRetAllow})
	fprog := syscall.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, 38 /* PR_SET_NO_NEW_PRIVS */, 1, 0); e != 0 {
		t.Fatalf("PR_SET_NO_NEW_PRIVS: %v", e)
	}
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_SECCOMP, seccompModeFilter,
		uintptr(unsafe.Pointer(&fprog))); e != 0 {
		testutil.SkipIfUnsupported(t, os.NewSyscallError("prctl(PR_SET_SECCOMP)", e), kernel.V(3, 5))
		t.Fatalf("PR_SET_SECCOMP: %v", e)
	}
	runtime.KeepAlive(prog)
}
