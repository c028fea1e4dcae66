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
