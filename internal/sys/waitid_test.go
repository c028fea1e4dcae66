package sys

import (
	"errors"
	"os"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

func TestWaitidPidfd(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "exit 7")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Release()
	fd, err := PidfdOpen(cmd.Process.Pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	// Blocking waitid: the fd is not O_NONBLOCK.
	c, err := Waitid(P_PIDFD, fd.Int(), WEXITED)
	if err != nil {
		t.Fatal(err)
	}
	if c.Pid != cmd.Process.Pid || c.Code != abi.CLD_EXITED || c.Status != 7 || c.Uid != os.Getuid() {
		t.Errorf("waitid = %+v, want pid %d, CLD_EXITED, status 7", c, cmd.Process.Pid)
	}
	if _, err := Waitid(P_PIDFD, fd.Int(), WEXITED|WNOHANG); !errors.Is(err, ECHILD) {
		t.Errorf("second waitid: %v, want ECHILD", err)
	}
}

// A non-blocking pidfd of a running child answers EAGAIN without WNOHANG
// (Linux 5.10), which is what lets the poller wait on it.
func TestWaitidNonblockEAGAIN(t *testing.T) {
	cmd := exec.Command("/bin/sleep", "1000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	fd, err := PidfdOpen(cmd.Process.Pid, PIDFD_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	if _, err := Waitid(P_PIDFD, fd.Int(), WEXITED|unix.WNOWAIT); !errors.Is(err, EAGAIN) {
		t.Errorf("waitid on a running child's non-blocking pidfd = %v, want EAGAIN", err)
	}
}
