package term

import (
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// openPTY opens a new pseudoterminal pair: the master (/dev/ptmx) and its
// peer, closed when the test ends.
func openPTY(t *testing.T) (master, peer *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudoterminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	var pfd *sys.FD
	err = control(master, func(fd int) error {
		if err := sys.Unlockpt(fd); err != nil {
			return err
		}
		var err error
		pfd, err = sys.PtyPeer(fd, sys.O_RDWR|sys.O_NOCTTY)
		return err
	})
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTTY) {
		testutil.SkipIfUnsupported(t, err, kernel.V(4, 13))
	}
	if err != nil {
		t.Fatal(err)
	}
	peer = pfd.File("pty peer")
	t.Cleanup(func() { peer.Close() })
	return master, peer
}

// setSize sets the window size of the pseudoterminal f.
func setSize(t *testing.T, f *os.File, cols, rows uint16) {
	t.Helper()
	err := control(f, func(fd int) error { return sys.SetWinsize(fd, sys.Winsize{Rows: rows, Cols: cols}) })
	if err != nil {
		t.Fatal(err)
	}
}

func TestPTY(t *testing.T) {
	master, peer := openPTY(t)
	for _, f := range []*os.File{master, peer} {
		if !IsTerminal(f) {
			t.Errorf("%s is not a terminal", f.Name())
		}
	}
	// A fresh pseudoterminal has no size.
	if cols, rows, err := Size(peer); err != nil || cols != 0 || rows != 0 {
		t.Errorf("fresh pty: %d x %d, %v; want 0 x 0", cols, rows, err)
	}
	// Set through one side, read through either.
	setSize(t, master, 132, 43)
	for _, f := range []*os.File{master, peer} {
		if cols, rows, err := Size(f); err != nil || cols != 132 || rows != 43 {
			t.Errorf("%s: %d x %d, %v; want 132 x 43", f.Name(), cols, rows, err)
		}
	}
	setSize(t, peer, 65535, 1)
	if cols, rows, err := Size(master); err != nil || cols != 65535 || rows != 1 {
		t.Errorf("largest width: %d x %d, %v", cols, rows, err)
	}
}

func TestNotATerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	file, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	for _, f := range []*os.File{r, w, file} {
		if IsTerminal(f) {
			t.Errorf("%s is a terminal", f.Name())
		}
		if _, _, err := Size(f); !errors.Is(err, syscall.ENOTTY) {
			t.Errorf("Size(%s): %v, want ENOTTY", f.Name(), err)
		}
	}
	if IsTerminal(nil) {
		t.Error("nil is a terminal")
	}
	if _, _, err := Size(nil); err == nil {
		t.Error("Size(nil) succeeded")
	}
	closed, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	if IsTerminal(closed) {
		t.Error("a closed file is a terminal")
	}
	if _, _, err := Size(closed); err == nil {
		t.Error("Size of a closed file succeeded")
	}
}

// TestFileStaysNonblocking checks that the calls leave a file in the
// poller (File.Fd would take it out): a read deadline still works.
func TestFileStaysNonblocking(t *testing.T) {
	master, _ := openPTY(t)
	IsTerminal(master)
	Size(master)
	// A deadline that has already passed: the read returns at once.
	if err := master.SetReadDeadline(time.Now()); err != nil {
		t.Fatalf("deadline on the pty after IsTerminal and Size: %v", err)
	}
	if _, err := master.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read: %v, want the deadline", err)
	}
}
