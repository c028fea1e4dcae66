package spawn_test

import (
	"bufio"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/procfs"
)

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
