package cli

// lx ns against util-linux's lsns, in a PID namespace of the test's own.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
)

// lsnsRow is one namespace of `lsns -J`, whose tree of processes
// (the default -T process) nests rows in "children".
type lsnsRow struct {
	NS       uint64    `json:"ns"`
	Type     string    `json:"type"`
	NProcs   int       `json:"nprocs"`
	PID      int       `json:"pid"`
	User     string    `json:"user"`
	Command  string    `json:"command"`
	Children []lsnsRow `json:"children"`
}

// runLsns runs lsns -J and returns its rows, flattened, by inode; err is
// lsns's failure with its output.
func runLsns(path string) (map[uint64]lsnsRow, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(path, "-J")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("lsns -J: %w (stdout %q, stderr %q)", err, stdout.String(), stderr.String())
	}
	var out struct {
		Namespaces []lsnsRow `json:"namespaces"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("lsns -J output: %w\n%s", err, stdout.String())
	}
	rows := map[uint64]lsnsRow{}
	var walk func([]lsnsRow) error
	walk = func(rs []lsnsRow) error {
		for _, r := range rs {
			if _, dup := rows[r.NS]; dup {
				return fmt.Errorf("lsns -J lists namespace %d twice", r.NS)
			}
			if err := walk(r.Children); err != nil {
				return err
			}
			r.Children = nil
			rows[r.NS] = r
		}
		return nil
	}
	return rows, walk(out.Namespaces)
}

// nsWorld is what TestNSMatchesLsns starts: processes in assorted new
// namespaces.
var nsWorld = []struct {
	name  string
	args  []string
	flags uintptr
}{
	{"plain", nil, 0},
	{"plain too", []string{"two words"}, 0},
	{"net", nil, syscall.CLONE_NEWNET},
	{") R 1 (x) S", []string{") R 1 (", "\xff"}, syscall.CLONE_NEWUTS | syscall.CLONE_NEWIPC},
	{"\xff\xfe in\xc3", []string{"\t"}, syscall.CLONE_NEWUSER | syscall.CLONE_NEWUTS},
	{"pid ns", nil, syscall.CLONE_NEWPID | syscall.CLONE_NEWNS},
	{"cgroup", nil, syscall.CLONE_NEWCGROUP | syscall.CLONE_NEWNET},
}

// TestNSMatchesLsns compares lx ns --json with lsns -J: the same
// namespaces, each with the same type, number of processes and lowest
// process. It cannot look at the machine's own processes: lsns 2.38
// prints nothing and fails when any process has a newline in its command
// name (CI runs such processes on purpose). So it runs in a child in a
// new PID and mount namespace, with a proc of its own mounted at /proc,
// where the only processes are the test binary (pid 1) and what it
// starts: processes in assorted new namespaces, names that break naive
// /proc/PID/stat parsers (without a newline, first), and a zombie. An
// unprivileged run creates a user namespace for the child as well.
// Finally it adds a process with a newline in its name: lx ns reads it
// exactly, and lsns either agrees (util-linux 2.41 and later) or fails,
// which the test logs.
func TestNSMatchesLsns(t *testing.T) {
	lsns, err := exec.LookPath("lsns")
	if err != nil {
		t.Skip("no lsns:", err)
	}
	opts := &testutil.ChildOptions{Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWNS}
	if !testutil.HasCap(capability.SysAdmin) {
		u := ownUserNS(0)
		opts.Cloneflags |= u.Cloneflags
		opts.UidMappings, opts.GidMappings = u.UidMappings, u.GidMappings
		if !testutil.InChild() {
			probe := exec.Command("/proc/self/exe", "-test.run=^$")
			probe.SysProcAttr = &syscall.SysProcAttr{Cloneflags: opts.Cloneflags, UidMappings: u.UidMappings, GidMappings: u.GidMappings}
			if err := probe.Run(); err != nil {
				testutil.SkipIfUnsupported(t, err, kernel.Version{})
				t.Fatalf("child in new user, PID and mount namespaces: %v", err)
			}
		}
	}
	testutil.RunInChild(t, opts, func(t *testing.T) {
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mount("proc", "/proc", "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
			testutil.SkipIfUnsupported(t, err, kernel.Version{})
			t.Fatal(err)
		}
		if os.Getpid() != 1 {
			t.Fatalf("pid %d in the new PID namespace, want 1", os.Getpid())
		}
		for _, p := range nsWorld {
			attr := &syscall.SysProcAttr{Cloneflags: p.flags}
			if p.flags&syscall.CLONE_NEWUSER != 0 {
				attr = ownUserNS(p.flags &^ syscall.CLONE_NEWUSER) // root of the test's (perhaps new) user namespace
			}
			startInNamespaces(t, p.name, p.args, attr)
		}
		startZombie(t)
		compareLsns(t, lsns)

		// A newline in a command name.
		spec := hostileSpecs[0]
		h := startInNamespaces(t, spec.name, spec.args, &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUTS})
		r, _ := lxNS(t)
		if !slices.ContainsFunc(r.Namespaces, func(n nsUseJSON) bool { return n.PID == h.pid && string(n.Comm) == h.comm }) {
			t.Errorf("lx ns --json lacks process %d with comm %q", h.pid, h.comm)
		}
		if _, err := runLsns(lsns); err != nil {
			t.Logf("lsns fails with a newline in a command name (util-linux before 2.41 reads only the first line of /proc/PID/stat): %v", err)
			return
		}
		compareLsns(t, lsns)
	})
}

// startZombie starts a process that exits at once and is not reaped
// until the test ends.
func startZombie(t *testing.T) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", "exit 0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Wait() })
	waitState(t, cmd.Process.Pid, "Z")
}

// compareLsns runs lsns, lx ns and lsns again, and compares them. lsns
// counts itself: it is in the test's own namespaces, where it finds one
// process more than lx ns run by the test.
func compareLsns(t *testing.T, lsns string) {
	t.Helper()
	before, err := runLsns(lsns)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := lxNS(t)
	after, err := runLsns(lsns)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Fatalf("lsns changed its mind while lx ran:\n%v\n%v", before, after)
	}
	own, err := procfs.Default().Self().Namespaces()
	if err != nil {
		t.Fatal(err)
	}
	mine := map[uint64]bool{}
	for _, ino := range own {
		mine[ino] = true
	}
	var diffs []string
	for _, n := range r.Namespaces {
		l, ok := before[n.Inode]
		want := n.Procs
		if mine[n.Inode] {
			want++
		}
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s %d: lx only (%d processes, pid %d)", n.Type, n.Inode, n.Procs, n.PID))
		case l.Type != n.Type || l.NProcs != want || l.PID != n.PID:
			diffs = append(diffs, fmt.Sprintf("%s %d: lx %s, %d+%d processes, pid %d; lsns %s, %d processes, pid %d",
				n.Type, n.Inode, n.Type, n.Procs, want-n.Procs, n.PID, l.Type, l.NProcs, l.PID))
		case isPlainASCII(l.Command) && l.Command != lsnsCommand(n):
			diffs = append(diffs, fmt.Sprintf("%s %d: command %q, lsns %q", n.Type, n.Inode, lsnsCommand(n), l.Command))
		}
		delete(before, n.Inode)
	}
	for ino, l := range before {
		diffs = append(diffs, fmt.Sprintf("%s %d: lsns only (%d processes, pid %d)", l.Type, ino, l.NProcs, l.PID))
	}
	switch {
	case len(diffs) > 0:
		t.Errorf("lx ns and lsns differ:\n%s", strings.Join(diffs, "\n"))
	case len(r.Namespaces) < 8+len(nsWorld):
		t.Errorf("only %d namespaces", len(r.Namespaces))
	default:
		t.Logf("lx ns and lsns agree on %d namespaces", len(r.Namespaces))
	}
}

// lsnsCommand is the COMMAND lsns shows: the arguments joined by spaces,
// or the command name when there are none (procfs.NamespaceUse.Command).
func lsnsCommand(n nsUseJSON) string {
	if len(n.Cmdline) == 0 {
		return string(n.Comm)
	}
	return strings.Join(exacts(n.Cmdline), " ")
}

// isPlainASCII reports whether s is printable ASCII, which lsns prints
// unchanged.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
