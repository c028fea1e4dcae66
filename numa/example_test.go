package numa_test

import (
	"fmt"
	"log"
	"os"
	"syscall"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/numa"
)

// The nodes of a system, read from a sysfs tree: here a testdata copy of
// a two-node machine whose node 1 is memory only.
func ExampleFS_Nodes() {
	fsys, err := numa.NewFS("testdata/6.12-memoryonly")
	if err != nil {
		log.Fatal(err)
	}
	nodes, err := fsys.Nodes()
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range nodes {
		fmt.Printf("node %d: cpus %q, %d MiB, distances %v\n", n.ID, n.CPUs, n.Meminfo.MemTotal>>20, n.Distances)
	}
	// Output:
	// node 0: cpus "0-3", 7963 MiB, distances [{0 10} {1 20}]
	// node 1: cpus "", 16384 MiB, distances [{0 20} {1 10}]
}

// A policy's text form is the kernel's, as /proc/PID/numa_maps shows it.
func ExampleParsePolicy() {
	p, err := numa.ParsePolicy("interleave=static:0-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Mode, p.Flags, p.Nodes)
	fmt.Println(numa.Policy{Mode: numa.ModePreferredMany, Nodes: cpuset.Of(1, 3)})
	// Output:
	// interleave static 0-1
	// prefer (many):1,3
}

// Memory first touched inside Do is placed by the policy; the thread is
// the function's own, and gets its old policy back afterwards.
func ExampleDo() {
	page := os.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 16*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		log.Fatal(err)
	}
	defer syscall.Munmap(mem)
	err = numa.Do(numa.Policy{Mode: numa.ModeBind, Nodes: cpuset.Of(0)}, func() error {
		for i := 0; i < len(mem); i += page {
			mem[i] = 1 // the first touch allocates the page, on node 0
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	status, err := numa.PageNodes(mem, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("first page on node", status[0].Node())
}

// A region's own policy applies whichever thread faults its pages in;
// MovePages moves what is already there.
func ExampleSetRegionPolicy() {
	page := os.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 16*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		log.Fatal(err)
	}
	defer syscall.Munmap(mem)
	if err := numa.SetRegionPolicy(mem, numa.Policy{Mode: numa.ModeInterleave, Nodes: cpuset.Of(0, 1)}, nil); err != nil {
		log.Fatal(err)
	}
	clear(mem) // faults every page in, alternating between nodes 0 and 1
	status, err := numa.MovePages(mem, 1, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	for i, s := range status {
		if s.Err() != nil {
			fmt.Printf("page %d not moved: %v\n", i, s.Err())
		}
	}
}
