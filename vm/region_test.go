package vm

import (
	"bytes"
	"errors"
	"io/fs"
	"math/bits"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
)

func TestPageSize(t *testing.T) {
	got := os.Getpagesize()
	if Pagesize() != got {
		t.Errorf("Pagesize() = %d, os.Getpagesize() = %d", Pagesize(), got)
	}
	if fixedPageSize && got != PageSize {
		t.Errorf("PageSize = %d, the kernel's is %d", PageSize, got)
	}
	if got > MaxPageSize || bits.OnesCount(uint(got)) != 1 || PageSize > MaxPageSize {
		t.Errorf("page size %d, PageSize %d, MaxPageSize %d", got, PageSize, MaxPageSize)
	}
	if got != PageSize {
		t.Logf("this kernel's page size %d differs from the architecture's usual %d", got, PageSize)
	}
}

func mustMap(t testing.TB, length int, opts *MapOptions) *Region {
	t.Helper()
	r, err := Map(length, opts)
	if err != nil {
		t.Fatalf("Map(%d, %+v): %v", length, opts, err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestMapAnonymous(t *testing.T) {
	r := mustMap(t, 3*pagesize+1, nil)
	if r.Len() != 3*pagesize+1 || len(r.Bytes()) != r.Len() {
		t.Fatalf("Len %d, Bytes %d", r.Len(), len(r.Bytes()))
	}
	if r.Addr()%uintptr(pagesize) != 0 || r.Addr() == 0 {
		t.Fatalf("Addr %#x not page-aligned", r.Addr())
	}
	b := r.Bytes()
	if !bytes.Equal(b, make([]byte, len(b))) {
		t.Fatal("fresh anonymous memory is not zero")
	}
	for i := range b {
		b[i] = byte(i)
	}
	if b[3*pagesize] != byte(3*pagesize) {
		t.Fatal("last byte not written")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if r.Bytes() != nil || r.Addr() != 0 {
		t.Fatal("Bytes or Addr after Close")
	}
	if err := r.Advise(AdviceNormal); !errors.Is(err, fs.ErrClosed) {
		t.Fatalf("Advise after Close = %v, want fs.ErrClosed", err)
	}
}

func TestMapBadInput(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, tc := range []struct {
		name string
		fn   func() (*Region, error)
		want string
	}{
		{"zero length", func() (*Region, error) { return Map(0, nil) }, "length 0"},
		{"negative length", func() (*Region, error) { return Map(-1, nil) }, "length -1"},
		{"unaligned address", func() (*Region, error) { return Map(pagesize, &MapOptions{Addr: 0x10001}) }, "address 0x10001"},
		{"bad prot", func() (*Region, error) { return Map(pagesize, &MapOptions{Prot: 1 << 4}) }, "protection"},
		{"huge size not a power of two", func() (*Region, error) {
			return Map(3<<20, &MapOptions{HugePageSize: 3 << 20})
		}, "huge page size 3145728"},
		{"huge size the page size", func() (*Region, error) {
			return Map(pagesize, &MapOptions{HugePageSize: uint64(pagesize)})
		}, "huge page size " + strconv.Itoa(pagesize)},
		{"length not whole huge pages", func() (*Region, error) {
			return Map(pagesize, &MapOptions{HugePageSize: 2 << 20})
		}, "length " + strconv.Itoa(pagesize)},
		{"negative offset", func() (*Region, error) { return MapFile(f, -4096, pagesize, nil) }, "offset -4096"},
		{"unaligned offset", func() (*Region, error) { return MapFile(f, 100, pagesize, nil) }, "offset 100"},
		{"nil file", func() (*Region, error) { return MapFile(nil, 0, pagesize, nil) }, "file"},
		{"huge file", func() (*Region, error) {
			return MapFile(f, 0, 2<<20, &MapOptions{HugePageSize: 2 << 20})
		}, "huge page size"},
	} {
		r, err := tc.fn()
		if err == nil {
			r.Close()
		}
		if !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want fs.ErrInvalid naming %q", tc.name, err, tc.want)
		}
	}
}

func TestMapFixedNoReplace(t *testing.T) {
	r := mustMap(t, 2*pagesize, nil)
	_, err := Map(pagesize, &MapOptions{Addr: r.Addr() + uintptr(pagesize)})
	if !errors.Is(err, syscall.EEXIST) {
		t.Fatalf("Map over a mapping = %v, want EEXIST", err)
	}
	// A freed address can be mapped again exactly; another thread of
	// the test binary may take it first, so try a few times.
	for range 5 {
		tmp, err := Map(pagesize, nil)
		if err != nil {
			t.Fatal(err)
		}
		addr := tmp.Addr()
		tmp.Close()
		again, err := Map(pagesize, &MapOptions{Addr: addr})
		if errors.Is(err, syscall.EEXIST) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		defer again.Close()
		if again.Addr() != addr {
			t.Fatalf("mapped at %#x, asked %#x", again.Addr(), addr)
		}
		return
	}
	t.Fatal("every freed address was taken again")
}

func TestMapFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data")
	content := bytes.Repeat([]byte("lx"), pagesize) // two pages
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := MapFile(f, int64(pagesize), pagesize, &MapOptions{Shared: true, Populate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	private, err := MapFile(f, 0, pagesize, &MapOptions{Prot: ProtRead | ProtWrite})
	if err != nil {
		t.Fatal(err)
	}
	defer private.Close()
	f.Close() // the mappings keep the file
	if !bytes.Equal(shared.Bytes(), content[pagesize:]) || !bytes.Equal(private.Bytes(), content[:pagesize]) {
		t.Fatal("mapped content differs from the file")
	}
	copy(shared.Bytes(), "SHARED")
	copy(private.Bytes(), "PRIVATE")
	if err := shared.Sync(nil); err != nil {
		t.Fatal(err)
	}
	if err := shared.Sync(&SyncOptions{Async: true, Invalidate: true}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got[pagesize:], []byte("SHARED")) {
		t.Errorf("shared write did not reach the file: %q", got[pagesize:pagesize+8])
	}
	if !bytes.HasPrefix(got, []byte("lxlx")) {
		t.Errorf("private write reached the file: %q", got[:8])
	}
}

// mapsPerms returns the permissions of the mapping that contains addr,
// as procfs reads them from /proc/self/maps. It looks for the containing
// range, not a range starting at addr: the kernel merges a region whose
// protection now matches an adjacent anonymous mapping's into one VMA,
// which then starts below addr.
func mapsPerms(t *testing.T, addr uintptr) string {
	t.Helper()
	self, err := procfs.Default().Proc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for m, err := range self.MapsSeq() {
		if err != nil {
			t.Fatal(err)
		}
		if uint64(addr) >= m.Start && uint64(addr) < m.End {
			return m.Perms.String()
		}
	}
	t.Fatalf("no mapping contains %#x", addr)
	return ""
}

func TestProtect(t *testing.T) {
	r := mustMap(t, pagesize, &MapOptions{Prot: ProtRead})
	if got := mapsPerms(t, r.Addr()); got != "r--p" {
		t.Fatalf("mapped ProtRead, maps says %s", got)
	}
	if err := r.Protect(ProtRead | ProtWrite); err != nil {
		t.Fatal(err)
	}
	if got := mapsPerms(t, r.Addr()); got != "rw-p" {
		t.Fatalf("after Protect(rw), maps says %s", got)
	}
	r.Bytes()[0] = 1
	if err := r.Protect(ProtNone); err != nil {
		t.Fatal(err)
	}
	if got := mapsPerms(t, r.Addr()); got != "---p" {
		t.Fatalf("after Protect(ProtNone), maps says %s", got)
	}
	if err := r.Protect(0); !errors.Is(err, fs.ErrInvalid) {
		t.Fatalf("Protect(0) = %v, want fs.ErrInvalid", err)
	}
	if err := Protect(r.Bytes()[1:], ProtRead); !errors.Is(err, fs.ErrInvalid) {
		t.Fatalf("Protect(unaligned) = %v, want fs.ErrInvalid", err)
	}
	shared := mustMap(t, pagesize, &MapOptions{Shared: true, Prot: ProtNone})
	if got := mapsPerms(t, shared.Addr()); got != "---s" {
		t.Fatalf("shared ProtNone maps as %s", got)
	}
}

func TestAdvise(t *testing.T) {
	r := mustMap(t, 4*pagesize, nil)
	b := r.Bytes()
	b[0], b[pagesize] = 7, 8
	if err := r.Advise(AdviceDontNeed); err != nil {
		t.Fatal(err)
	}
	if b[0] != 0 || b[pagesize] != 0 {
		t.Fatal("MADV_DONTNEED kept private anonymous data")
	}
	if err := Advise(b[pagesize:], AdviceNoHugePage); err != nil {
		t.Fatal(err)
	}
	if err := Advise(b[1:], AdviceNormal); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "not aligned") {
		t.Fatalf("Advise(unaligned) = %v", err)
	}
	if err := r.Advise(Advice(200)); !errors.Is(err, syscall.EINVAL) || !strings.Contains(err.Error(), "200") {
		t.Fatalf("Advise(200) = %v, want EINVAL naming it", err)
	}
	// MADV_POPULATE_WRITE (5.14) faults every page in.
	if err := r.Advise(AdvicePopulateWrite); err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 14))
		t.Fatal(err)
	}
	if n := presentPages(t, r); n != 4 {
		t.Fatalf("after MADV_POPULATE_WRITE %d of 4 pages present", n)
	}
}

