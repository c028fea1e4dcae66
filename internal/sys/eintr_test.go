package sys_test

import (
	"errors"
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/sys"
)

// TestEINTRRetried blocks a read on a socket that has a receive timeout
// and interrupts it with signals. signal(7): such a read fails with EINTR
// when a handler runs, even with SA_RESTART (which Go's handlers use). The
// raw x/sys call is the control that shows the signals do interrupt; the
// sys wrappers must retry and return the byte written afterwards.
func TestEINTRRetried(t *testing.T) {
	for _, tc := range []struct {
		name      string
		read      func(fd int, b []byte) (int, error)
		wantEINTR bool
	}{
		{"unix.Read", unix.Read, true},
		{"sys.Read", sys.Read, false},
		{"sys.Syscall6", func(fd int, b []byte) (int, error) {
			r, err := sys.Syscall6("read", unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), 0, 0, 0)
			return int(r), err
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := interruptedRead(t, tc.read)
			if tc.wantEINTR {
				if !errors.Is(err, syscall.EINTR) {
					t.Fatalf("control read = %d, %v; want EINTR (the signals did not interrupt it)", n, err)
				}
				return
			}
			if err != nil || n != 1 {
				t.Errorf("read = %d, %v; want 1 byte", n, err)
			}
		})
	}
}

// interruptedRead runs read on a blocking socket while sending SIGURG to
// its thread, then writes one byte.
func interruptedRead(t *testing.T, read func(fd int, b []byte) (int, error)) (int, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	tv := unix.Timeval{Sec: 60}
	if err := unix.SetsockoptTimeval(fds[0], unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		t.Fatal(err)
	}
	type result struct {
		n   int
		err error
	}
	tids := make(chan int)
	done := make(chan result)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tids <- unix.Gettid()
		var b [1]byte
		n, err := read(fds[0], b[:])
		done <- result{n, err}
	}()
	tid := <-tids
	for range 200 {
		select {
		case r := <-done:
			return r.n, r.err
		default:
		}
		if err := unix.Tgkill(unix.Getpid(), tid, unix.SIGURG); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := unix.Write(fds[1], []byte{1}); err != nil {
		t.Fatal(err)
	}
	r := <-done
	return r.n, r.err
}
