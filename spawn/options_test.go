package spawn_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/cgroup"
	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/landlock"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/rlimit"
	"github.com/lxgo/lx/spawn"
)

// TestExtraFiles passes a pipe as fd 3, nothing as fd 4 and a file as
// fd 5, and checks from outside that the child has fds 0 to 3 and 5, the
// ones given, and no other fd of this process unless this process has it
// without close-on-exec (inherited from whoever started the test) and
// CloseOtherFDs is off.
func TestExtraFiles(t *testing.T) {
	for _, closeOther := range []bool{false, true} {
		want := []int{0, 1, 2, 3, 5}
		if !closeOther {
			want = append(want, inheritable(t, 6)...)
		}
		r3, w3 := pipe(t)
		stdin, ping := pipe(t)
		pong, stdout := pipe(t)
		f5, err := os.Create(filepath.Join(t.TempDir(), "five"))
		if err != nil {
			t.Fatal(err)
		}
		defer f5.Close()
		p := start(t, &spawn.Command{
			Path:          lookPath(t, "sh"),
			Args:          []string{"sh", "-c", "echo ready >&3; echo five >&5; exec cat"},
			Env:           []string{}, // cat opens no locale files
			Stdin:         stdin,
			Stdout:        stdout,
			ExtraFiles:    []*os.File{w3, nil, f5},
			CloseOtherFDs: closeOther,
		})
		w3.Close()
		if l := lines(t, bufio.NewReader(r3), 1); l[0] != "ready" {
			t.Fatalf("fd 3 gave %q", l)
		}
		// An echo from cat: the shell has exec'd it.
		if _, err := ping.Write([]byte("ping\n")); err != nil {
			t.Fatal(err)
		}
		if l := lines(t, bufio.NewReader(pong), 1); l[0] != "ping" {
			t.Fatalf("cat echoed %q", l)
		}
		fds, err := proc(t, p.PID()).FDs()
		if err != nil {
			t.Fatal(err)
		}
		var nums []int
		for _, fd := range fds {
			nums = append(nums, fd.Num)
		}
		if !slices.Equal(nums, want) {
			t.Errorf("CloseOtherFDs %v: child's fds %v (%v), want %v", closeOther, nums, fds, want)
		}
		if b, err := os.ReadFile(f5.Name()); err != nil || string(b) != "five\n" {
			t.Errorf("fd 5 wrote %q, %v", b, err)
		}
	}
}

// inheritable lists this process's fds from first up that are not
// close-on-exec.
func inheritable(t *testing.T, first int) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var fds []int
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd < first {
			continue
		}
		flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
		if errno == 0 && flags&syscall.FD_CLOEXEC == 0 {
			fds = append(fds, fd)
		}
	}
	slices.Sort(fds)
	return fds
}

