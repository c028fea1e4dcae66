package userfaultfd

import (
	"context"
	"errors"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

const hugePage = 2 << 20

// TestMinorHugetlbfs resolves a minor fault on a hugetlb memfd: the huge
// page is in the file, written through a second mapping, and Continue
// maps it where the fault was.
func TestMinorHugetlbfs(t *testing.T) {
	testutil.HugePage2M(t)
	fd, err := sys.MemfdCreate("lx-uffd-minor", sys.MFD_HUGETLB|21<<sys.MFD_HUGE_SHIFT)
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(4, 14))
		t.Fatal(err)
	}
	f := fd.File("memfd:lx-uffd-minor")
	defer f.Close()
	if err := f.Truncate(hugePage); err != nil {
		t.Fatal(err)
	}
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var view, mem []byte
	var merr error
	rc.Control(func(fd uintptr) {
		view, merr = syscall.Mmap(int(fd), 0, hugePage, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
		if merr == nil {
			mem, merr = syscall.Mmap(int(fd), 0, hugePage, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
		}
	})
	if merr != nil {
		t.Fatal(merr)
	}
	defer syscall.Munmap(view)
	defer syscall.Munmap(mem)
	view[4096] = 1 // the huge page is in the file now, not mapped in mem

	u := newFD(t, &Options{Features: FeatureMinorHugetlbfs})
	r := rangeOf(t, mem)
	if _, err := u.Register(r, ModeMinor); err != nil {
		t.Fatal(err)
	}
	var flags FaultFlags
	stop := serve(t, u, func(e Event) error {
		flags = e.Flags
		view[4096] = 99
		_, err := u.Continue(r, nil)
		return err
	})
	var got byte
	touch(t, u, func() { got = mem[4096] })
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Serve: %v", err)
	}
	if got != 99 || flags != FaultMinor {
		t.Errorf("read %d with fault flags %v, want 99 and UFFD_PAGEFAULT_FLAG_MINOR", got, flags)
	}
}
