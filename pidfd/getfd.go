package pidfd

import (
	"fmt"
	"os"
	"strconv"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
)

// Getfd returns a duplicate of the target process's file descriptor
// targetFD (pidfd_getfd(2), Linux 5.6), close-on-exec, as an *os.File
// owned by the caller.
//
// The duplicate shares its open file description with the target: file
// offset, status flags and locks are common to both. If the description is
// O_NONBLOCK (a socket or pipe of another Go program, for instance), the
// returned file is registered with the poller; otherwise it is a blocking
// file. lx never changes O_NONBLOCK on it, and callers must not either
// (nor call Fd(), which clears it): the target process would see the
// change.
//
// Privilege: PTRACE_MODE_ATTACH_REALCREDS over the target (same UID and
// a dumpable target, or CAP_SYS_PTRACE; Yama may restrict further). After
// the process has been reaped the error matches os.ErrProcessDone; a
// targetFD that is not open gives EBADF.
func (f *FD) Getfd(targetFD int) (*os.File, error) {
	if targetFD < 0 {
		return nil, fmt.Errorf("pidfd getfd: invalid target fd %d", targetFD)
	}
	nfd, err := poll.ControlT(f.pfd, "pidfd_getfd", func(fd int) (*sys.FD, error) {
		return sys.PidfdGetfd(fd, targetFD)
	})
	if err != nil {
		switch sys.Errno(err) {
		case sys.ENOSYS:
			err = feature.PidfdGetfd.Unsupported(err)
		case sys.ESRCH:
			err = processDone(err)
		}
		return nil, fmt.Errorf("pidfd getfd %d: %w", targetFD, err)
	}
	return nfd.File("pidfd_getfd:" + strconv.Itoa(f.pid) + "/" + strconv.Itoa(targetFD)), nil
}
