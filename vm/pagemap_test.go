package vm

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

func openSelfPagemap(t testing.TB) *Pagemap {
	t.Helper()
	pm, err := OpenPagemap(os.Getpid(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pm.Close() })
	return pm
}

// presentPages counts r's present pages by the pagemap file.
func presentPages(t testing.TB, r *Region) int {
	t.Helper()
	pm, err := OpenPagemap(os.Getpid(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pm.Close()
	entries := make([]Entry, (r.Len()+pagesize-1)/pagesize)
	n, err := pm.Read(r.Addr(), entries)
	if err != nil || n != len(entries) {
		t.Fatalf("Read = %d, %v", n, err)
	}
	present := 0
	for _, e := range entries {
		if e.Present() {
			present++
		}
	}
	return present
}

// touched are the pages the pagemap tests write, of 16.
var touched = map[int]bool{0: true, 2: true, 3: true, 9: true, 15: true}

func touchedRegion(t testing.TB) *Region {
	t.Helper()
	r := mustMap(t, 16*pagesize, &MapOptions{NoReserve: true})
	// No transparent huge page may fill the untouched pages in.
	if err := r.Advise(AdviceNoHugePage); err != nil {
		t.Fatal(err)
	}
	for i := range touched {
		r.Bytes()[i*pagesize+1] = byte(i + 1)
	}
	return r
}

func TestPagemapRead(t *testing.T) {
	r := touchedRegion(t)
	pm := openSelfPagemap(t)
	entries := make([]Entry, 16)
	n, err := pm.Read(r.Addr(), entries)
	if err != nil || n != 16 {
		t.Fatalf("Read = %d, %v", n, err)
	}
	admin := testutil.HasCap(capability.SysAdmin)
	for i, e := range entries {
		if e.Present() != touched[i] {
			t.Errorf("page %d: %v, touched %v", i, e, touched[i])
		}
		if !touched[i] {
			// A kernel with CONFIG_MEM_SOFT_DIRTY marks a new mapping
			// soft-dirty as a whole (VM_SOFTDIRTY), untouched pages
			// included, until the bits are cleared.
			if e.Present() || e.Swapped() || e.PFN() != 0 || e.Exclusive() || e.File() {
				t.Errorf("untouched page %d: entry %#x (%v), want nothing but soft-dirty", i, uint64(e), e)
			}
			continue
		}
		if (e.PFN() != 0) != admin {
			t.Errorf("page %d: PFN %#x with CAP_SYS_ADMIN %v", i, e.PFN(), admin)
		}
		if !e.Exclusive() || e.File() || e.Swapped() || e.SwapType() != 0 || e.SwapOffset() != 0 {
			t.Errorf("page %d: %v, want present exclusive anonymous", i, e)
		}
	}
	// The iterator agrees with Read.
	i := 0
	for p, err := range pm.Entries(r.Addr(), r.Len()) {
		if err != nil {
			t.Fatal(err)
		}
		if p.Addr != r.Addr()+uintptr(i*pagesize) || p.Entry.Present() != entries[i].Present() {
			t.Errorf("Entries page %d: %#x %v, Read %v", i, p.Addr, p.Entry, entries[i])
		}
		i++
	}
	if i != 16 {
		t.Errorf("Entries yielded %d pages, want 16", i)
	}
}

func TestPagemapBadInput(t *testing.T) {
	pids := []int{0, -1}
	if strconv.IntSize == 64 {
		one := 1
		pids = append(pids, one<<40) // beyond any pid, on 64-bit
	}
	for _, pid := range pids {
		if _, err := OpenPagemap(pid, nil); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "pid") {
			t.Errorf("OpenPagemap(%d) = %v, want fs.ErrInvalid naming the pid", pid, err)
		}
	}
	pm := openSelfPagemap(t)
	if _, err := pm.Read(0x1001, make([]Entry, 1)); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "0x1001") {
		t.Errorf("Read(unaligned) = %v", err)
	}
	buf := make([]Range, 4)
	for _, tc := range []struct {
		start, end uintptr
		opts       *ScanOptions
		dst        []Range
		want       string
	}{
		{0x1001, 0x2000, nil, buf, "start 0x1001"},
		{0x2000, 0x1000, nil, buf, "end before start"},
		{0x1000, 0x2000, &ScanOptions{MaxPages: -1}, buf, "max pages -1"},
		{0x1000, 0x2000, &ScanOptions{Require: 1 << 12}, buf, "categories"},
		{0x1000, 0x2000, nil, nil, "destination"},
	} {
		if _, _, err := pm.Scan(tc.start, tc.end, tc.opts, tc.dst); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Scan(%#x, %#x, %+v) = %v, want fs.ErrInvalid naming %q", tc.start, tc.end, tc.opts, err, tc.want)
		}
	}
}