// TestCgroup starts a child in a new child cgroup of the unified
// hierarchy, which the test creates and removes, given as a
// *cgroup.Cgroup and as a directory.
func TestCgroup(t *testing.T) {
	root, err := cgroup.Open("/")
	if err != nil {
		t.Skipf("no cgroup v2 hierarchy: %v", err)
	}
	defer root.Close()
	name := fmt.Sprintf("lx-spawn-test-%d", os.Getpid())
	cg, err := root.NewChild(name)
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cg.Remove(context.Background(), nil); err != nil {
			t.Error(err)
		}
		cg.Close()
	})
	dir, err := os.Open(cg.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	cat := lookPath(t, "cat")
	cs := []*spawn.Command{
		{Path: cat, Args: []string{"cat", "/proc/self/cgroup"}, Cgroup: cg},
		{Path: cat, Args: []string{"cat", "/proc/self/cgroup"}, CgroupDir: dir},
	}
	// CLONE_INTO_CGROUP from a thread that Landlock forbids to write any
	// file: the kernel checks the cgroup's permissions, not a path.
	if rs, err := landlock.New(&landlock.Options{HandledFS: landlock.WriteFile}); err == nil {
		defer rs.Close()
		cs = append(cs, &spawn.Command{Path: cat, Args: []string{"cat", "/proc/self/cgroup"}, Cgroup: cg, Landlock: rs})
	} else if !errors.Is(err, errors.ErrUnsupported) {
		t.Fatal(err)
	}
	for _, c := range cs {
		out, st := output(t, c)
		if !st.Success() || !strings.Contains(out, "\n0::/"+name+"\n") && !strings.HasPrefix(out, "0::/"+name+"\n") {
			t.Errorf("child's /proc/self/cgroup:\n%s(%v), want 0::/%s", out, st, name)
		}
	}
	// Both are borrowed, not closed.
	if _, err := dir.Stat(); err != nil {
		t.Errorf("cgroup directory after Start: %v", err)
	}
	if _, err := cg.Controllers(); err != nil {
		t.Errorf("cgroup handle after Start: %v", err)
	}
	// Refused before anything starts: both at once, a directory that is
	// not on cgroup v2, a cgroup of a fixture tree.
	if _, err := (&spawn.Command{Path: "/bin/true", Cgroup: cg, CgroupDir: dir}).Start(); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Cgroup and CgroupDir: %v, want fs.ErrInvalid", err)
	}
	tmp, err := os.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Close()
	if _, err := (&spawn.Command{Path: "/bin/true", CgroupDir: tmp}).Start(); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("cgroup on a plain directory: %v, want fs.ErrInvalid", err)
	}
	fixture := t.TempDir()
	if err := os.MkdirAll(fixture+"/sys/fs/cgroup", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fixture+"/sys/fs/cgroup/cgroup.controllers", []byte("cpu\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ffs, err := cgroup.NewFS(fixture)
	if err != nil {
		t.Fatal(err)
	}
	fcg, err := ffs.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	defer fcg.Close()
	if _, err := (&spawn.Command{Path: "/bin/true", Cgroup: fcg}).Start(); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("cgroup of a fixture tree: %v, want fs.ErrInvalid", err)
	}
}

