package procfs_test

import (
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/lxgo/lx/procfs"
)

// Memory in use, the way free(1) computes it.
func ExampleFS_Meminfo() {
	m, err := procfs.Default().Meminfo()
	if err != nil {
		log.Fatal(err)
	}
	used := m.MemTotal - m.Available()
	fmt.Printf("used %d MiB of %d MiB\n", used>>20, m.MemTotal>>20)
	if !m.Has("MemAvailable") {
		fmt.Println("(kernel older than 3.14: available is estimated)")
	}
}

// CPU utilization over one interval, from two samples of /proc/stat. The
// second sample reuses the first one's slice.
func ExampleFS_KernelStatInto() {
	fs := procfs.Default()
	var before, after procfs.KernelStat
	if err := fs.KernelStatInto(&before); err != nil {
		log.Fatal(err)
	}
	prev := before.Total
	time.Sleep(100 * time.Millisecond)
	if err := fs.KernelStatInto(&after); err != nil {
		log.Fatal(err)
	}
	busy := after.Total.Busy() - prev.Busy()
	total := after.Total.Total() - prev.Total()
	if total > 0 {
		fmt.Printf("CPU busy: %.1f%%\n", 100*float64(busy)/float64(total))
	}
	fmt.Println("booted at", after.BootTime.Format(time.RFC3339))
}

// Memory pressure, with a clear answer on kernels without PSI.
func ExampleFS_Pressure() {
	p, err := procfs.Default().Pressure(procfs.ResourceMemory)
	if errors.Is(err, errors.ErrUnsupported) {
		fmt.Println("this kernel does not track pressure:", err)
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("some: %.2f%% (10s), stalled %v in total\n", p.Some.Avg10, p.Some.Total)
	if p.HasFull {
		fmt.Printf("full: %.2f%% (10s)\n", p.Full.Avg10)
	}
}

// Any /proc/vmstat counter by its kernel name, and the typed ones.
func ExampleFS_VMStat() {
	v, err := procfs.Default().VMStat()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("major faults:", v.PgMajFault, "OOM kills:", v.OOMKill)
	if n, ok := v.Lookup("thp_fault_alloc"); ok {
		fmt.Println("transparent huge pages faulted in:", n)
	}
}

func ExampleFS_LoadAvg() {
	l, err := procfs.Default().LoadAvg()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("load average: %.2f, %.2f, %.2f (%d/%d running)\n", l.Load1, l.Load5, l.Load15, l.Running, l.Total)
}

func ExampleFS_Uptime() {
	u, err := procfs.Default().Uptime()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("up", u.Total.Round(time.Second))
}

func ExampleFS_CPUInfo() {
	cpus, err := procfs.Default().CPUInfo()
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range cpus {
		fmt.Printf("cpu%d: %s, avx2=%v\n", c.Processor, c.ModelName, c.Flags.Has("avx2"))
	}
}

// Whether a filesystem type is registered, without allocating.
func ExampleFS_SupportsFilesystem() {
	ok, err := procfs.Default().SupportsFilesystem("proc")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ok)
	// Output: true
}

// Who holds locks, and who waits for whom.
func ExampleFS_Locks() {
	locks, err := procfs.Default().Locks()
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range locks {
		if l.Blocked {
			fmt.Printf("pid %d waits for pid %d on inode %d\n", l.PID, locks[l.Blocker].PID, l.Inode)
			continue
		}
		fmt.Printf("%s %s lock held by pid %d on %s inode %d\n", l.Class, l.Access, l.PID, l.Dev, l.Inode)
	}
}

func ExampleFS_Swaps() {
	swaps, err := procfs.Default().Swaps()
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range swaps {
		fmt.Printf("%s (%s): %d of %d MiB used\n", s.Filename, s.Type, s.Used>>20, s.Size>>20)
	}
}

func ExampleFS_BootID() {
	id, err := procfs.Default().BootID()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("boot", id)
}