// scanOrSkip runs Scan, skipping on a kernel without PAGEMAP_SCAN.
func scanOrSkip(t *testing.T, pm *Pagemap, r *Region, opts *ScanOptions) []Range {
	t.Helper()
	var got []Range
	for rg, err := range pm.Ranges(r.Addr(), r.Addr()+uintptr(r.Len()), opts) {
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rg)
	}
	return got
}

// pagesOf lists the page indexes of r that the ranges cover.
func pagesOf(r *Region, ranges []Range) map[int]bool {
	m := map[int]bool{}
	for _, rg := range ranges {
		for a := rg.Start; a < rg.End; a += uintptr(pagesize) {
			m[int(a-r.Addr())/pagesize] = true
		}
	}
	return m
}

// scanModes runs a scan test with the PAGEMAP_SCAN ioctl and with the
// pagemap file that stands in for it on kernels before 6.7.
func scanModes(t *testing.T, test func(t *testing.T, pm *Pagemap)) {
	for _, mode := range []string{"ioctl", "file"} {
		t.Run(mode, func(t *testing.T) {
			pm := openSelfPagemap(t)
			pm.noScan.Store(mode == "file")
			test(t, pm)
		})
	}
}

func TestPagemapScanPresent(t *testing.T) { scanModes(t, testPagemapScanPresent) }

func testPagemapScanPresent(t *testing.T, pm *Pagemap) {
	r := touchedRegion(t)
	got := scanOrSkip(t, pm, r, &ScanOptions{Require: PagePresent})
	// 0, 2-3, 9, 15: four runs.
	if len(got) != 4 {
		t.Errorf("present runs %+v, want 4", got)
	}
	if p := pagesOf(r, got); len(p) != len(touched) {
		t.Errorf("present pages %v, touched %v", p, touched)
	} else {
		for i := range touched {
			if !p[i] {
				t.Errorf("touched page %d not reported present", i)
			}
		}
	}
	for _, rg := range got {
		if rg.Categories != PagePresent {
			t.Errorf("run %+v: categories %v, want only the reported PAGE_IS_PRESENT", rg, rg.Categories)
		}
	}
	absent := scanOrSkip(t, pm, r, &ScanOptions{Exclude: PagePresent})
	if p := pagesOf(r, absent); len(p) != 16-len(touched) {
		t.Errorf("absent pages %v", p)
	}
	// MaxPages bounds the whole iteration.
	if p := pagesOf(r, scanOrSkip(t, pm, r, &ScanOptions{Require: PagePresent, MaxPages: 2})); len(p) != 2 || !p[0] || !p[2] {
		t.Errorf("MaxPages 2: pages %v, want 0 and 2", p)
	}
	// A buffer of one run makes Scan stop early and say where.
	// (The kernel walks on past page 1 to the next present page, 2,
	// before it finds the buffer full.)
	one := make([]Range, 1)
	n, next, err := pm.Scan(r.Addr(), r.Addr()+uintptr(r.Len()), &ScanOptions{Require: PagePresent}, one)
	if err != nil || n != 1 || one[0].Start != r.Addr() || next <= r.Addr() || next > r.Addr()+uintptr(2*pagesize) {
		t.Errorf("Scan into one run = %d, %+v, next %#x, %v; want run 0 and next in page 1 or 2", n, one[0], next, err)
	}
}