func TestAdviceText(t *testing.T) {
	for a, name := range adviceNames {
		if a.String() != name {
			t.Errorf("%d.String() = %q, want %q", a, a.String(), name)
		}
		var back Advice
		if err := back.UnmarshalText([]byte(name)); err != nil || back != a {
			t.Errorf("UnmarshalText(%q) = %v, %v", name, back, err)
		}
	}
	if a, err := ParseAdvice("DONTNEED"); err != nil || a != AdviceDontNeed {
		t.Errorf("ParseAdvice(DONTNEED) = %v, %v", a, err)
	}
	if a, err := ParseAdvice("77"); err != nil || a != 77 || a.String() != "77" {
		t.Errorf("ParseAdvice(77) = %v, %v", a, err)
	}
	if _, err := ParseAdvice("MADV_BOGUS"); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "MADV_BOGUS") {
		t.Errorf("ParseAdvice(MADV_BOGUS) = %v", err)
	}
	if s := (ProtRead | ProtWrite).String(); s != "PROT_READ|PROT_WRITE" {
		t.Errorf("Prot string %q", s)
	}
	if p, err := ParseProt("PROT_NONE"); err != nil || p != ProtNone {
		t.Errorf("ParseProt(PROT_NONE) = %v, %v", p, err)
	}
	if s := (LockCurrent | LockOnFault).String(); s != "MCL_CURRENT|MCL_ONFAULT" {
		t.Errorf("LockAllFlags string %q", s)
	}
}