// idLines runs id(1) for -u, -g and -G in c and returns the three lines.
func idLines(t *testing.T, c *spawn.Command) []string {
	t.Helper()
	c.Path, c.Args, c.Dir = lookPath(t, "sh"), []string{"sh", "-c", "id -u; id -g; id -G"}, "/"
	out, st := output(t, c)
	if !st.Success() {
		t.Fatalf("id: %v, %q", st, out)
	}
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

func TestCredentials(t *testing.T) {
	t.Run("root", func(t *testing.T) {
		testutil.RequireCap(t, capability.Setuid)
		testutil.RequireCap(t, capability.Setgid)
		got := idLines(t, &spawn.Command{Credentials: &spawn.Credentials{UID: 65534, GID: 65533, Groups: []cred.GID{100, 65532}}})
		if want := []string{"65534", "65533", "65533 100 65532"}; !slices.Equal(got, want) {
			t.Errorf("ids %q, want %q", got, want)
		}
		got = idLines(t, &spawn.Command{Credentials: &spawn.Credentials{UID: 65534, GID: 65534}})
		if want := []string{"65534", "65534", "65534"}; !slices.Equal(got, want) {
			t.Errorf("ids without groups %q, want %q", got, want)
		}
	})
	t.Run("user namespace", func(t *testing.T) {
		// Root of a new user namespace may take any mapped id; with
		// setgroups denied it keeps its groups.
		got := idLines(t, &spawn.Command{
			NewNamespaces: ns.CloneNewUser,
			UIDMap:        ns.IDMap{{Inside: 1000, Outside: uint32(os.Geteuid()), Count: 1}},
			GIDMap:        ns.IDMap{{Inside: 1000, Outside: uint32(os.Getegid()), Count: 1}},
			Credentials:   &spawn.Credentials{UID: 1000, GID: 1000},
		})
		if got[0] != "1000" || got[1] != "1000" {
			t.Errorf("ids %q, want uid and gid 1000", got)
		}
		// An id outside the maps is refused before anything starts.
		for _, cr := range []spawn.Credentials{{UID: 5, GID: 1000}, {UID: 1000, GID: 5}, {UID: 1000, GID: 1000, Groups: []cred.GID{5}}} {
			_, err := (&spawn.Command{
				Path:          "/bin/true",
				NewNamespaces: ns.CloneNewUser,
				UIDMap:        ns.IDMap{{Inside: 1000, Outside: uint32(os.Geteuid()), Count: 1}},
				GIDMap:        ns.IDMap{{Inside: 1000, Outside: uint32(os.Getegid()), Count: 1}},
				Setgroups:     ns.SetgroupsAllow,
				Credentials:   &cr,
			}).Start()
			if !errors.Is(err, fs.ErrInvalid) {
				t.Errorf("unmapped %+v: %v, want fs.ErrInvalid", cr, err)
			}
		}
	})
}

// limitRE matches a line of /proc/PID/limits: name, soft, hard.
var limitRE = regexp.MustCompile(`(?m)^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)`)

// limits runs cat /proc/self/limits in c and returns soft:hard by name.
func limits(t *testing.T, c *spawn.Command) map[string]string {
	t.Helper()
	c.Path, c.Args = lookPath(t, "cat"), []string{"cat", "/proc/self/limits"}
	out, st := output(t, c)
	if !st.Success() {
		t.Fatalf("cat: %v", st)
	}
	m := map[string]string{}
	for _, l := range limitRE.FindAllStringSubmatch(out, -1) {
		m[l[1]] = l[2] + ":" + l[3]
	}
	return m
}

// TestRlimits lowers limits of a child, as anyone may, and as the root
// of a new user namespace; raising a hard limit without CAP_SYS_RESOURCE
// fails at its step.
func TestRlimits(t *testing.T) {
	set := map[rlimit.Resource]rlimit.Limit{
		rlimit.NoFile: {Soft: 100, Hard: 200},
		rlimit.Core:   {Soft: 0, Hard: 0},
		rlimit.FSize:  {Soft: 1 << 20, Hard: rlimit.Unlimited},
	}
	want := map[string]string{"Max open files": "100:200", "Max core file size": "0:0", "Max file size": "1048576:unlimited"}
	var ours syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &ours); err != nil || ours.Max != uint64(rlimit.Unlimited) {
		delete(set, rlimit.FSize) // cannot be raised back to unlimited
		delete(want, "Max file size")
	}
	for _, c := range []*spawn.Command{
		{Rlimits: set},
		{Rlimits: set, NewNamespaces: ns.CloneNewUser, UIDMap: ns.IDMap{{Inside: 0, Outside: uint32(os.Geteuid()), Count: 1}}},
	} {
		got := limits(t, c)
		for name, w := range want {
			if got[name] != w {
				t.Errorf("%v: %s %q, want %q", c.NewNamespaces, name, got[name], w)
			}
		}
	}
	if testutil.HasCap(capability.SysResource) {
		return
	}
	var nofile syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &nofile); err != nil || nofile.Max == uint64(rlimit.Unlimited) {
		t.Skip("NOFILE hard limit unlimited")
	}
	_, err := (&spawn.Command{Path: "/bin/true", Rlimits: map[rlimit.Resource]rlimit.Limit{
		rlimit.NoFile: {Soft: rlimit.Value(nofile.Max + 1), Hard: rlimit.Value(nofile.Max + 1)},
	}}).Start()
	var e *spawn.Error
	if !errors.As(err, &e) || e.Step != spawn.StepRlimit || !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), "RLIMIT_NOFILE") {
		t.Errorf("raising the hard NOFILE limit: %v, want a StepRlimit permission error naming RLIMIT_NOFILE", err)
	}
}

