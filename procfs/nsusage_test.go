package procfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/internal/thread"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/ns"
)

// usageOf returns the entry for inode, or fails the test.
func usageOf(t *testing.T, u NamespaceUsage, inode uint64) NamespaceUse {
	t.Helper()
	i := slices.IndexFunc(u.Namespaces, func(n NamespaceUse) bool { return n.Inode == inode })
	if i < 0 {
		t.Fatalf("no namespace %d in the listing", inode)
	}
	return u.Namespaces[i]
}

// checkListing checks what holds for every listing: base types only,
// increasing inodes, a lowest pid for namespaces with processes, Denied
// in increasing order.
func checkListing(t *testing.T, u NamespaceUsage) {
	t.Helper()
	for i, n := range u.Namespaces {
		if !slices.Contains(baseTypes, n.Type) {
			t.Errorf("namespace %d of type %v", n.Inode, n.Type)
		}
		if i > 0 && u.Namespaces[i-1].Inode >= n.Inode {
			t.Errorf("namespace %d after %d", n.Inode, u.Namespaces[i-1].Inode)
		}
		if (n.Procs > 0) != (n.PID > 0) {
			t.Errorf("namespace %d: %d processes, lowest pid %d", n.Inode, n.Procs, n.PID)
		}
	}
	if !slices.IsSorted(u.Denied) {
		t.Errorf("denied %v not in order", u.Denied)
	}
}

// TestNamespaceUsageSelf finds the test's own namespaces, each with the
// test counted.
func TestNamespaceUsageSelf(t *testing.T) {
	u, err := Default().NamespaceUsage(nil)
	if err != nil {
		t.Fatal(err)
	}
	checkListing(t, u)
	if slices.Contains(u.Denied, os.Getpid()) {
		t.Errorf("own process %d denied", os.Getpid())
	}
	own, err := Default().Self().Namespaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range baseTypes {
		ino, ok := own[typ]
		if !ok {
			continue
		}
		n := usageOf(t, u, ino)
		if n.Type != typ || n.Procs < 1 || n.PID < 1 || n.PID > os.Getpid() {
			t.Errorf("own %v namespace: %+v", typ, n)
		}
		if n.PID == os.Getpid() && (n.PPID != os.Getppid() || n.UID != cred.UID(os.Geteuid()) || !slices.Equal(n.Cmdline, os.Args)) {
			t.Errorf("own %v namespace, lowest process is the test: %+v", typ, n)
		}
		if n.Err != nil {
			t.Errorf("own %v namespace: %v", typ, n.Err)
		}
	}
	// The owner of each of the test's non-user namespaces is its user
	// namespace (the kernel shows the caller's own).
	for _, typ := range []ns.Type{ns.Net, ns.UTS, ns.IPC, ns.Mnt} {
		if n := usageOf(t, u, own[typ]); n.Owner != own[ns.User] {
			t.Errorf("own %v namespace owned by %d, want the own user namespace %d", typ, n.Owner, own[ns.User])
		}
	}
	// Filtered to the test itself: exactly its namespaces.
	mine, err := Default().NamespaceUsage(&NamespaceUsageOptions{PID: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	var got, want []uint64
	for _, n := range mine.Namespaces {
		got = append(got, n.Inode)
	}
	for _, typ := range baseTypes {
		if ino, ok := own[typ]; ok {
			want = append(want, ino)
		}
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("namespaces of pid %d: %v, want %v", os.Getpid(), got, want)
	}
}

// TestNamespaceUsageOptionErrors: kinds that are not kinds, and pids
// that name no process.
func TestNamespaceUsageOptionErrors(t *testing.T) {
	for _, opts := range []NamespaceUsageOptions{
		{Types: []ns.Type{ns.PIDForChildren}},
		{Types: []ns.Type{ns.Net, 0}},
		{Types: []ns.Type{99}},
		{PID: -1},
	} {
		if _, err := Default().NamespaceUsage(&opts); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%+v: %v, want fs.ErrInvalid", opts, err)
		}
	}
	if _, err := Default().NamespaceUsage(&NamespaceUsageOptions{PID: kernel.MaxPID}); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("pid %d: %v, want ESRCH", kernel.MaxPID, err)
	}
}

