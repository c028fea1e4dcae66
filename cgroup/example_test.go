package cgroup_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/lxgo/lx/cgroup"
	"github.com/lxgo/lx/procfs"
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

// Limits and statistics of a cgroup, read from a fixture tree as they
// would be from /sys/fs/cgroup.
func ExampleFS_Open() {
	fsys, err := cgroup.NewFS("testdata/v2-6.12")
	if err != nil {
		log.Fatal(err)
	}
	c, err := fsys.Open("/child")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	max, err := c.MemoryMax()
	if err != nil {
		log.Fatal(err)
	}
	cpu, err := c.CPUMax()
	if err != nil {
		log.Fatal(err)
	}
	ctrl, err := c.Controllers()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("memory.max:", max)
	fmt.Println("cpu.max:", cpu, "=", cpu.Quota, "per", cpu.Period)
	fmt.Println("controllers:", ctrl)
	// Output:
	// memory.max: max
	// cpu.max: max 100000 = max per 100ms
	// controllers: cpuset cpu io memory hugetlb pids rdma misc
}

// A cgroup for a command: created in a subtree delegated to the caller
// (systemd's Delegate=yes: the service's processes live in a leaf, and
// memory and pids are enabled for the service cgroup's children),
// limited, the command started inside it with CLONE_INTO_CGROUP, and
// removed with whatever is left in it.
func ExampleCgroup_DirFile() {
	svc, err := cgroup.Open("/system.slice/builder.service")
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	if _, err := svc.SetSubtreeControl(cgroup.Controllers{cgroup.Memory, cgroup.Pids}, nil); err != nil {
		log.Fatal(err)
	}
	job, err := svc.NewChild("job-" + strconv.Itoa(os.Getpid()))
	if err != nil {
		log.Fatal(err)
	}
	defer job.Close()
	defer job.Remove(context.Background(), &cgroup.RemoveOptions{Kill: true})
	if _, err := job.SetMemoryMax(256 << 20); err != nil {
		log.Fatal(err)
	}
	if _, err := job.SetPidsMax(64); err != nil {
		log.Fatal(err)
	}
	dir, err := job.DirFile()
	if err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command("make", "-j4")
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(dir.Fd())}
	err = cmd.Start()
	dir.Close() // the child has it; the parent no longer needs it
	if err != nil {
		log.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		log.Print(err)
	}
}

// Watching a cgroup until its last process is gone, reporting OOM kills
// on the way.
func ExampleCgroup_Events() {
	c, err := cgroup.Open("/system.slice/job.service")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	for ev, err := range c.Events(ctx, nil) {
		if err != nil {
			log.Fatal(err)
		}
		switch {
		case ev.Kind == cgroup.MemoryOOMKill:
			fmt.Println(ev.New-ev.Old, "processes OOM-killed")
		case ev.Kind == cgroup.Populated && ev.New == 0:
			fmt.Println("empty")
			return
		}
	}
}

// A memory pressure trigger: Wait returns each time the cgroup's tasks
// stalled on memory for 150ms within 2s.
func ExampleCgroup_NewTrigger() {
	c, err := cgroup.Open("/system.slice/job.service")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	spec, err := cgroup.ParseTriggerSpec("some 150000 2000000")
	if err != nil {
		log.Fatal(err)
	}
	tr, err := c.NewTrigger(procfs.ResourceMemory, spec)
	if err != nil {
		log.Fatal(err)
	}
	defer tr.Close()
	for {
		if err := tr.Wait(context.Background()); err != nil {
			log.Fatal(err)
		}
		p, err := c.Pressure(procfs.ResourceMemory)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("memory pressure: %.2f%% over 10s\n", p.Some.Avg10)
	}
}

// "max" round-trips as Unlimited.
func ExampleParseMax() {
	for _, s := range []string{"max", "1048576"} {
		m, err := cgroup.ParseMax(s)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(m == cgroup.Unlimited, m)
	}
	// Output:
	// true max
	// false 1048576
}

// A v1 host's limits, in the types of v2 (a hand-made fixture with the
// memory and cpu controllers limited).
func ExampleFS_V1Of() {
	fsys, err := cgroup.NewFS("testdata/v1-limited")
	if err != nil {
		log.Fatal(err)
	}
	v, err := fsys.V1Of(1)
	if err != nil {
		log.Fatal(err)
	}
	mem, err := v.MemoryMax()
	if err != nil {
		log.Fatal(err)
	}
	swap, err := v.MemorySwapMax()
	if err != nil {
		log.Fatal(err)
	}
	cpu, err := v.CPUMax()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("memory:", mem, "swap:", swap, "cpu:", cpu)
	// Output: memory: 1073741824 swap: 536870912 cpu: 50000 100000
}
