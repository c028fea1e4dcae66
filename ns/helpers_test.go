package ns

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// idOf returns h's ID, failing the test on error.
func idOf(t *testing.T, h *Handle) ID {
	t.Helper()
	id, err := h.ID()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// current returns the calling thread's namespace of type typ, closed at
// the end of the test.
func current(t *testing.T, typ Type) *Handle {
	t.Helper()
	h, err := Current(typ)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// threadNS is the identity of the calling thread's namespace of type typ,
// from stat(2) of /proc/thread-self/ns/<typ>: what a goroutine sees on
// whatever thread it runs.
func threadNS(typ Type) (ID, error) {
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/thread-self/ns/"+typ.String(), &st); err != nil {
		return ID{}, err
	}
	return ID{Dev: st.Dev, Inode: st.Ino}, nil
}

// sleeper starts sleep(1) with cloneflags (CLONE_NEW* for its clone) and
// returns it with its pidfd; both are cleaned up at the end of the test.
func sleeper(t *testing.T, cloneflags uintptr) (*exec.Cmd, *os.File) {
	t.Helper()
	path, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep(1):", err)
	}
	pidfd := -1
	cmd := exec.Command(path, "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: cloneflags, PidFD: &pidfd, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(pidfd), "pidfd")
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
	})
	return cmd, f
}
