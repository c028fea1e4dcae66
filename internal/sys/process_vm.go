package sys

import "golang.org/x/sys/unix"

// process_vm_readv(2).

// ProcessVMRead copies memory of process pid, from address addr on, into
// buf, process_vm_readv(2) (Linux 3.2), and returns the number of bytes
// copied. The caller needs ptrace access mode PTRACE_MODE_ATTACH_REALCREDS
// to pid (same credentials and a dumpable target, or CAP_SYS_PTRACE; Yama
// may restrict it further): EPERM otherwise. The kernel copies page by
// page and stops at the first page it cannot read: a short count then,
// or EFAULT when not even the first byte could be read. ESRCH: no such
// process.
func ProcessVMRead(pid int, addr uintptr, buf []byte) (int, error) {
	if len(buf) == 0 {
		return 0, nil
	}
	local := []unix.Iovec{{Base: &buf[0]}}
	local[0].SetLen(len(buf))
	remote := []unix.RemoteIovec{{Base: addr, Len: len(buf)}}
	n, err := retry1(func() (int, error) { return unix.ProcessVMReadv(pid, local, remote, 0) })
	if err != nil {
		return 0, wrap("process_vm_readv", err)
	}
	return n, nil
}

// ProcessVMWrite copies buf into the memory of process pid at address
// addr, process_vm_writev(2) (Linux 3.2), and returns the number of bytes
// copied. Permission and short-count rules are ProcessVMRead's; the
// target pages must be writable in the target (the call does not break
// copy-on-write protections the way /proc/PID/mem does).
func ProcessVMWrite(pid int, addr uintptr, buf []byte) (int, error) {
	if len(buf) == 0 {
		return 0, nil
	}
	local := []unix.Iovec{{Base: &buf[0]}}
	local[0].SetLen(len(buf))
	remote := []unix.RemoteIovec{{Base: addr, Len: len(buf)}}
	n, err := retry1(func() (int, error) { return unix.ProcessVMWritev(pid, local, remote, 0) })
	if err != nil {
		return 0, wrap("process_vm_writev", err)
	}
	return n, nil
}
