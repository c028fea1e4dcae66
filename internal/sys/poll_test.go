package sys

import (
	"os/exec"
	"testing"
)

// WaitReadable on a non-blocking pidfd returns once the child has
// exited, and leaves it to be reaped.
func TestWaitReadablePidfd(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "exit 9")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Release()
	fd, err := PidfdOpen(cmd.Process.Pid, PIDFD_NONBLOCK)
	if err != nil {
		if IsNotSupported(err) {
			t.Skipf("pidfd_open with PIDFD_NONBLOCK: %v", err)
		}
		t.Fatal(err)
	}
	defer fd.Close()
	if err := WaitReadable(fd.Int()); err != nil {
		t.Fatal(err)
	}
	c, err := Waitid(P_PID, cmd.Process.Pid, WEXITED|WNOHANG)
	if err != nil || c.Pid != cmd.Process.Pid || c.Status != 9 {
		t.Errorf("reap after WaitReadable: %+v, %v; want exit status 9", c, err)
	}
}
