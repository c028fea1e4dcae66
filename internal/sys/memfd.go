package sys

import "golang.org/x/sys/unix"

// memfd_secret(2).

// ProbeMemfdSecret creates and closes a secret memory fd with
// memfd_secret(2) (Linux 5.14). Before 6.5 the kernel offers it only when
// booted with secretmem.enable=1, and answers ENOSYS otherwise.
func ProbeMemfdSecret() error {
	nr := sysMemfdSecret // a variable: uintptr(-1) does not compile on arm
	if nr < 0 {
		return wrap("memfd_secret", unix.ENOSYS)
	}
	fd, err := Syscall6("memfd_secret", uintptr(nr), unix.O_CLOEXEC, 0, 0, 0, 0, 0)
	if err != nil {
		return err
	}
	unix.Close(int(fd))
	return nil
}

// memfd_create(2) and the file seals of fcntl(2).

// The memfd_create(2) flags and the seals, re-exported for the memfd
// package.
const (
	MFD_ALLOW_SEALING = unix.MFD_ALLOW_SEALING
	MFD_HUGETLB       = unix.MFD_HUGETLB
	MFD_NOEXEC_SEAL   = unix.MFD_NOEXEC_SEAL // Linux 6.3
	MFD_EXEC          = unix.MFD_EXEC        // Linux 6.3
	MFD_HUGE_SHIFT    = unix.MFD_HUGE_SHIFT

	F_SEAL_SEAL         = unix.F_SEAL_SEAL
	F_SEAL_SHRINK       = unix.F_SEAL_SHRINK
	F_SEAL_GROW         = unix.F_SEAL_GROW
	F_SEAL_WRITE        = unix.F_SEAL_WRITE
	F_SEAL_FUTURE_WRITE = unix.F_SEAL_FUTURE_WRITE // Linux 5.1
	F_SEAL_EXEC         = unix.F_SEAL_EXEC         // Linux 6.3
)

// MemfdCreate creates an anonymous file, memfd_create(2) (Linux 3.17),
// close-on-exec: flags are the MFD_* flags other than MFD_CLOEXEC, which
// is always added. name must not hold a NUL byte (EINVAL otherwise).
func MemfdCreate(name string, flags int) (*FD, error) {
	fd, err := retry1(func() (int, error) { return unix.MemfdCreate(name, flags|unix.MFD_CLOEXEC) })
	if err != nil {
		return nil, wrap("memfd_create", err)
	}
	return NewFD(fd), nil
}

// MemfdSecret creates a secret memory area, memfd_secret(2) (Linux 5.14,
// on by default since 6.5), close-on-exec.
func MemfdSecret() (*FD, error) {
	nr := sysMemfdSecret
	if nr < 0 {
		return nil, wrap("memfd_secret", unix.ENOSYS)
	}
	fd, err := Syscall6("memfd_secret", uintptr(nr), unix.O_CLOEXEC, 0, 0, 0, 0, 0)
	if err != nil {
		return nil, err
	}
	return NewFD(int(fd)), nil
}

// AddSeals adds seals to the file of fd, fcntl(2) F_ADD_SEALS (Linux
// 3.17).
func AddSeals(fd int, seals int) error {
	_, err := retry1(func() (int, error) { return unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals) })
	return wrap("fcntl F_ADD_SEALS", err)
}

// GetSeals returns the seals of the file of fd, fcntl(2) F_GET_SEALS
// (Linux 3.17).
func GetSeals(fd int) (int, error) {
	s, err := retry1(func() (int, error) { return unix.FcntlInt(uintptr(fd), unix.F_GET_SEALS, 0) })
	return s, wrap("fcntl F_GET_SEALS", err)
}

// Ftruncate sets the size of the file of fd, ftruncate(2).
func Ftruncate(fd int, size int64) error {
	return wrap("ftruncate", retry(func() error { return unix.Ftruncate(fd, size) }))
}

// ProbeMemfdNoexecSeal creates and closes a memfd with MFD_NOEXEC_SEAL
// (Linux 6.3), which older kernels reject with EINVAL. The flag is
// accepted whatever the vm.memfd_noexec sysctl says.
func ProbeMemfdNoexecSeal() error {
	fd, err := MemfdCreate("lx-probe", MFD_NOEXEC_SEAL)
	if err != nil {
		return err
	}
	return fd.Close()
}
