package procfs

import "github.com/lxgo/lx/internal/parse"

// This file reads the one-line identity files under /proc/sys/kernel
// (proc_sys_kernel(5)). Each read is one open+read+close of a small file;
// the result is the file's content without its trailing newline.

// readKernelString reads /proc/sys/kernel/name and returns its trimmed content.
func (fs FS) readKernelString(name string) (string, error) {
	return readFS(fs, "sys/kernel/"+name, func(b []byte) (string, error) { return string(parse.Trim(b)), nil })
}

// BootID returns /proc/sys/kernel/random/boot_id: a random UUID
// ("4a5887f2-2fd3-488e-8a76-e81652936b28") the kernel generates at each
// boot. Together with CLOCK_BOOTTIME it identifies an instant across
// reboots (journald stamps every entry with it). Any user can read it.
func (fs FS) BootID() (string, error) { return fs.readKernelString("random/boot_id") }

// Hostname returns /proc/sys/kernel/hostname: the node name of the caller's
// UTS namespace, as uname(2) and gethostname(2) report it.
func (fs FS) Hostname() (string, error) { return fs.readKernelString("hostname") }

// Domainname returns /proc/sys/kernel/domainname: the NIS/YP domain name of
// the caller's UTS namespace, "(none)" when unset (getdomainname(2)).
func (fs FS) Domainname() (string, error) { return fs.readKernelString("domainname") }

// OSType returns /proc/sys/kernel/ostype, always "Linux" (uname -s).
func (fs FS) OSType() (string, error) { return fs.readKernelString("ostype") }

// OSRelease returns /proc/sys/kernel/osrelease, the kernel release such as
// "6.18.44-fc-v595" (uname -r). kernel.ParseVersion parses it.
func (fs FS) OSRelease() (string, error) { return fs.readKernelString("osrelease") }

// Version returns /proc/sys/kernel/version, the kernel's build string such
// as "#1 SMP PREEMPT_DYNAMIC Debian 6.1.148-1 (2025-08-26)" (uname -v).
func (fs FS) Version() (string, error) { return fs.readKernelString("version") }

// PidMax returns /proc/sys/kernel/pid_max: one more than the largest PID the
// kernel hands out (PIDs wrap around to 300 after reaching it). It is at
// most 4194304 (PID_MAX_LIMIT on 64-bit kernels).
func (fs FS) PidMax() (int, error) { return readFS(fs, "sys/kernel/pid_max", parsePidMax) }

// parsePidMax parses pid_max: a decimal in 1..2^31-1.
func parsePidMax(b []byte) (int, error) {
	b = parse.Trim(b)
	n, err := parse.Int(b)
	if err == nil && (n <= 0 || n > 1<<31-1) {
		err = errRange("pid_max", b)
	}
	return int(n), err
}
