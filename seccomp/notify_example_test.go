package seccomp_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/lxgo/lx/seccomp"
)

// A supervisor loop: mkdirat of a path under /forbidden fails with
// EACCES, other mkdirat calls run. The listener comes from the target
// (ListenerFromFile) or from InstallListener on a thread that then
// starts the targets.
func ExampleListener_Receive() {
	supervise := func(ctx context.Context, l *seccomp.Listener) error {
		for {
			n, err := l.Receive(ctx)
			if errors.Is(err, os.ErrProcessDone) {
				return nil // no target left
			}
			if err != nil {
				return err
			}
			// mkdirat(dirfd, path, mode): the path is in the target's
			// memory.
			path, err := seccomp.ReadString(n.PID, n.Args[1], 4095)
			// Read first, then check that the notification, and so the
			// target whose memory was read, is still there.
			if verr := n.IDValid(); verr != nil {
				continue // the target died or gave up the call
			}
			var r seccomp.Response
			switch {
			case err != nil:
				r = seccomp.Errno(syscall.EFAULT)
			case strings.HasPrefix(path, "/forbidden/"):
				r = seccomp.Errno(syscall.EACCES)
			default:
				// The kernel reads the path again, and another thread
				// of the target may have changed it meanwhile: fine
				// for a convenience, not for security. A sandbox
				// makes the directory itself, from path, and answers
				// seccomp.Value(0).
				r = seccomp.Continue()
			}
			if err := n.Respond(r); err != nil && !errors.Is(err, seccomp.ErrNotificationGone) {
				return err
			}
		}
	}
	fmt.Println(supervise != nil)
	// Output: true
}

func ExampleErrno() {
	for _, r := range []seccomp.Response{seccomp.Errno(syscall.EACCES), seccomp.Value(3), seccomp.Continue()} {
		fmt.Println(r)
	}
	// Output:
	// errno(13)
	// value(3)
	// continue
}
