package procfs_test

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
)

// A view of another system's /proc: a testdata tree here, a container's
// /proc/PID/root in practice. root stands for "/" of that system.
func ExampleNewFS() {
	fsys, err := procfs.NewFS("testdata/proctree")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(fsys.Root(), fsys.MountPoint())
	// Output: testdata/proctree testdata/proctree/proc
}

// FS.Proc checks the pid before anything reaches the kernel, and tells a
// pid that names no process from a process that has exited.
func ExampleFS_Proc() {
	fsys, err := procfs.NewFS("testdata/proctree")
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = fsys.Proc(-1) // kill(-1) would mean every process
	fmt.Println(errors.Is(err, fs.ErrInvalid), err)
	_, err = fsys.Proc(7)
	fmt.Println(errors.Is(err, syscall.ESRCH), errors.Is(err, os.ErrProcessDone), err)
	var np *procfs.NoProcessError
	fmt.Println(errors.As(err, &np), np.PID, np.ThreadOf)
	// Output:
	// true procfs open: invalid pid -1: want 1..2147483647
	// true false procfs: no such process: pid 7
	// true 7 0
}

// Open a process race-free: every read describes the process that had the
// pid when OpenProc ran, or reports that it has exited.
func ExampleFS_OpenProc() {
	cmd := exec.Command("sleep", "10")
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	p, err := procfs.Default().OpenProc(cmd.Process.Pid)
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	fmt.Println("anchored:", p.Anchored())
	// A pidfd of its own, for pidfd.FromFile or pidfd_send_signal(2).
	if f, err := p.PidFD(); err == nil {
		f.Close()
	}
	cmd.Process.Kill()
	cmd.Wait()
	_, err = p.Stat()
	fmt.Println("exited:", errors.Is(err, os.ErrProcessDone))
	// Output:
	// anchored: true
	// exited: true
}

// A malformed file is a *ParseError naming the file, the line and the key.
func ExampleParseError() {
	fsys, err := procfs.NewFS("testdata/proctree")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := fsys.Proc(1)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = p.Status()
	var pe *procfs.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Path, pe.Line, pe.Key)
	}
	// Output: testdata/proctree/proc/1/status 2 Pid
}

// When a process started, to the precision of its 10 ms start time: the
// boot time comes from kernel.BootTime, not /proc/stat's whole seconds.
func ExampleStat_StartedAt() {
	boot, err := kernel.BootTime()
	if err != nil {
		log.Fatal(err)
	}
	st, err := procfs.Default().Self().Stat()
	if err != nil {
		log.Fatal(err)
	}
	started := st.StartedAt(boot)
	fmt.Println("started", time.Since(started).Round(time.Second), "ago")
}

// The executable of a process, and whether it was deleted since (a
// package upgrade replaced it while it ran).
func ExampleProc_Exe() {
	exe, err := procfs.Default().Self().Exe()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(exe.Path(), "deleted:", exe.Deleted)
}

// The controlling terminal's name, as ps prints it in its TTY column.
func ExampleTTYDrivers_Name() {
	fsys, err := procfs.NewFS("testdata/proctree")
	if err != nil {
		fmt.Println(err)
		return
	}
	drivers, err := fsys.TTYDrivers()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, dev := range []procfs.Dev{{Major: 136, Minor: 3}, {Major: 4, Minor: 1}, {Major: 4, Minor: 64}, {Major: 188, Minor: 0}, {}} {
		name, ok := drivers.Name(dev)
		fmt.Printf("%v %q %v\n", dev, name, ok)
	}
	// Output:
	// 136:3 "pts/3" true
	// 4:1 "tty1" true
	// 4:64 "ttyS0" true
	// 188:0 "ttyUSB0" true
	// 0:0 "" false
}
