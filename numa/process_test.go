package numa

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// waitSleeping waits until process pid is sleep, in state S: its execve
// is over.
func waitSleeping(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err == nil && strings.HasPrefix(string(b), strconv.Itoa(pid)+" (sleep) S ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d does not sleep: %q, %v", pid, b, err)
		}
		time.Sleep(time.Millisecond)
	}
}

// stackTop returns an address in the top page of process pid's stack,
// which is present while it runs, from /proc/PID/maps.
func stackTop(t *testing.T, pid int) uintptr {
	t.Helper()
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/maps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if strings.HasSuffix(s.Text(), "[stack]") {
			_, end, _ := strings.Cut(strings.Fields(s.Text())[0], "-")
			v, err := strconv.ParseUint(end, 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			return uintptr(v) - uintptr(os.Getpagesize())
		}
	}
	t.Fatalf("no [stack] in /proc/%d/maps", pid)
	return 0
}

// TestProcessPages: another process's pages, by address: where its
// stack's top page is, and moving it to the node it is on.
func TestProcessPages(t *testing.T) {
	nodes := memNodes(t, 1)
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep:", err)
	}
	cmd := exec.Command(sleep, "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	pid := cmd.Process.Pid
	// Start returns when execve closes the child's close-on-exec files,
	// before the kernel moves the new stack to its final place
	// (setup_arg_pages): wait until sleep itself runs, or the address
	// read may be unmapped by the time it is used.
	waitSleeping(t, pid)
	top := stackTop(t, pid)
	st, err := ProcessPageNodes(pid, []uintptr{top, 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[0].Err() != nil || !errors.Is(st[1].Err(), syscall.EFAULT) {
		t.Fatalf("ProcessPageNodes(stack top, 0) = %v, want a node and EFAULT", st)
	}
	node := st[0].Node()
	st, err = MoveProcessPages(pid, []uintptr{top}, []int{node}, st, nil)
	if err != nil || len(st) != 1 || st[0].Node() != node {
		t.Errorf("MoveProcessPages to node %d = %v, %v", node, st, err)
	}
	// Our own pages through the pid path, and MovePagesTo.
	b := mapPages(t, 2)
	touch(b)
	st, err = MovePagesTo(b, []int{nodes[0], nodes[len(nodes)-1]}, nil, nil)
	if err != nil || st[0].Node() != nodes[0] || st[1].Node() != nodes[len(nodes)-1] {
		t.Errorf("MovePagesTo = %v, %v", st, err)
	}
	self, err := ProcessPageNodes(os.Getpid(), []uintptr{addrOf(b), addrOf(b[os.Getpagesize():])}, nil)
	if err != nil || self[0] != st[0] || self[1] != st[1] {
		t.Errorf("ProcessPageNodes(self) = %v, %v; MovePagesTo said %v", self, err, st)
	}
}

func TestProcessPagesBadInput(t *testing.T) {
	requirePolicy(t)
	possible, err := Possible()
	if err != nil {
		t.Fatal(err)
	}
	b := mapPages(t, 2)
	for what, err := range map[string]error{
		"ProcessPageNodes pid 0": func() error { _, err := ProcessPageNodes(0, nil, nil); return err }(),
		"MoveProcessPages pid -1": func() error {
			_, err := MoveProcessPages(-1, []uintptr{0}, []int{0}, nil, nil)
			return err
		}(),
	} {
		var re *kernel.RangeError
		if !errors.As(err, &re) {
			t.Errorf("%s = %v, want a *kernel.RangeError", what, err)
		}
	}
	beyond := possible.Len()
	for what, err := range map[string]error{
		"MovePagesTo, a node too many": func() error { _, err := MovePagesTo(b, []int{0, 0, 0}, nil, nil); return err }(),
		"MovePagesTo, node beyond": func() error {
			_, err := MovePagesTo(b, []int{0, beyond}, nil, nil)
			return err
		}(),
		"MoveProcessPages, node beyond": func() error {
			_, err := MoveProcessPages(os.Getpid(), []uintptr{addrOf(b)}, []int{beyond}, nil, nil)
			return err
		}(),
	} {
		if !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%s = %v, want fs.ErrInvalid", what, err)
		}
	}
	if _, err := MoveProcessPages(os.Getpid(), []uintptr{addrOf(b)}, []int{beyond}, nil, nil); !strings.Contains(err.Error(), "node "+strconv.Itoa(beyond)) {
		t.Errorf("error %v does not name node %d", err, beyond)
	}
}

func TestInterleaveWeights(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		err  bool
	}{{"1\n", 1, false}, {"255\n", 255, false}, {"0\n", 0, true}, {"256\n", 0, true}, {"x\n", 0, true}, {"", 0, true}} {
		if got, err := parseWeight([]byte(tc.in)); got != tc.want || (err != nil) != tc.err {
			t.Errorf("parseWeight(%q) = %d, %v", tc.in, got, err)
		}
	}
	fsys, err := NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(fsys.fs.Sys, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := fsys.InterleaveWeight(0); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("InterleaveWeight without the directory = %v, want errors.ErrUnsupported", err)
	}
	// Write and read back in a tree of plain files.
	dir := filepath.Join(fsys.fs.Sys, "kernel", "mm", "mempolicy", "weighted_interleave")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "node1"), []byte("100\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fsys.SetInterleaveWeight(1, 7); err != nil {
		t.Fatal(err)
	}
	if w, err := fsys.InterleaveWeight(1); err != nil || w != 7 {
		t.Errorf("InterleaveWeight after setting 7 = %d, %v", w, err)
	}
	if _, err := fsys.InterleaveWeight(2); !errors.Is(err, fs.ErrNotExist) || errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("InterleaveWeight of a node without a file = %v, want fs.ErrNotExist", err)
	}
	for _, w := range []int{0, 256, -1} {
		var re *kernel.RangeError
		if err := fsys.SetInterleaveWeight(0, w); !errors.As(err, &re) || !strings.Contains(err.Error(), strconv.Itoa(w)) {
			t.Errorf("SetInterleaveWeight(0, %d) = %v, want a *kernel.RangeError naming it", w, err)
		}
	}

	nodes := memNodes(t, 1)
	n := nodes[0]
	old, err := InterleaveWeight(n)
	testutil.SkipIfUnsupported(t, err, kernel.Version{})
	if err != nil {
		t.Fatal(err)
	}
	if old < 1 || old > MaxInterleaveWeight {
		t.Fatalf("InterleaveWeight(%d) = %d", n, old)
	}
	// The weights are system-wide, and from 6.16 any write also turns
	// the kernel's automatic weights off, which a machine without
	// bandwidth tables cannot turn on again (ENODEV): the test changes a
	// weight only in a vmtest guest, and puts it back there.
	if os.Getenv("LX_VMTEST_GUEST") != "1" {
		return
	}
	testutil.RequireRoot(t)
	t.Cleanup(func() {
		if err := SetInterleaveWeight(n, old); err != nil {
			t.Error(err)
		}
	})
	want := old%MaxInterleaveWeight + 1
	if err := SetInterleaveWeight(n, want); err != nil {
		t.Fatal(err)
	}
	if got, err := InterleaveWeight(n); err != nil || got != want {
		t.Errorf("InterleaveWeight after setting %d = %d, %v", want, got, err)
	}
}
