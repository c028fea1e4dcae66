package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/procfs"
)

// nsReportJSON is `lx ns --json` as a consumer decodes it; decodeOne
// rejects fields it lacks, so it is also the schema.
type nsReportJSON struct {
	Namespaces []nsUseJSON       `json:"namespaces"`
	Denied     []int             `json:"denied"`
	UserNames  map[string]exact  `json:"user_names"`
	Unavail    map[string]string `json:"unavailable"`
}

type nsUseJSON struct {
	Type       string
	Inode      uint64
	Procs      int
	PID, PPID  int
	UID        uint32
	Comm       exact
	Cmdline    []exact
	Owner      uint64
	Parent     uint64
	BindMounts []exact
	Err        *string
}

// lxNS runs lx ns --json with args and decodes it; it fails the test
// unless lx succeeds. Its stderr is returned.
func lxNS(t *testing.T, args ...string) (nsReportJSON, string) {
	t.Helper()
	args = append([]string{"ns", "--json"}, args...)
	stdout, stderr, code := runLX(t, args...)
	if code != ExitOK {
		t.Fatalf("lx %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, stderr)
	}
	var r nsReportJSON
	if err := decodeOne(stdout, &r); err != nil {
		t.Fatalf("lx ns --json does not parse back: %v\n%s", err, stdout)
	}
	return r, stderr
}

// find returns the namespace with inode ino.
func (r nsReportJSON) find(ino uint64) (nsUseJSON, bool) {
	i := slices.IndexFunc(r.Namespaces, func(n nsUseJSON) bool { return n.Inode == ino })
	if i < 0 {
		return nsUseJSON{}, false
	}
	return r.Namespaces[i], true
}

// TestNSOwn finds the test's own namespaces in lx ns's table and JSON.
func TestNSOwn(t *testing.T) {
	own, err := procfs.Default().Self().Namespaces()
	if err != nil {
		t.Fatal(err)
	}
	r, _ := lxNS(t)
	if slices.Contains(r.Denied, os.Getpid()) {
		t.Errorf("own process denied")
	}
	for _, typ := range []ns.Type{ns.Mnt, ns.Net, ns.PID, ns.User, ns.UTS, ns.IPC} {
		n, ok := r.find(own[typ])
		if !ok || n.Type != typ.String() || n.Procs < 1 || n.PID > os.Getpid() || n.PID < 1 {
			t.Errorf("own %v namespace %d: %+v, %v", typ, own[typ], n, ok)
		}
	}
	if r.UserNames[strconv.Itoa(os.Geteuid())] == "" && os.Geteuid() == 0 {
		t.Errorf("user_names lacks root: %v", r.UserNames)
	}
	stdout, _, code := runLX(t, "ns")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != ExitOK || len(lines) < 2 || strings.Join(strings.Fields(lines[0]), " ") != "NS TYPE NPROCS PID USER COMMAND" {
		t.Errorf("lx ns: exit %d\n%s", code, stdout)
	}
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, strconv.FormatUint(own[ns.Net], 10)+" ") }) {
		t.Errorf("lx ns lacks the own network namespace %d:\n%s", own[ns.Net], stdout)
	}
	// One process: its namespaces, in increasing order.
	mine, _ := lxNS(t, strconv.Itoa(os.Getpid()))
	var got []uint64
	for _, n := range mine.Namespaces {
		got = append(got, n.Inode)
	}
	var want []uint64
	for typ, ino := range own {
		if typ.Base() == typ {
			want = append(want, ino)
		}
	}
	slices.Sort(want)
	if !slices.Equal(got, slices.Compact(want)) {
		t.Errorf("lx ns %d: %v, want %v", os.Getpid(), got, want)
	}
	// A type and columns.
	stdout, _, code = runLX(t, "ns", "-t", "net", "-o", "ns,type,nprocs,pid,ppid,uid,user,pns,ons,nsfs,path,command")
	lines = strings.Split(strings.TrimSpace(stdout), "\n")
	if code != ExitOK || strings.Join(strings.Fields(lines[0]), " ") != "NS TYPE NPROCS PID PPID UID USER PNS ONS NSFS PATH COMMAND" {
		t.Errorf("lx ns -t net -o ...: exit %d\n%s", code, stdout)
	}
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) < 2 || f[1] != "net" {
			t.Errorf("lx ns -t net: line %q", l)
		}
	}
}

func TestNSUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"ns", "-t", "pid_for_children"}, ExitUsage, `unknown namespace type "pid_for_children"`},
		{[]string{"ns", "-t", "net,bogus"}, ExitUsage, `unknown namespace type "bogus"`},
		{[]string{"ns", "-o", "ns,netnsid"}, ExitUsage, `unknown column "netnsid" (columns: ns, type, path`},
		{[]string{"ns", "1", "2"}, ExitUsage, "want at most one process id, got 2 arguments"},
		{[]string{"ns", "0"}, ExitUsage, "invalid process id 0"},
		{[]string{"ns", "x"}, ExitUsage, `invalid process id "x"`},
		{[]string{"ns", strconv.Itoa(kernel.MaxPID)}, ExitError, "process 2147483647: no such process"},
	} {
		stdout, stderr, code := runLX(t, tc.args...)
		if code != tc.code || stdout != "" || !strings.Contains(stderr, tc.msg) {
			t.Errorf("lx %s: exit %d, stdout %q, stderr %q; want %d and %q", strings.Join(tc.args, " "), code, stdout, stderr, tc.code, tc.msg)
		}
	}
}

