package sys_test

import (
	"errors"
	"math/bits"
	"os"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// TestMempolicyMaxnode: maxnode is the words given plus one, so a mask of
// exactly 64 bits carries node 0 both ways, and a mask beyond what
// get_nodes reads (PAGE_SIZE*8 bits) is refused before the kernel.
func TestMempolicyMaxnode(t *testing.T) {
	testutil.SkipIfUnsupported(t, sys.ProbeMempolicy(), kernel.Version{})
	mask := make([]uint, 64/bits.UintSize)
	if _, err := sys.GetMempolicy(mask, sys.MPOL_F_MEMS_ALLOWED); err != nil {
		t.Fatal(err)
	}
	if mask[0] == 0 {
		t.Fatal("MPOL_F_MEMS_ALLOWED gave no node")
	}
	node := bits.TrailingZeros(mask[0])
	page, err := syscall.Mmap(-1, 0, os.Getpagesize(), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(page)
	one := make([]uint, len(mask))
	one[node/bits.UintSize] = 1 << (node % bits.UintSize)
	if err := sys.Mbind(page, sys.MPOL_BIND, one, 0); err != nil {
		t.Fatal(err)
	}
	got := make([]uint, len(mask))
	mode, err := sys.GetMempolicyAddr(page, got, 0)
	if err != nil || mode != sys.MPOL_BIND || got[0] != one[0] {
		t.Errorf("GetMempolicyAddr = %d %x, %v; want MPOL_BIND %x", mode, got, err, one)
	}
	page[0] = 1
	status := []int32{-1}
	if _, err := sys.MovePages(page, os.Getpagesize(), nil, status, 0); err != nil || status[0] != int32(node) {
		t.Errorf("MovePages query = %d, %v; want node %d", status[0], err, node)
	}
	huge := make([]uint, 4096*8/bits.UintSize+1)
	if err := sys.SetMempolicy(sys.MPOL_DEFAULT, huge); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("SetMempolicy with %d words = %v, want EINVAL", len(huge), err)
	}
	if n := sys.ErrnoName(syscall.ENOENT); n != "ENOENT" {
		t.Errorf("ErrnoName(ENOENT) = %q", n)
	}
}
