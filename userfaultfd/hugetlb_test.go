package userfaultfd

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

const hugePage = 2 << 20

// hugePool2M makes sure the 2 MiB pool has a free page for the test.
// As root it adds one page to the pool and takes one away at cleanup,
// relative to the pool's size then, so that tests of several packages
// running at once each get their page and leave the pool as they found
// it; otherwise it uses a free page if there is one, or skips.
func hugePool2M(t *testing.T) {
	t.Helper()
	const dir = "/sys/kernel/mm/hugepages/hugepages-2048kB/"
	read := func(name string) int {
		b, err := os.ReadFile(dir + name)
		if err != nil {
			t.Skipf("no 2 MiB huge pages: %v", err)
		}
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return n
	}
	write := func(n int) error { return os.WriteFile(dir+"nr_hugepages", []byte(strconv.Itoa(n)), 0) }
	if os.Getuid() != 0 {
		if read("free_hugepages") == 0 {
			t.Skip("no free 2 MiB huge page, and raising the pool needs root")
		}
		return
	}
	before := read("nr_hugepages")
	if err := write(before + 1); err != nil {
		t.Skipf("raising nr_hugepages: %v", err)
	}
	if read("nr_hugepages") <= before {
		t.Skip("the kernel found no memory for a 2 MiB huge page")
	}
	t.Cleanup(func() {
		if err := write(read("nr_hugepages") - 1); err != nil {
			t.Errorf("lowering nr_hugepages back: %v", err)
		}
	})
}

// TestMinorHugetlbfs resolves a minor fault on a hugetlb memfd: the huge
// page is in the file, written through a second mapping, and Continue
// maps it where the fault was.
func TestMinorHugetlbfs(t *testing.T) {
	hugePool2M(t)
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
