package timerfd

import (
	"errors"
	"os"
	"syscall"
	"testing"
)

// TestCancelError checks how Wait reports a read that failed with
// ECANCELED. A real one needs the host's realtime clock to be set, which
// a test must not do (a time namespace cannot offset CLOCK_REALTIME), so
// the kernel's error is made up here.
func TestCancelError(t *testing.T) {
	err := waitError(os.NewSyscallError("read", syscall.ECANCELED))
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, syscall.ECANCELED) {
		t.Errorf("ECANCELED became %v, which does not match both ErrCanceled and ECANCELED", err)
	}
	if err := waitError(os.NewSyscallError("read", syscall.EBADF)); errors.Is(err, ErrCanceled) {
		t.Errorf("EBADF became %v, which matches ErrCanceled", err)
	}
}
