package sys_test

import (
	"errors"
	"os"
	"runtime"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/sys"
)

// TestSigprocmaskSignalfd blocks SIGUSR2 and signal 40 (a bit in each
// 32-bit half of the mask) on a locked thread that is then discarded,
// sends both to the thread and reads them from a signalfd.
func TestSigprocmaskSignalfd(t *testing.T) {
	const mask = 1<<(12-1) | 1<<(40-1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the mask stays changed
		old, err := sys.SigprocmaskBlock(mask)
		if err != nil || old&mask != 0 {
			t.Errorf("SigprocmaskBlock = %#x, %v", old, err)
			return
		}
		again, err := sys.SigprocmaskBlock(0)
		if err != nil || again&mask != mask {
			t.Errorf("blocked set %#x, %v; want %#x in it", again, err, uint64(mask))
		}
		fd, err := sys.Signalfd(mask)
		if err != nil {
			t.Error(err)
			return
		}
		defer fd.Close()
		for _, sig := range []int{12, 40} {
			if err := syscall.Tgkill(os.Getpid(), sys.Gettid(), syscall.Signal(sig)); err != nil {
				t.Error(err)
				return
			}
		}
		b := make([]byte, 256)
		n, err := sys.Read(fd.Int(), b)
		if err != nil || n != 256 || b[0] != 12 || b[128] != 40 {
			t.Errorf("read %d bytes (signals %d, %d), %v; want 12 and 40", n, b[0], b[128], err)
		}
		if _, err := sys.Read(fd.Int(), b); !errors.Is(err, syscall.EAGAIN) {
			t.Errorf("read of an empty signalfd = %v, want EAGAIN", err)
		}
	}()
	<-done
}
