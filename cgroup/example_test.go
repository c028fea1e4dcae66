package cgroup_test

import (
	"fmt"
	"log"

	"github.com/lxgo/lx/cgroup"
)

// The cgroup layout of the host and where the calling process sits in it.
func Example() {
	mode, err := cgroup.DetectMode()
	if err != nil {
		log.Fatal(err)
	}
	self, err := cgroup.Self()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("cgroup mode:", mode)
	if path, ok := self.Unified(); ok {
		fmt.Println("v2 cgroup:", path)
	}
	if mode != cgroup.Unified {
		// On hybrid and v1 hosts memory limits live in the v1 hierarchy.
		if path, ok := self.Controller("memory"); ok {
			fmt.Println("v1 memory cgroup:", path)
		}
	}
}

// Reading another process's cgroups from a container's /proc (here a test
// fixture).
func ExampleFS_OfProcess() {
	fsys, err := cgroup.NewFS("testdata/hybrid")
	if err != nil {
		log.Fatal(err)
	}
	m, err := fsys.OfProcess(4242)
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range m {
		fmt.Println(h.HierarchyID, h.Controllers, h.Path)
	}
	// Output:
	// 12 [cpu cpuacct] /system.slice/cron.service
	// 11 [memory] /system.slice/cron.service
	// 1 [name=systemd] /system.slice/cron.service
	// 0 [] /system.slice/cron.service
}

func ExampleMode_String() {
	fmt.Println(cgroup.Legacy, cgroup.Hybrid, cgroup.Unified)
	// Output: v1 hybrid v2
}
