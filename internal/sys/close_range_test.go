package sys_test

import (
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/thread"
)

// CloexecFrom marks fds close-on-exec in the calling thread's fd table,
// which a thread that unshared CLONE_FILES has to itself: the process's
// fd keeps its flags.
func TestCloexecFrom(t *testing.T) {
	for name, fn := range map[string]func(int) error{"close_range": sys.CloexecFrom, "/proc": sys.CloexecFromProc} {
		t.Run(name, func(t *testing.T) { checkCloexecFrom(t, fn) })
	}
}

func checkCloexecFrom(t *testing.T, cloexecFrom func(int) error) {
	fd, err := syscall.Dup(0) // no close-on-exec
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	var inside uintptr
	err = thread.Run(func(th *thread.Thread) error {
		th.Taint()
		if err := sys.Unshare(syscall.CLONE_FILES); err != nil {
			return err
		}
		if err := cloexecFrom(3); err != nil {
			return err
		}
		inside = getfd(fd)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if inside&syscall.FD_CLOEXEC == 0 {
		t.Errorf("fd %d not close-on-exec in the thread's table after CloexecFrom", fd)
	}
	if getfd(fd)&syscall.FD_CLOEXEC != 0 {
		t.Errorf("fd %d became close-on-exec in the process's table", fd)
	}
}

func getfd(fd int) uintptr {
	r, _, _ := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	return r
}
