package features

import (
	"bytes"
	"fmt"

	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// catalogue is the list of features, in display order. The probes are in
// internal/sys/probe.go.
var catalogue = []*entry{
	newEntry("pidfd", kernel.V(5, 3),
		"process file descriptors immune to pid reuse: pidfd_open(2), pidfd_send_signal(2), pidfd_getfd(2)",
		noDetail(sys.ProbePidfdOpen)),
	newEntry("pidfs ids", kernel.V(6, 9),
		"pidfds on pidfs, whose 64-bit inode number names a process for the life of the system: fstatfs(2), name_to_handle_at(2)",
		noDetail(sys.ProbePidfs)),
	newEntry("PIDFD_GET_INFO", kernel.V(6, 13),
		"pid, credentials, cgroup and exit status of a process through its pidfd: ioctl_pidfd(2)",
		noDetail(sys.ProbePidfdInfo)),
	newEntry("clone3", kernel.V(5, 3),
		"process creation with extensible arguments, a pidfd and a target cgroup: clone3(2)",
		noDetail(sys.ProbeClone3)),
	newEntry("openat2", kernel.V(5, 6),
		"opening files with limits on path resolution (RESOLVE_BENEATH, RESOLVE_NO_SYMLINKS, ...): openat2(2)",
		noDetail(sys.ProbeOpenat2)),
	newEntry("statmount/listmount", kernel.V(6, 8),
		"mount information by 64-bit mount id instead of /proc/PID/mountinfo: statmount(2), listmount(2)",
		noDetail(sys.ProbeStatmount)),
	newEntry("io_uring", kernel.V(5, 1),
		"asynchronous I/O through rings shared with the kernel: io_uring(7), io_uring_setup(2)",
		ioUring),
	newEntry("landlock", kernel.V(5, 13),
		"unprivileged access control a process applies to itself: landlock(7), landlock_create_ruleset(2)",
		landlock),
	newEntry("seccomp user notification", kernel.V(5, 0),
		"a supervisor that handles another process's system calls: seccomp_unotify(2), seccomp(2)",
		seccompNotif),
	newEntry("userfaultfd", kernel.V(4, 3),
		"page faults of a memory range handled in user space: userfaultfd(2)",
		userfaultfd),
	// The syscall arrived in 5.14 but answered ENOSYS unless the kernel was
	// booted with secretmem.enable=1; 6.5 turned it on by default.
	newEntry("memfd_secret", kernel.V(6, 5),
		"memory removed from the kernel's direct map, out of reach of the kernel itself: memfd_secret(2) (5.14 with secretmem.enable=1)",
		noDetail(sys.ProbeMemfdSecret)),
}

func noDetail(probe func() error) func() (string, error) {
	return func() (string, error) { return "", probe() }
}

// ioUring reports the last opcode the kernel knows. An EPERM gets the
// sysctl that explains it, when one does.
func ioUring() (string, error) {
	last, err := sys.ProbeIOUring()
	if err != nil {
		if sys.Errno(err) == sys.EPERM {
			err = ioUringDenied(pseudofs.Default(), err)
		}
		return "", err
	}
	if last < 0 {
		return "", nil // before 5.6 there is no IORING_REGISTER_PROBE
	}
	return fmt.Sprintf("last opcode %d", last), nil
}

// ioUringDenied explains an EPERM from io_uring_setup with the
// kernel.io_uring_disabled sysctl (Linux 6.6), read from fsys.
func ioUringDenied(fsys pseudofs.FS, err error) error {
	var buf [16]byte
	b, rerr := pseudofs.ReadFile(fsys.ProcPath("sys", "kernel", "io_uring_disabled"), buf[:0])
	if rerr != nil {
		return err
	}
	switch string(bytes.TrimSpace(b)) {
	case "1":
		return fmt.Errorf("io_uring limited to the group in sysctl kernel.io_uring_group (kernel.io_uring_disabled=1): %w", err)
	case "2":
		return fmt.Errorf("io_uring disabled by sysctl kernel.io_uring_disabled=2: %w", err)
	}
	return err
}

func landlock() (string, error) {
	abi, err := sys.ProbeLandlockABI()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("ABI %d", abi), nil
}

func seccompNotif() (string, error) {
	s, err := sys.ProbeSeccompNotifSizes()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("notif %d, resp %d, data %d bytes", s.Notif, s.NotifResp, s.Data), nil
}

func userfaultfd() (string, error) {
	how, err := sys.ProbeUserfaultfd()
	switch {
	case err != nil:
		return "", err
	case how == sys.UffdProbeUserMode:
		return "user-mode faults only", nil
	case how == sys.UffdProbeDevice:
		return "through /dev/userfaultfd", nil
	}
	return "", nil
}