func TestNSHelp(t *testing.T) {
	stdout, _, code := runLX(t, "help", "ns")
	for _, want := range []string{"usage: lx ns [flags] [pid]", "NPROCS", "ONS", "procfs.NamespaceUse", "-threads", "-held", "denied"} {
		if code != ExitOK || !strings.Contains(stdout, want) {
			t.Errorf("lx help ns lacks %q", want)
		}
	}
	if stdout, _, _ := runLX(t, "help", "json"); !strings.Contains(stdout, "lx ns") {
		t.Errorf("lx help json does not mention lx ns")
	}
}

// startInNamespaces starts /bin/sh through a symbolic link called name
// (its command name), blocked reading stdin, with attr's Cloneflags. A
// clone the caller may not make skips the test. Cleanup ends it.
func startInNamespaces(t *testing.T, name string, args []string, attr *syscall.SysProcAttr) hostile {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.Symlink("/bin/sh", path); err != nil {
		t.Fatal(err)
	}
	cmd := &exec.Cmd{Path: path, Args: append([]string{name, "-c", "read x"}, args...), SysProcAttr: attr}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		t.Fatalf("start %q: %v", name, err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	waitState(t, cmd.Process.Pid, "S")
	return hostile{pid: cmd.Process.Pid, comm: name[:min(len(name), 15)], args: cmd.Args}
}

// ownUserNS is the SysProcAttr of a process in a new user namespace
// (with more in extra) in which it is root, mapped to the caller: what an
// unprivileged caller may create.
func ownUserNS(extra uintptr) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | extra,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
}

// TestNSHostile starts processes with hostile names and arguments, each
// the only process of a new UTS namespace, on this machine, whatever
// else runs on it: lx ns shows each exactly in --json and escaped in its
// table, as lx ps does.
func TestNSHostile(t *testing.T) {
	var hs []hostile
	for _, spec := range hostileSpecs {
		hs = append(hs, startInNamespaces(t, spec.name, spec.args, ownUserNS(syscall.CLONE_NEWUTS)))
	}
	r, _ := lxNS(t, "-t", "uts")
	stdout, _, code := runLX(t, "ns", "-t", "uts", "-o", "pid,command")
	if code != ExitOK {
		t.Fatalf("lx ns: exit %d", code)
	}
	for _, h := range hs {
		ino, err := mustProc(t, h.pid).Namespace(ns.UTS)
		if err != nil {
			t.Fatal(err)
		}
		n, ok := r.find(ino)
		if !ok || n.PID != h.pid || n.Procs != 1 || string(n.Comm) != h.comm || !slices.Equal(exacts(n.Cmdline), h.args) {
			t.Errorf("process %d (comm %q): %+v, %v", h.pid, h.comm, n, ok)
		}
		pid, command := strconv.Itoa(h.pid), quoteArgs(h.args)
		if !slices.ContainsFunc(strings.Split(stdout, "\n"), func(l string) bool {
			rest, ok := strings.CutPrefix(l, pid+" ")
			return ok && strings.TrimLeft(rest, " ") == command
		}) {
			t.Errorf("lx ns table lacks pid %s with %s:\n%s", pid, command, stdout)
		}
	}
}

func mustProc(t *testing.T, pid int) procfs.Proc {
	t.Helper()
	p, err := procfs.Default().Proc(pid)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNSUnprivileged runs lx ns as nobody: it lists the namespaces of
// the processes it may read, counts the others nowhere, says so on
// stderr, and exits with 0.
func TestNSUnprivileged(t *testing.T) {
	testutil.RunInChild(t, &testutil.ChildOptions{
		Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{}},
	}, func(t *testing.T) {
		r, _ := lxNS(t)
		if !slices.Contains(r.Denied, os.Getppid()) {
			t.Errorf("the parent (root) %d is not denied: %v", os.Getppid(), r.Denied)
		}
		net, err := mustProc(t, os.Getpid()).Namespace(ns.Net)
		if err != nil {
			t.Fatal(err)
		}
		if n, ok := r.find(net); !ok || n.Procs < 1 || n.PID > os.Getpid() {
			t.Errorf("own network namespace %d: %+v, %v", net, n, ok)
		}
		stdout, stderr, code := runLX(t, "ns")
		if code != ExitOK || !strings.Contains(stdout, "NPROCS") || !strings.Contains(stderr, "not counted: lx may not read their namespaces") {
			t.Errorf("lx ns as nobody: exit %d, stderr %q", code, stderr)
		}
	})
}

// TestNSHeld: with --held, a user namespace that only a descriptor of
// the test keeps alive is listed with no process, and its table row has
// empty PID and COMMAND cells.
func TestNSHeld(t *testing.T) {
	h, err := ns.NewUser(nil)
	testutil.SkipIfUnsupported(t, err, kernel.Version{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	id, err := h.ID()
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := lxNS(t, "-t", "user"); slices.ContainsFunc(r.Namespaces, func(n nsUseJSON) bool { return n.Inode == id.Inode }) {
		t.Errorf("namespace %d without a process listed without --held", id.Inode)
	}
	r, _ := lxNS(t, "--held", "-t", "user")
	if n, ok := r.find(id.Inode); !ok || n.Procs != 0 || n.PID != 0 || n.UID != uint32(os.Geteuid()) || n.Err != nil {
		t.Errorf("held namespace %d: %+v, %v", id.Inode, n, ok)
	}
	stdout, _, code := runLX(t, "ns", "--held", "-t", "user", "-o", "ns,nprocs,pid,command")
	ino := strconv.FormatUint(id.Inode, 10)
	if i := strings.Index(stdout, ino+"  0\n"); code != ExitOK || i < 0 || (i > 0 && stdout[i-1] != '\n') {
		t.Errorf("lx ns --held: no row %q:\n%s", ino+"  0", stdout)
	}
}