// TestNamespaceUsageChildren starts children in new namespaces, each the
// only process there, and finds each namespace with the child as its
// lowest process, its owner and (for user and PID namespaces) parent.
func TestNamespaceUsageChildren(t *testing.T) {
	own, err := Default().Self().Namespaces()
	if err != nil {
		t.Fatal(err)
	}
	// A user namespace, with a UTS namespace it owns; a name that breaks
	// naive parsers.
	user := spawnIn(t, "u) R 1 (\n\xff x", userNSAttr(syscall.CLONE_NEWUTS))
	children := []*nsChild{user}
	if testutil.HasCap(capability.SysAdmin) {
		children = append(children, spawnIn(t, "netpid", &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET | syscall.CLONE_NEWPID}))
	}
	u, err := Default().NamespaceUsage(nil)
	if err != nil {
		t.Fatal(err)
	}
	checkListing(t, u)
	for _, c := range children {
		theirs, err := mustProc(t, Default(), c.pid).Namespaces()
		if err != nil {
			t.Fatal(err)
		}
		for _, typ := range baseTypes {
			ino := theirs[typ]
			if ino == own[typ] || ino == 0 {
				continue // not a new one
			}
			n := usageOf(t, u, ino)
			if n.Type != typ || n.Procs != 1 || n.PID != c.pid || n.PPID != os.Getpid() || n.Comm.String() != c.comm ||
				!slices.Equal(n.Cmdline, c.argv) || n.Err != nil || n.Command() != strings.Join(c.argv, " ") {
				t.Errorf("child %d's %v namespace: %+v", c.pid, typ, n)
			}
			wantOwner := own[ns.User]
			if typ != ns.User {
				wantOwner = theirs[ns.User]
			}
			var wantParent uint64
			switch typ {
			case ns.User, ns.PID:
				wantParent = own[typ]
			}
			if n.Owner != wantOwner || n.Parent != wantParent {
				t.Errorf("child %d's %v namespace: owner %d, parent %d; want %d, %d", c.pid, typ, n.Owner, n.Parent, wantOwner, wantParent)
			}
		}
	}
	// The user namespace child is root there, mapped to the test's uid.
	userNS := usageOf(t, u, mustNamespace(t, user.pid, ns.User))
	if userNS.UID != cred.UID(os.Geteuid()) {
		t.Errorf("user namespace child's uid %d, want %d (as the test sees it)", userNS.UID, os.Geteuid())
	}
	// Filters: a kind, a pid.
	only, err := Default().NamespaceUsage(&NamespaceUsageOptions{Types: []ns.Type{ns.UTS}, PID: user.pid})
	if err != nil || len(only.Namespaces) != 1 || only.Namespaces[0].Inode != mustNamespace(t, user.pid, ns.UTS) {
		t.Errorf("uts of pid %d: %+v, %v", user.pid, only, err)
	}
}

// mustNamespace returns the inode of pid's namespace of type typ.
func mustNamespace(t *testing.T, pid int, typ ns.Type) uint64 {
	t.Helper()
	ino, err := mustProc(t, Default(), pid).Namespace(typ)
	if err != nil {
		t.Fatal(err)
	}
	return ino
}

