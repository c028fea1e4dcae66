package spawn_test

import (
	"bufio"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/procfs"
)

// withAdmin runs body with CAP_SYS_ADMIN over the namespaces it creates:
// in this process when the test runs with the capability (as root), and
// otherwise in a child of the test binary created in a new user
// namespace, where an ordinary user has every capability.
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

// proc opens pid in /proc, failing the test on error.
func proc(t testing.TB, pid int) procfs.Proc {
	t.Helper()
	p, err := procfs.Default().Proc(pid)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// nsOf returns the inode of pid's namespace of type typ (/proc/PID/ns).
func nsOf(t testing.TB, pid int, typ ns.Type) uint64 {
	t.Helper()
	id, err := proc(t, pid).Namespace(typ)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// threadNS returns the inode of the calling thread's namespace of type
// typ, from stat(2) of /proc/thread-self/ns/TYPE: what a goroutine sees
// on whatever thread it runs.
func threadNS(typ ns.Type) (uint64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/thread-self/ns/"+typ.String(), &st); err != nil {
		return 0, err
	}
	return st.Ino, nil
}

// pipe returns both ends of a pipe, closed at the end of the test.
func pipe(t testing.TB) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// lines reads n lines from r.
func lines(t testing.TB, r *bufio.Reader, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("line %d: %q, %v", i+1, l, err)
		}
		out[i] = strings.TrimSuffix(l, "\n")
	}
	return out
}
