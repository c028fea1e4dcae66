package hugepage_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/lxgo/lx/hugepage"
)

// Print every huge page pool of the host.
func Example() {
	pools, err := hugepage.Pools()
	if errors.Is(err, errors.ErrUnsupported) {
		fmt.Println("this kernel has no hugetlb pages")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range pools {
		fmt.Printf("%d kB pages: %d total, %d free\n", p.Size>>10, p.Total, p.Free)
	}
}

// Read the pools of a fixture tree, as a test or a tool inspecting a
// container's /sys would.
func ExampleFS_Pools() {
	fsys, err := hugepage.NewFS("testdata/x86")
	if err != nil {
		log.Fatal(err)
	}
	pools, err := fsys.Pools()
	if err != nil {
		log.Fatal(err)
	}
	def, err := fsys.DefaultSize()
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range pools {
		fmt.Printf("%d MiB: total=%d free=%d reserved=%d surplus=%d persistent=%d default=%v\n",
			p.Size>>20, p.Total, p.Free, p.Reserved, p.Surplus, p.Persistent(), p.Size == def)
	}
	// Output:
	// 2 MiB: total=16 free=12 reserved=2 surplus=1 persistent=15 default=true
	// 1024 MiB: total=1 free=1 reserved=0 surplus=0 persistent=1 default=false
}

// Grow the 2 MiB pool and report what the kernel granted.
func ExampleSetPages() {
	g, err := hugepage.SetPages(2<<20, 64)
	var partial *hugepage.PartialError
	switch {
	case errors.As(err, &partial):
		fmt.Printf("asked %d pages, the kernel gave %d\n", g.Asked, g.Got)
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Printf("the pool has %d pages\n", g.Got)
	}
}

// Memory backed by 2 MiB pages from the pool.
func ExampleMap() {
	r, err := hugepage.Map(2<<20, 4<<20, nil)
	if err != nil {
		log.Fatal(err) // errors.Is(err, syscall.ENOMEM): the pool is empty
	}
	defer r.Close()
	r.Bytes()[0] = 1
}

// The sizes a user may type, in the kernel's sizes.
func ExampleParseSize() {
	for _, s := range []string{"2M", "1GiB", "2048kB"} {
		n, err := hugepage.ParseSize(s)
		fmt.Println(n, hugepage.FormatSize(n), err)
	}
	// Output:
	// 2097152 2MiB <nil>
	// 1073741824 1GiB <nil>
	// 2097152 2MiB <nil>
}
