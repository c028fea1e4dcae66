package procfs_test

import (
	"fmt"
	"os"

	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/procfs"
)

// List the namespaces of the system as lsns(8) does: each with its
// number of processes and the lowest of them.
func ExampleFS_NamespaceUsage() {
	u, err := procfs.Default().NamespaceUsage(&procfs.NamespaceUsageOptions{Types: []ns.Type{ns.Net, ns.UTS}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range u.Namespaces {
		fmt.Printf("%d %-4s %3d procs, pid %d: %q\n", n.Inode, n.Type, n.Procs, n.PID, n.Command())
	}
	if len(u.Denied) > 0 {
		fmt.Printf("%d processes not readable\n", len(u.Denied))
	}
}

// The namespaces one process is in, with every process of each counted
// (lsns -p PID).
func ExampleNamespaceUsageOptions_pid() {
	u, err := procfs.Default().NamespaceUsage(&procfs.NamespaceUsageOptions{PID: os.Getpid()})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range u.Namespaces {
		if n.Type == ns.User {
			fmt.Println("user namespace has processes:", n.Procs > 0)
		}
	}
	// Output: user namespace has processes: true
}

// The user and group id maps of a process's user namespace. In the
// initial user namespace every id maps to itself.
func ExampleProc_UIDMap() {
	p := procfs.Default().Self()
	uids, err := p.UIDMap()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range uids {
		fmt.Printf("ids %d..%d are %d..%d outside\n", e.Inside, uint64(e.Inside)+uint64(e.Count)-1, e.Outside, uint64(e.Outside)+uint64(e.Count)-1)
	}
	policy, err := p.Setgroups()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("setgroups:", policy)
}

// The clock offsets of the time namespace a process's children are in.
func ExampleProc_TimeOffsets() {
	o, err := procfs.Default().Self().TimeOffsets()
	if err != nil {
		fmt.Println(err) // fs.ErrNotExist before Linux 5.6
		return
	}
	fmt.Println("monotonic clock ahead by", o.Monotonic, "boot time clock by", o.Boottime)
}