func TestLock(t *testing.T) {
	r := mustMap(t, 8*pagesize, nil)
	if err := r.Lock(&LockOptions{OnFault: true}); err != nil {
		if errors.Is(err, syscall.ENOMEM) || errors.Is(err, syscall.EPERM) {
			t.Skipf("RLIMIT_MEMLOCK: %v", err)
		}
		t.Fatal(err)
	}
	if n := presentPages(t, r); n != 0 {
		t.Errorf("mlock2(MLOCK_ONFAULT) faulted in %d pages", n)
	}
	if err := r.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := r.Lock(nil); err != nil {
		t.Fatal(err)
	}
	if n := presentPages(t, r); n != 8 {
		t.Errorf("mlock faulted in %d of 8 pages", n)
	}
	if err := r.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := Lock(r.Bytes()[:0], nil); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Lock(empty) = %v", err)
	}
}

func TestLockAllBadFlags(t *testing.T) {
	for _, f := range []LockAllFlags{0, LockOnFault, 1 << 5} {
		if err := LockAll(f); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("LockAll(%v) = %v, want fs.ErrInvalid", f, err)
		}
	}
}

// LockAll locks the whole process, so it runs in a child.
func TestLockAll(t *testing.T) {
	testutil.RunInChild(t, nil, func(t *testing.T) {
		if err := LockAll(LockCurrent | LockOnFault); err != nil {
			if errors.Is(err, syscall.ENOMEM) || errors.Is(err, syscall.EPERM) {
				t.Skipf("RLIMIT_MEMLOCK: %v", err)
			}
			t.Fatal(err)
		}
		if vmLck(t) == 0 {
			t.Error("VmLck is 0 after mlockall")
		}
		if err := UnlockAll(); err != nil {
			t.Fatal(err)
		}
		if n := vmLck(t); n != 0 {
			t.Errorf("VmLck is %d kB after munlockall", n)
		}
	})
}

// vmLck returns the VmLck line of /proc/self/status in kB.
func vmLck(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for l := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(l, "VmLck:"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no VmLck line")
	return 0
}

// A power of two the kernel has no huge pages of: EINVAL, with a hint.
func TestMapHugeSizeUnsupported(t *testing.T) {
	const size = 4 << 20
	if _, err := os.Stat("/sys/kernel/mm/hugepages/hugepages-4096kB"); err == nil {
		t.Skip("this kernel has 4 MiB huge pages")
	}
	r, err := Map(size, &MapOptions{HugePageSize: size})
	if err == nil {
		r.Close()
	}
	if !errors.Is(err, syscall.EINVAL) || !strings.Contains(err.Error(), "huge page size 4194304") {
		t.Fatalf("Map with 4 MiB huge pages = %v, want EINVAL naming the size", err)
	}
}