func TestSoftDirty(t *testing.T) {
	r := touchedRegion(t)
	pm := openSelfPagemap(t)
	// A new mapping's pages start soft-dirty; on a kernel built without
	// CONFIG_MEM_SOFT_DIRTY no page ever is (the kernel matrix's Debian
	// kernels have it).
	first := make([]Entry, 1)
	if _, err := pm.Read(r.Addr(), first); err != nil {
		t.Fatal(err)
	}
	if !first[0].SoftDirty() {
		t.Skipf("a freshly written page is not soft-dirty (%v): kernel without CONFIG_MEM_SOFT_DIRTY", first[0])
	}
	if err := ClearSoftDirty(os.Getpid(), nil); err != nil {
		t.Fatal(err)
	}
	entries := make([]Entry, 16)
	if _, err := pm.Read(r.Addr(), entries); err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		if e.SoftDirty() {
			t.Fatalf("page %d soft-dirty right after clear_refs: %v", i, e)
		}
	}
	r.Bytes()[2*pagesize] = 42 // a touched page
	r.Bytes()[5*pagesize] = 42 // an untouched one
	if _, err := pm.Read(r.Addr(), entries); err != nil {
		t.Fatal(err)
	}
	dirty := 0
	for i, e := range entries {
		want := i == 2 || i == 5
		if e.SoftDirty() != want {
			t.Errorf("page %d: %v, written since the clear: %v", i, e, want)
		}
		if e.SoftDirty() {
			dirty++
		}
	}
	if dirty == 0 {
		t.Fatal("no soft-dirty page after writes")
	}
	// PAGEMAP_SCAN reports the same pages.
	got := pagesOf(r, scanOrSkip(t, pm, r, &ScanOptions{Require: PageSoftDirty}))
	if len(got) != 2 || !got[2] || !got[5] {
		t.Errorf("PAGE_IS_SOFT_DIRTY pages %v, want 2 and 5", got)
	}
	if err := ClearSoftDirty(0, nil); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("ClearSoftDirty(0) = %v", err)
	}
}

func TestKPages(t *testing.T) {
	testutil.RequireCap(t, capability.SysAdmin)
	r := touchedRegion(t)
	pm := openSelfPagemap(t)
	entries := make([]Entry, 1)
	if _, err := pm.Read(r.Addr(), entries); err != nil {
		t.Fatal(err)
	}
	pfn := entries[0].PFN()
	if pfn == 0 {
		t.Fatalf("no PFN with CAP_SYS_ADMIN: %v", entries[0])
	}
	k, err := OpenKPages()
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	flags := make([]KPF, 1)
	if n, err := k.Flags(pfn, flags); err != nil || n != 1 {
		t.Fatalf("Flags = %d, %v", n, err)
	}
	if flags[0]&KPFAnon == 0 || flags[0]&KPFNoPage != 0 {
		t.Errorf("flags of an anonymous page: %v", flags[0])
	}
	counts := make([]uint64, 1)
	if n, err := k.Counts(pfn, counts); err != nil || n != 1 || counts[0] != 1 {
		t.Errorf("Counts = %d, %v, %v; want one mapping", n, err, counts)
	}
	t.Logf("pfn %#x: %v, mapped %d", pfn, flags[0], counts[0])
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	if err := k.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
}

func TestEntryString(t *testing.T) {
	for _, tc := range []struct {
		e    Entry
		want string
	}{
		{0, "none"},
		{entryPresent | 0x1a2b | entryExclusive | entrySoftDirty, "present pfn=0x1a2b soft-dirty exclusive"},
		{entryPresent | entryFile, "present file"},
		{entrySwapped | 3 | 0x12<<5, "swapped type=3 offset=0x12"},
		{entryGuard, "guard"},
		{entryUffdWP | entryPresent, "present uffd-wp"},
	} {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("%#x: %q, want %q", uint64(tc.e), got, tc.want)
		}
	}
	if Entry(entrySwapped|0x5).PFN() != 0 {
		t.Error("a swapped entry has a PFN")
	}
}