// TestNamespaceUsageThreads puts one thread of the test in a new UTS
// namespace: the /proc/PID/ns links do not show it, so only the Threads
// option finds it, with the test as its one process.
func TestNamespaceUsageThreads(t *testing.T) {
	type result struct {
		ino uint64
		err error
	}
	started, release := make(chan result), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		// A disposable thread (never the main thread, whose namespaces
		// /proc/PID/ns shows), thrown away afterwards.
		done <- thread.Run(func(th *thread.Thread) error {
			th.Taint()
			if err := syscall.Unshare(syscall.CLONE_NEWUTS); err != nil {
				started <- result{err: err}
				return nil
			}
			p, err := Default().Proc(th.TID())
			var r result
			if r.err = err; err == nil {
				r.ino, r.err = p.Namespace(ns.UTS)
			}
			started <- r
			<-release
			return nil
		})
	}()
	defer func() {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	r := <-started
	defer close(release)
	testutil.SkipIfUnsupported(t, r.err, kernel.Version{})
	if r.err != nil {
		t.Fatal(r.err)
	}
	opts := &NamespaceUsageOptions{Types: []ns.Type{ns.UTS}}
	u, err := Default().NamespaceUsage(opts)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(u.Namespaces, func(n NamespaceUse) bool { return n.Inode == r.ino }) {
		t.Errorf("namespace %d of a thread listed without Threads", r.ino)
	}
	opts.Threads = true
	u, err = Default().NamespaceUsage(opts)
	if err != nil {
		t.Fatal(err)
	}
	checkListing(t, u)
	n := usageOf(t, u, r.ino)
	own := mustNamespace(t, os.Getpid(), ns.User)
	if n.Type != ns.UTS || n.Procs != 1 || n.PID != os.Getpid() || n.Owner != own || n.Err != nil {
		t.Errorf("the thread's namespace: %+v", n)
	}
	// The test's own UTS namespace still counts the test once.
	if mine := usageOf(t, u, mustNamespace(t, os.Getpid(), ns.UTS)); mine.Procs < 1 {
		t.Errorf("own namespace: %+v", mine)
	}
}

// TestNamespaceUsageHeld makes a user namespace that only a descriptor
// of the test keeps alive (ns.NewUser reaps its helper): Held lists it
// with no process, created by the test's user.
func TestNamespaceUsageHeld(t *testing.T) {
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
	opts := &NamespaceUsageOptions{Types: []ns.Type{ns.User}}
	u, err := Default().NamespaceUsage(opts)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(u.Namespaces, func(n NamespaceUse) bool { return n.Inode == id.Inode }) {
		t.Errorf("namespace %d without a process listed without Held", id.Inode)
	}
	opts.Held = true
	u, err = Default().NamespaceUsage(opts)
	if err != nil {
		t.Fatal(err)
	}
	checkListing(t, u)
	n := usageOf(t, u, id.Inode)
	own := mustNamespace(t, os.Getpid(), ns.User)
	if n.Type != ns.User || n.Procs != 0 || n.PID != 0 || n.UID != cred.UID(os.Geteuid()) || n.Owner != own || n.Parent != own || n.Err != nil {
		t.Errorf("held namespace: %+v", n)
	}
}

// TestNamespaceUsageBindMount, in a mount namespace of its own, keeps a
// UTS namespace alive by a bind mount only, and bind-mounts the test's
// own network namespace: both show their mount point.
func TestNamespaceUsageBindMount(t *testing.T) {
	testutil.RequireCap(t, capability.SysAdmin)
	testutil.RunInChild(t, &testutil.ChildOptions{Cloneflags: syscall.CLONE_NEWNS}, func(t *testing.T) {
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		hs, err := ns.Unshare(ns.CloneNewUTS, nil)
		if err != nil {
			t.Fatal(err)
		}
		uts := hs[ns.UTS]
		id, err := uts.ID()
		if err != nil {
			t.Fatal(err)
		}
		net, err := ns.Current(ns.Net)
		if err != nil {
			t.Fatal(err)
		}
		defer net.Close()
		targets := map[*ns.Handle]string{uts: filepath.Join(dir, "uts"), net: filepath.Join(dir, "net 'x'\n")}
		for h, target := range targets {
			if err := os.WriteFile(target, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := h.BindMount(target); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ns.Unmount(target) })
		}
		uts.Close() // only the mount keeps it now
		u, err := Default().NamespaceUsage(&NamespaceUsageOptions{Held: true})
		if err != nil {
			t.Fatal(err)
		}
		checkListing(t, u)
		n := usageOf(t, u, id.Inode)
		own := mustNamespace(t, os.Getpid(), ns.User)
		if n.Type != ns.UTS || n.Procs != 0 || !slices.Equal(n.BindMounts, []string{targets[uts]}) || n.Owner != own || n.Err != nil {
			t.Errorf("bind-mounted namespace: %+v", n)
		}
		mine := usageOf(t, u, mustNamespace(t, os.Getpid(), ns.Net))
		if mine.Procs < 1 || !slices.Contains(mine.BindMounts, targets[net]) {
			t.Errorf("own network namespace: %+v, want the mount %q", mine, targets[net])
		}
	})
}

