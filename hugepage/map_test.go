package hugepage

import (
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/lxgo/lx/vm"
)

// A 2 MiB page region, after raising the pool by two pages: allocated,
// written, backed by huge pages, released.
func TestMapLive(t *testing.T) {
	const size = 2 << 20
	sizes, err := Sizes()
	if err != nil || !containsSize(sizes, size) {
		t.Skipf("no 2 MiB huge pages: %v %v", sizes, err)
	}
	setOrSkip(t, -1, size, 2)
	freeBefore := poolFree(t, size)
	r, err := Map(size, 2*size, &vm.MapOptions{Populate: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Addr()%size != 0 {
		t.Errorf("address %#x not aligned to 2 MiB", r.Addr())
	}
	b := r.Bytes()
	for i := 0; i < len(b); i += 4096 {
		b[i] = byte(i >> 12)
	}
	if b[size+4096] != 1 {
		t.Fatal("write lost")
	}
	if got := poolFree(t, size); got != freeBefore-2 {
		t.Errorf("free pages %d after mapping two, before %d", got, freeBefore)
	}
	pm, err := vm.OpenPagemap(os.Getpid(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pm.Close()
	entries := make([]vm.Entry, 2*size/vm.Pagesize())
	if _, err := pm.Read(r.Addr(), entries); err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		if !e.Present() {
			t.Fatalf("page %d of the huge mapping not present: %v", i, e)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if got := poolFree(t, size); got != freeBefore {
		t.Errorf("free pages %d after Close, before %d", got, freeBefore)
	}
}

func TestMapBadInput(t *testing.T) {
	fsys := mustFS(t, "testdata/x86")
	_, err := fsys.Map(4<<20, 4<<20, nil)
	var se *SizeError
	if !errors.As(err, &se) || se.Size != 4<<20 {
		t.Errorf("Map(4M) = %v, want a SizeError", err)
	}
	_, err = fsys.Map(2<<20, 4096, nil)
	if !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Map of a partial huge page = %v", err)
	}
}

func containsSize(sizes []uint64, s uint64) bool {
	for _, x := range sizes {
		if x == s {
			return true
		}
	}
	return false
}

func poolFree(t *testing.T, size uint64) uint64 {
	t.Helper()
	pools, err := Pools()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pools {
		if p.Size == size {
			return p.Free
		}
	}
	t.Fatalf("no pool of %d", size)
	return 0
}
