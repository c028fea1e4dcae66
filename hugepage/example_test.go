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
