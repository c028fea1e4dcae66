package cpu_test

import (
	"fmt"
	"log"
	"runtime"

	"github.com/lxgo/lx/cpu"
	"github.com/lxgo/lx/cpuset"
)

// How many CPUs the machine has online and could have.
func Example() {
	online, err := cpu.Online()
	if err != nil {
		log.Fatal(err)
	}
	possible, err := cpu.Possible()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d of %d possible CPUs online (%v)\n", online.Count(), possible.Count(), online)
}

// Reading a sysfs tree other than the host's: here a test fixture of a
// machine with CPUs taken offline.
func ExampleFS_Online() {
	fsys, err := cpu.NewFS("testdata/hotplug")
	if err != nil {
		log.Fatal(err)
	}
	online, err := fsys.Online()
	if err != nil {
		log.Fatal(err)
	}
	present, err := fsys.Present()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("online: ", online)
	fmt.Println("offline:", present.Difference(online))
	// Output:
	// online:  0-3,8-11,16
	// offline: 4-7,12-15,17-31
}

// The layout of a two-socket machine with two threads per core and one
// CPU offline (a test fixture), as lscpu -p prints it, with each CPU's L3.
func ExampleFS_Topology() {
	fsys, err := cpu.NewFS("testdata/smt-2socket")
	if err != nil {
		log.Fatal(err)
	}
	top, err := fsys.Topology()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d sockets, %d cores, %d threads per core\n", top.Sockets(), top.Cores(), top.ThreadsPerCore())
	for _, c := range top.CPUs {
		l3 := "-"
		if cache, ok := top.Cache(c.CPU, 3, cpu.CacheUnified); ok {
			l3 = fmt.Sprintf("%d (%d MiB, CPUs %v)", cache.ID, cache.Size>>20, cache.CPUs)
		}
		fmt.Printf("cpu%d online=%v socket=%d core=%d node=%d threads=%v L3=%s\n",
			c.CPU, c.Online, c.Package, c.Core, c.Node, c.ThreadSiblings, l3)
	}
	// Output:
	// 2 sockets, 4 cores, 2 threads per core
	// cpu0 online=true socket=0 core=0 node=0 threads=0,4 L3=0 (30 MiB, CPUs 0-1,4-5)
	// cpu1 online=true socket=0 core=1 node=0 threads=1,5 L3=0 (30 MiB, CPUs 0-1,4-5)
	// cpu2 online=true socket=1 core=0 node=1 threads=2,6 L3=1 (30 MiB, CPUs 2-3,6)
	// cpu3 online=true socket=1 core=1 node=1 threads=3 L3=1 (30 MiB, CPUs 2-3,6)
	// cpu4 online=true socket=0 core=0 node=0 threads=0,4 L3=0 (30 MiB, CPUs 0-1,4-5)
	// cpu5 online=true socket=0 core=1 node=0 threads=1,5 L3=0 (30 MiB, CPUs 0-1,4-5)
	// cpu6 online=true socket=1 core=0 node=1 threads=2,6 L3=1 (30 MiB, CPUs 2-3,6)
	// cpu7 online=false socket=-1 core=-1 node=1 threads= L3=-
}

// Which CPU and NUMA node this goroutine's thread runs on. Locked to its
// thread and pinned to one CPU, the answer stays true; otherwise it is a
// hint that may be stale as soon as Current returns.
func ExampleCurrent() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c, node, err := cpu.Current()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("on CPU %d of node %d (by %v)\n", c, node, cpu.CurrentMethod())
}

// Pin a goroutine to one CPU: lock it to its thread, narrow the thread's
// affinity, and restore it before unlocking, so that the runtime gets
// back a thread that may run anywhere.
func ExampleSetAffinity() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	old, err := cpu.Affinity()
	if err != nil {
		log.Fatal(err)
	}
	first := 0
	for c := range old.All() {
		first = c
		break
	}
	if err := cpu.SetAffinity(cpuset.Of(first)); err != nil {
		log.Fatal(err)
	}
	defer func() {
		if err := cpu.SetAffinity(old); err != nil {
			log.Fatal(err)
		}
	}()
	c, _, _ := cpu.Current()
	fmt.Println("running on the pinned CPU:", c == first)
	// Output: running on the pinned CPU: true
}