// TestNamespaceUsageZombie: a zombie has released all its namespaces but
// pid and user, and counts only in those, as lsns counts it.
func TestNamespaceUsageZombie(t *testing.T) {
	p, _ := zombie(t)
	u, err := Default().NamespaceUsage(&NamespaceUsageOptions{PID: p.PID()})
	if errors.Is(err, fs.ErrPermission) {
		t.Skip("the kernel refuses a zombie's namespaces to this user:", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var types []ns.Type
	for _, n := range u.Namespaces {
		types = append(types, n.Type)
	}
	slices.Sort(types)
	if !slices.Equal(types, []ns.Type{ns.PID, ns.User}) {
		t.Errorf("a zombie's namespaces: %v, want pid and user", types)
	}
}

// TestNamespaceUsageUnprivileged runs the listing as nobody: the
// processes of root are denied, the child's own namespaces are counted.
func TestNamespaceUsageUnprivileged(t *testing.T) {
	testutil.RunInChild(t, &testutil.ChildOptions{
		Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{}},
	}, func(t *testing.T) {
		u, err := Default().NamespaceUsage(nil)
		if err != nil {
			t.Fatal(err)
		}
		checkListing(t, u)
		if !slices.Contains(u.Denied, os.Getppid()) {
			t.Errorf("the parent (root) %d is not denied: %v", os.Getppid(), u.Denied)
		}
		for _, typ := range baseTypes {
			ino, err := Default().Self().Namespace(typ)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := usageOf(t, u, ino); n.Procs < 1 || n.PID > os.Getpid() {
				t.Errorf("own %v namespace: %+v", typ, n)
			}
		}
	})
}

// TestNamespaceUsageTree lists the namespaces of a directory tree: the
// processes are listed in no particular order there, and the links and
// files are plain ones.
func TestNamespaceUsageTree(t *testing.T) {
	root := t.TempDir()
	status := readFixture(t, "proc-status-6.18-cat")
	procs := map[string]map[string]string{
		"30": {"net": "net:[4026531840]", "uts": "uts:[4026532001]", "pid_for_children": "pid:[4026532002]"},
		"20": {"net": "net:[4026531840]", "uts": "uts:[4026531838]"},
		"25": {"net": "net:[4026532100]", "newkind": "newkind:[4026532200]"},
	}
	for pid, links := range procs {
		dir := filepath.Join(root, "proc", pid)
		if err := os.MkdirAll(filepath.Join(dir, "ns"), 0o755); err != nil {
			t.Fatal(err)
		}
		for name, target := range links {
			if err := os.Symlink(target, filepath.Join(dir, "ns", name)); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "status"), status, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cmdline"), []byte("cat\x00-\x00"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fsys, err := NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	u, err := fsys.NamespaceUsage(nil)
	if err != nil {
		t.Fatal(err)
	}
	var st Status
	if err := parseStatus(status, &st); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range u.Namespaces {
		if n.PPID != st.PPID || n.UID != st.UID.Effective || n.Comm != st.Name || !slices.Equal(n.Cmdline, []string{"cat", "-"}) ||
			n.Command() != "cat -" || n.Err != nil || n.Owner != 0 {
			t.Errorf("%+v", n)
		}
		got = append(got, n.Type.String()+" "+n.Comm.String()+" "+itoa(n.Inode)+" "+itoa(uint64(n.Procs))+" "+itoa(uint64(n.PID)))
	}
	want := []string{
		"uts cat 4026531838 1 20",
		"net cat 4026531840 2 20",
		"uts cat 4026532001 1 30",
		"net cat 4026532100 1 25",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A link of the wrong kind is a *ParseError naming it.
	if err := os.Symlink("uts:[1]", filepath.Join(root, "proc/20/ns/ipc")); err != nil {
		t.Fatal(err)
	}
	var pe *ParseError
	if _, err := fsys.NamespaceUsage(nil); !errors.As(err, &pe) || pe.Path != filepath.Join(root, "proc/20/ns/ipc") {
		t.Errorf("a uts link named ipc: %v", err)
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// BenchmarkNamespaceUsage lists the namespaces of the machine.
func BenchmarkNamespaceUsage(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Default().NamespaceUsage(nil); err != nil {
			b.Fatal(err)
		}
	}
}
