package pidfd_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/signal"
)

// Start a child with a pidfd from clone (no PID-reuse window) and wait for
// it without blocking an OS thread.
func ExampleFromCmd() {
	var fdNum int
	cmd := exec.Command("/bin/sh", "-c", "exit 3")
	cmd.SysProcAttr = &syscall.SysProcAttr{PidFD: &fdNum}
	if err := cmd.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer cmd.Process.Release() // the runtime's own pidfd
	fd, err := pidfd.FromCmd(cmd)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer fd.Close()

	st, err := fd.Wait(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st)
	// Output: exit status 3
}

// Adopt the pidfd of a clone, whose PID the same call returned: no
// fdinfo read, no second pidfd.
func ExampleFromFileWithPID() {
	clone := -1
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", "exit 5"},
		&syscall.ProcAttr{Sys: &syscall.SysProcAttr{PidFD: &clone}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fd, err := pidfd.FromFileWithPID(os.NewFile(uintptr(clone), "clone"), pid)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer fd.Close()

	st, err := fd.Wait(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st)
	// Output: exit status 5
}

// Stop a child politely, then forcefully if it does not exit in time.
func ExampleFD_Signal() {
	cmd := exec.Command("/bin/sleep", "1000")
	if err := cmd.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer cmd.Process.Release()
	fd, err := pidfd.FromProcess(cmd.Process) // race-free: not yet waited for
	if err != nil {
		fmt.Println(err)
		return
	}
	defer fd.Close()

	fd.Signal(signal.Term, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := fd.WaitExited(ctx); errors.Is(err, context.DeadlineExceeded) {
		fd.Kill()
	}
	st, err := fd.Wait(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st)
	// Output: signal: SIGTERM
}

// Ask the kernel about a process; the answer is about the pidfd's process
// even if its PID has been reused since.
func ExampleFD_Info() {
	fd, err := pidfd.Self()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer fd.Close()
	info, err := fd.Info()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.PID == os.Getpid(), info.Creds.UID.Effective == cred.UID(os.Geteuid()))
	// Output: true true
}

// Compare process identities; an ID is never reused.
func ExampleSameProcess() {
	a, err := pidfd.Self()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close()
	b, err := pidfd.Open(os.Getpid(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	same, err := pidfd.SameProcess(a, b)
	if errors.Is(err, errors.ErrUnsupported) {
		fmt.Println(true) // before Linux 6.9 there are no pidfs IDs
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(same)
	// Output: true
}

// Open a process's network namespace as a file, for setns(2).
func ExampleFD_Namespace() {
	fd, err := pidfd.Self()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer fd.Close()
	f, err := fd.Namespace(ns.Net)
	if errors.Is(err, errors.ErrUnsupported) {
		// Before Linux 6.11: open /proc/PID/ns/net instead.
		fmt.Println("opened", ns.Net, "namespace")
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	fmt.Println("opened", ns.Net, "namespace")
	// Output: opened net namespace
}
