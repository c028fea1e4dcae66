package procfs_test

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"

	"github.com/lxgo/lx/procfs"
)

// Iterate over the mounts without copying them: the views are valid only
// inside the loop body.
func ExampleProc_MountInfoSeq() {
	self := procfs.Default().Self()
	for m, err := range self.MountInfoSeq() {
		if err != nil {
			log.Fatal(err)
		}
		if string(m.FSType) == "tmpfs" {
			fmt.Printf("%s on %s (%s)\n", m.Source, m.MountPoint, m.Flags)
		}
	}
}

func ExampleProc_MountInfo() {
	mounts, err := procfs.Default().Self().MountInfo()
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range mounts {
		if m.MountPoint == "/" {
			size, _ := m.SuperOption("size")
			fmt.Println(m.FSType, m.Source, m.Propagation, size)
		}
	}
}

func ExampleProc_Maps() {
	maps, err := procfs.Default().Self().Maps()
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range maps {
		if m.Perms&procfs.PermExec != 0 {
			fmt.Printf("%x-%x %v %s\n", m.Start, m.End, m.Perms, m.Path)
		}
	}
}

func ExampleProc_SmapsRollup() {
	r, err := procfs.Default().Self().SmapsRollup()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("RSS %d KiB, PSS %d KiB, swap %d KiB\n", r.Rss>>10, r.Pss>>10, r.Swap>>10)
}

// Find the mappings that use transparent huge pages.
func ExampleProc_SmapsSeq() {
	for s, err := range procfs.Default().Self().SmapsSeq() {
		if err != nil {
			log.Fatal(err)
		}
		if s.AnonHugePages > 0 {
			fmt.Printf("%x: %d MiB in huge pages (%v)\n", s.Start, s.AnonHugePages>>20, s.VmFlags)
		}
	}
}

func ExampleProc_FDs() {
	fds, err := procfs.Default().Self().FDs()
	if err != nil {
		log.Fatal(err)
	}
	for _, fd := range fds {
		switch fd.Kind {
		case procfs.FDSocket:
			fmt.Printf("%d: socket inode %d\n", fd.Num, fd.Inode)
		case procfs.FDAnonInode:
			fmt.Printf("%d: %s\n", fd.Num, fd.Name)
		default:
			fmt.Printf("%d: %s\n", fd.Num, fd.Target)
		}
	}
}

func ExampleProc_FDCount() {
	init, err := procfs.Default().Proc(1)
	if err != nil {
		log.Fatal(err)
	}
	n, err := init.FDCount()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("init has", n, "open files")
}

func ExampleProc_FDInfo() {
	info, err := procfs.Default().Self().FDInfo(0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.Flags, "mount", info.MntID, "offset", info.Pos)
}

// Two processes share a namespace when the inode numbers match.
func ExampleProc_Namespaces() {
	self, err := procfs.Default().Self().Namespaces()
	if err != nil {
		log.Fatal(err)
	}
	pp, err := procfs.Default().Proc(os.Getppid())
	if err != nil {
		log.Fatal(err)
	}
	parent, err := pp.Namespaces()
	if err != nil {
		log.Fatal(err)
	}
	for typ, ino := range self {
		if parent[typ] != ino {
			fmt.Println("not in the parent's", typ, "namespace")
		}
	}
}

func ExampleCgroups_Unified() {
	cgroups, err := procfs.Default().Self().Cgroups()
	if err != nil {
		log.Fatal(err)
	}
	if path, ok := cgroups.Unified(); ok {
		fmt.Println("cgroup v2:", path)
	}
	if path, ok := cgroups.Controller("memory"); ok {
		fmt.Println("v1 memory cgroup:", path)
	}
}

// Make a worker the OOM killer's first choice. Raising needs no
// privilege; lowering below the inherited floor needs CAP_SYS_RESOURCE.
func ExampleProc_SetOOMScoreAdj() {
	p := procfs.Default().Self()
	if err := p.SetOOMScoreAdj(procfs.OOMScoreAdjMax); err != nil {
		log.Fatal(err)
	}
	if err := p.SetOOMScoreAdj(procfs.OOMScoreAdjMin); errors.Is(err, fs.ErrPermission) {
		fmt.Println("lowering needs CAP_SYS_RESOURCE")
	}
}

func ExampleProc_LoginUID() {
	uid, err := procfs.Default().Self().LoginUID()
	if errors.Is(err, errors.ErrUnsupported) {
		fmt.Println("kernel without audit")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	if u, ok := uid.UID(); ok {
		fmt.Println("logged in as uid", u)
	} else {
		fmt.Println("not started from a login session")
	}
}

func ExampleProc_WChan() {
	init, err := procfs.Default().Proc(1)
	if err != nil {
		log.Fatal(err)
	}
	w, err := init.WChan()
	if err != nil {
		log.Fatal(err)
	}
	if w == "" {
		w = "(running or not visible)"
	}
	fmt.Println("init waits in", w)
}

func ExamplePerms_String() {
	fmt.Println(procfs.PermRead | procfs.PermExec)
	fmt.Println(procfs.PermRead | procfs.PermWrite | procfs.PermShared)
	// Output:
	// r-xp
	// rw-s
}

func ExampleVmFlags_String() {
	fmt.Println(procfs.VmRead | procfs.VmWrite | procfs.VmMayRead | procfs.VmMayWrite | procfs.VmAccount)
	// Output: rd wr mr mw ac
}

func ExampleOpenFlags_String() {
	fmt.Println(procfs.OpenReadWrite | procfs.OpenCloexec | procfs.OpenNonblock)
	// Output: O_RDWR|O_NONBLOCK|O_CLOEXEC
}
