package sys_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
)

// TestCapgetCapset reads the thread's sets and sets them again unchanged,
// on this thread and on every thread: a change that changes nothing,
// which any process may make.
func TestCapgetCapset(t *testing.T) {
	e, p, i, err := sys.Capget()
	if err != nil {
		t.Fatalf("Capget: %v", err)
	}
	if e&^p != 0 {
		t.Errorf("effective %#x not within permitted %#x", e, p)
	}
	if err := sys.Capset(e, p, i); err != nil {
		t.Errorf("Capset of the same sets: %v", err)
	}
	err = sys.CapsetAllThreads(e, p, i)
	if errors.Is(err, sys.ErrAllThreadsCgo) {
		t.Skipf("a cgo binary: %v", err)
	}
	if err != nil {
		t.Errorf("CapsetAllThreads of the same sets: %v", err)
	}
	// Raising effective beyond permitted is refused by the kernel on
	// the first thread, before any other is touched. The extra bit must
	// be a capability the kernel knows: it drops unknown bits silently,
	// so ^p with every known capability permitted (root in the guests)
	// would set an empty effective set on every thread of this process.
	full, err := capability.Full()
	if err != nil {
		t.Fatal(err)
	}
	if extra := uint64(full) &^ p; extra != 0 {
		extra &= -extra // one capability
		if err := sys.CapsetAllThreads(e|extra, p, i); !errors.Is(err, syscall.EPERM) {
			t.Errorf("CapsetAllThreads(effective beyond permitted) = %v, want EPERM", err)
		}
	}
	if e2, p2, i2, err := sys.Capget(); err != nil || e2 != e || p2 != p || i2 != i {
		t.Fatalf("the sets changed: %#x %#x %#x, %v; were %#x %#x %#x", e2, p2, i2, err, e, p, i)
	}
}

func TestCapAmbientIsSet(t *testing.T) {
	if _, err := sys.CapAmbientIsSet(0); err != nil {
		t.Skipf("no ambient capabilities (before Linux 4.3?): %v", err)
	}
	if _, err := sys.CapAmbientIsSet(64); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("CapAmbientIsSet(64) = %v, want EINVAL", err)
	}
	if _, err := sys.GetSecurebits(); err != nil {
		t.Errorf("GetSecurebits: %v", err)
	}
}

func TestXattrMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if _, err := sys.Getxattr(path, "security.capability", buf); !errors.Is(err, sys.ENODATA) {
		t.Errorf("Getxattr of a file without the attribute = %v, want ENODATA", err)
	}
	// Removing needs CAP_SETFCAP, which the kernel checks first.
	want := sys.ENODATA
	if !testutil.HasCap(capability.Setfcap) {
		want = sys.EPERM
	}
	if err := sys.Removexattr(path, "security.capability"); !errors.Is(err, want) {
		t.Errorf("Removexattr of a missing attribute = %v, want %v", err, want)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	rc.Control(func(fd uintptr) { _, err = sys.Fgetxattr(int(fd), "security.capability", buf) })
	if !errors.Is(err, sys.ENODATA) {
		t.Errorf("Fgetxattr of a file without the attribute = %v, want ENODATA", err)
	}
}
