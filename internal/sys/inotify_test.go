package sys_test

import (
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/sys"
)

// An empty inotify instance reads EAGAIN as the bare errno, without
// allocating: the poller's wait loop sees it on every empty read.
func TestInotifyReadEAGAIN(t *testing.T) {
	fd, err := sys.InotifyInit()
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	buf := make([]byte, 4096)
	var rerr error
	allocs := testing.AllocsPerRun(100, func() { _, rerr = sys.InotifyRead(fd.Int(), buf) })
	if rerr != syscall.EAGAIN {
		t.Fatalf("read of an empty instance: %#v, want the bare EAGAIN", rerr)
	}
	if allocs != 0 {
		t.Errorf("%v allocations per empty read, want 0", allocs)
	}
	// Other errors are wrapped: a buffer too small for the IN_IGNORED
	// event that removing a watch queues.
	wd, err := sys.InotifyAddWatch(fd.Int(), t.TempDir(), sys.IN_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	if err := sys.InotifyRmWatch(fd.Int(), wd); err != nil {
		t.Fatal(err)
	}
	if _, err := sys.InotifyRead(fd.Int(), buf[:1]); sys.Errno(err) != syscall.EINVAL || err == syscall.EINVAL {
		t.Errorf("read into 1 byte: %#v, want a wrapped EINVAL", err)
	}
}