// Regression: a scan the kernel walks in several chunks (more runs than
// its own 512-run buffer) and completes reports a stale walk_end; Scan
// must still say the range is done, and Ranges must not report a run
// twice.
func TestPagemapScanManyRuns(t *testing.T) { scanModes(t, testPagemapScanManyRuns) }

func testPagemapScanManyRuns(t *testing.T, pm *Pagemap) {
	r := mustMap(t, 4096*pagesize, &MapOptions{NoReserve: true})
	if err := r.Advise(AdviceNoHugePage); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4096; i += 2 {
		r.Bytes()[i*pagesize] = 1
	}
	end := r.Addr() + uintptr(r.Len())
	dst := make([]Range, 4096)
	n, next, err := pm.Scan(r.Addr(), end, &ScanOptions{Require: PagePresent}, dst)
	testutil.SkipIfUnsupported(t, err, kernel.Version{})
	if err != nil || n != 2048 || next != end {
		t.Fatalf("Scan = %d runs, next %#x, %v; want 2048, %#x", n, next, err, end)
	}
	seen := map[uintptr]bool{}
	for rg, err := range pm.Ranges(r.Addr(), end, &ScanOptions{Require: PagePresent}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[rg.Start] {
			t.Fatalf("run %#x reported twice", rg.Start)
		}
		seen[rg.Start] = true
	}
	if len(seen) != 2048 {
		t.Fatalf("Ranges reported %d runs, want 2048", len(seen))
	}
}

func TestScanNext(t *testing.T) {
	const start, end = 0x1000, 0x100000
	runs := []Range{{Start: 0x1000, End: 0x2000}, {Start: 0x8000, End: 0x9000}}
	for _, tc := range []struct {
		walkEnd  uint64
		got      []Range
		capacity int
		maxHit   bool
		want     uintptr
	}{
		{0x5000, runs, 4, false, end},     // room left: done, whatever walk_end says
		{0xa000, runs, 2, false, 0xa000},  // full: walk_end
		{0x5000, runs, 2, false, 0x9000},  // full, stale walk_end: after the last run
		{0x20000, runs, 4, true, 0x20000}, // MaxPages reached
		{0x200000, runs, 2, false, end},   // never beyond end
		{0, nil, 0, true, start},          // never before start
	} {
		if got := scanNext(start, end, tc.walkEnd, tc.got, tc.capacity, tc.maxHit); got != tc.want {
			t.Errorf("scanNext(%#x, %d runs of %d, max %v) = %#x, want %#x", tc.walkEnd, len(tc.got), tc.capacity, tc.maxHit, got, tc.want)
		}
	}
}

// Without PAGEMAP_SCAN, categories the pagemap file does not show are
// unsupported, and the rest agree with the file's entries.
func TestPagemapScanFileCategories(t *testing.T) {
	r := touchedRegion(t)
	pm := openSelfPagemap(t)
	pm.noScan.Store(true)
	end := r.Addr() + uintptr(r.Len())
	_, _, err := pm.Scan(r.Addr(), end, &ScanOptions{Require: PageHuge}, make([]Range, 4))
	if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "PAGE_IS_HUGE") {
		t.Errorf("file scan for PAGE_IS_HUGE = %v, want ErrUnsupported naming it", err)
	}
	// Everything, by every category the file shows: the runs alternate
	// between present (anonymous, exclusive) and not, as touched says.
	dst := make([]Range, 16)
	n, next, err := pm.Scan(r.Addr(), end-1, nil, dst)
	if err != nil || next != end {
		t.Fatalf("Scan = %d, %#x, %v", n, next, err)
	}
	pages := 0
	for _, rg := range dst[:n] {
		for a := rg.Start; a < rg.End; a += uintptr(pagesize) {
			i := int(a-r.Addr()) / pagesize
			if (rg.Categories&PagePresent != 0) != touched[i] {
				t.Errorf("page %d in run %+v, touched %v", i, rg, touched[i])
			}
			pages++
		}
	}
	if pages != 16 || n != 7 {
		t.Errorf("%d runs over %d pages, want 7 over 16: %+v", n, pages, dst[:n])
	}
}