func TestNoNewPrivs(t *testing.T) {
	out, st := output(t, &spawn.Command{Path: lookPath(t, "grep"), Args: []string{"grep", "NoNewPrivs", "/proc/self/status"}, NoNewPrivs: true})
	if out != "NoNewPrivs:\t1\n" || !st.Success() {
		t.Errorf("child's status: %q (%v)", out, st)
	}
	out, _ = output(t, &spawn.Command{Path: lookPath(t, "grep"), Args: []string{"grep", "NoNewPrivs", "/proc/self/status"}})
	if out != "NoNewPrivs:\t0\n" {
		t.Errorf("child started after one with NoNewPrivs: %q", out)
	}
	checkThreads(t)
}

// openPty opens a new pseudo-terminal pair.
func openPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { m.Close() })
	var s *sys.FD
	err = sys.Control(m, func(fd int) error {
		if err := sys.Unlockpt(fd); err != nil {
			return err
		}
		s, err = sys.PtyPeer(fd, syscall.O_RDWR|syscall.O_NOCTTY)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slave = s.File("pty")
	t.Cleanup(func() { slave.Close() })
	return m, slave
}

// TestSession starts children in a new session, without and with the
// slave of a new pty as controlling terminal, and checks their session
// and terminal from outside.
func TestSession(t *testing.T) {
	_, slave := openPty(t)
	var st syscall.Stat_t
	if err := syscall.Fstat(int(slave.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	sleep := lookPath(t, "sleep")
	for _, c := range []struct {
		session *spawn.Session
		tty     bool
	}{{&spawn.Session{}, false}, {&spawn.Session{Terminal: slave}, true}} {
		p := start(t, &spawn.Command{Path: sleep, Args: []string{"sleep", "1000"}, Stdin: slave, Session: c.session})
		s, err := proc(t, p.PID()).Stat()
		if err != nil {
			t.Fatal(err)
		}
		if s.Session != p.PID() {
			t.Errorf("terminal %v: child in session %d, want its own (%d)", c.tty, s.Session, p.PID())
		}
		wantTTY := "0:0"
		if c.tty {
			wantTTY = fmt.Sprintf("%d:%d", st.Rdev>>8&0xfff, st.Rdev&0xff|st.Rdev>>12&0xfff00)
		}
		if s.TTY.String() != wantTTY {
			t.Errorf("terminal %v: child's controlling terminal %v, want %s", c.tty, s.TTY, wantTTY)
		}
		reap(p)
	}
	// A terminal that is not one of the child's files, or no terminal.
	if _, err := (&spawn.Command{Path: sleep, Session: &spawn.Session{Terminal: slave}}).Start(); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("terminal not passed: %v, want fs.ErrInvalid", err)
	}
	r, _ := pipe(t)
	if _, err := (&spawn.Command{Path: sleep, Stdin: r, Session: &spawn.Session{Terminal: r}}).Start(); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("pipe as terminal: %v, want fs.ErrInvalid", err)
	}
}

// pidAboveMax is kernel.MaxPID+1 (negative where int has 32 bits: out of
// range either way).
var pidAboveMax = func() int { p := kernel.MaxPID; p++; return p }()

// TestInvalid: bad input is refused before anything starts, with an
// error matching fs.ErrInvalid (or os.ErrClosed for a closed handle).
func TestInvalid(t *testing.T) {
	closed, err := ns.Current(ns.Net)
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	r, _ := pipe(t)
	closedFile, _ := pipe(t)
	closedFile.Close()
	for name, c := range map[string]*spawn.Command{
		"no path":              {},
		"NUL in argument":      {Args: []string{"a\x00b"}},
		"NUL in environment":   {Env: []string{"A=\x00"}},
		"long directory":       {Dir: "/" + strings.Repeat("d", 5000)},
		"long dir component":   {Dir: "/" + strings.Repeat("d", 300) + "/x"},
		"unknown namespace":    {NewNamespaces: 0x100},
		"unknown join flag":    {JoinProcess: &spawn.JoinProcess{PID: os.Getpid(), Namespaces: 0x100}},
		"no join flags":        {JoinProcess: &spawn.JoinProcess{PID: os.Getpid()}},
		"pid 0":                {JoinProcess: &spawn.JoinProcess{PID: 0, Namespaces: ns.CloneNewNet}},
		"pid too large":        {JoinProcess: &spawn.JoinProcess{PID: pidAboveMax, Namespaces: ns.CloneNewNet}},
		"nil handle":           {Join: []*ns.Handle{nil}},
		"new and joined":       {NewNamespaces: ns.CloneNewNet, JoinProcess: &spawn.JoinProcess{PID: os.Getpid(), Namespaces: ns.CloneNewNet}},
		"joined twice":         {Join: []*ns.Handle{current(t, ns.Net)}, JoinProcess: &spawn.JoinProcess{PID: os.Getpid(), Namespaces: ns.CloneNewNet}},
		"map without userns":   {UIDMap: ns.IDMap{{Inside: 0, Outside: 0, Count: 1}}},
		"invalid map":          {NewNamespaces: ns.CloneNewUser, UIDMap: ns.IDMap{{Inside: 0, Outside: 0, Count: 0}}},
		"overlapping map":      {NewNamespaces: ns.CloneNewUser, GIDMap: ns.IDMap{{Inside: 0, Outside: 0, Count: 10}, {Inside: 5, Outside: 100, Count: 1}}},
		"setgroups policy":     {NewNamespaces: ns.CloneNewUser, Setgroups: 7},
		"offsets without time": {TimeOffsets: &ns.TimeOffsets{}},
		"hostname without uts": {Hostname: "x"},
		"long hostname":        {NewNamespaces: ns.CloneNewUTS, Hostname: strings.Repeat("h", 65)},
		"unknown resource":     {Rlimits: map[rlimit.Resource]rlimit.Limit{99: {}}},
		"soft above hard":      {Rlimits: map[rlimit.Resource]rlimit.Limit{rlimit.NoFile: {Soft: 10, Hard: 5}}},
		"signal 65":            {ParentDeathSignal: 65},
		"invalid uid":          {Credentials: &spawn.Credentials{UID: cred.InvalidUID}},
		"groups and keep":      {Credentials: &spawn.Credentials{Groups: []cred.GID{1}, KeepGroups: true}},
		"groups, setgroups denied": {
			NewNamespaces: ns.CloneNewUser,
			UIDMap:        ns.IDMap{{Inside: 0, Outside: 0, Count: 1}}, GIDMap: ns.IDMap{{Inside: 0, Outside: 0, Count: 1}},
			Credentials: &spawn.Credentials{Groups: []cred.GID{0}},
		},
		"terminal not passed": {Session: &spawn.Session{Terminal: r}},
	} {
		if c.Path == "" && name != "no path" {
			c.Path = "/bin/true"
		}
		if _, err := c.Start(); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%s: %v, want fs.ErrInvalid", name, err)
		}
	}
	_, err = (&spawn.Command{Path: "/bin/true", Join: []*ns.Handle{closed}}).Start()
	if !errors.Is(err, os.ErrClosed) {
		t.Errorf("closed handle: %v, want os.ErrClosed", err)
	}
	_, err = (&spawn.Command{Path: "/bin/true", ExtraFiles: []*os.File{closedFile}}).Start()
	var e *spawn.Error
	if !errors.As(err, &e) || e.Step != spawn.StepFiles || !errors.Is(err, os.ErrClosed) {
		t.Errorf("closed extra file: %v, want a StepFiles error matching os.ErrClosed", err)
	}
	if _, err := (&spawn.Command{Path: "/bin/true", JoinProcess: &spawn.JoinProcess{PID: 1<<31 - 1, Namespaces: ns.CloneNewNet}}).Start(); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("join a pid that names no process: %v, want ESRCH", err)
	}
}

// current opens the calling thread's namespace of type typ, closed at the
// end of the test.
func current(t *testing.T, typ ns.Type) *ns.Handle {
	t.Helper()
	h, err := ns.Current(typ)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}
