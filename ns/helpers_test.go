package ns

import (
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
)

// withAdmin runs body with CAP_SYS_ADMIN over the namespaces it creates:
// in this process when the test runs with the capability (as root), and
// otherwise in a child of the test binary created in a new user namespace,
// where an ordinary user has every capability. (This process cannot
// create a user namespace for itself: it is multithreaded.)
func withAdmin(t *testing.T, body func(t *testing.T)) {
	t.Helper()
	if testutil.HasCap(capability.SysAdmin) {
		body(t)
		return
	}
	testutil.RunInChild(t, &testutil.ChildOptions{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}},
	}, body)
}

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
