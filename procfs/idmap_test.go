package procfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/ns"
)

func TestParseIDMapFixtures(t *testing.T) {
	for _, tc := range []struct {
		file string
		want ns.IDMap
	}{
		{"proc-uid_map-6.18-initial", ns.IDMap{{Inside: 0, Outside: 0, Count: 4294967295}}},
		{"proc-uid_map-6.18-extents", ns.IDMap{
			{Inside: 0, Outside: 100000, Count: 65536},
			{Inside: 65536, Outside: 1000, Count: 1},
			{Inside: 4000000000, Outside: 2000000000, Count: 294967295},
		}},
		{"proc-uid_map-6.18-unwritten", nil},
		// As a reader in a user namespace without a mapping for the
		// initial namespace's ids sees the initial map.
		{"proc-uid_map-6.18-unmapped", ns.IDMap{{Inside: 0, Outside: ns.UnmappedID, Count: 4294967295}}},
	} {
		got, err := parseIDMap(readFixture(t, tc.file))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, %v; want %v", tc.file, got, err, tc.want)
		}
	}
}

// TestParseIDMapErrors: a malformed map is a *ParseError wrapping ns's
// error.
func TestParseIDMapErrors(t *testing.T) {
	var pe *ParseError
	for _, in := range []string{"0 0\n", "0 0 1\n\n", "x 0 1\n", "0 0 4294967296\n", "0 4294967295\n"} {
		_, err := parseIDMap([]byte(in))
		if !errors.As(err, &pe) {
			t.Errorf("%q: %v, want a *ParseError", in, err)
		}
	}
}

func FuzzParseIDMap(f *testing.F) {
	for _, name := range []string{"proc-uid_map-6.18-initial", "proc-uid_map-6.18-extents", "proc-uid_map-6.18-unmapped"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte("0 4294967295 1\n1 2 3"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseIDMap(b)
		if err != nil {
			var pe *ParseError
			if m != nil || !errors.As(err, &pe) {
				t.Fatalf("%q: %v with error %v", b, m, err)
			}
			return
		}
		// Round trip through the text form the kernel takes.
		back, err := parseIDMap([]byte(m.String()))
		if err != nil || !reflect.DeepEqual(back, m) {
			t.Fatalf("%q -> %v -> %q -> %v, %v", b, m, m.String(), back, err)
		}
	})
}

// fieldsOf parses an id map the simple way, for comparing with
// parseIDMap.
func fieldsOf(t *testing.T, text string) ns.IDMap {
	t.Helper()
	var m ns.IDMap
	for line := range strings.Lines(text) {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("id map line %q", line)
		}
		var v [3]uint32
		for i := range f {
			n, err := strconv.ParseUint(f[i], 10, 32)
			if err != nil {
				t.Fatal(err)
			}
			v[i] = uint32(n)
		}
		m = append(m, ns.IDMapEntry{Inside: v[0], Outside: v[1], Count: v[2]})
	}
	return m
}

func TestIDMapsSelf(t *testing.T) {
	p := Default().Self()
	for _, tc := range []struct {
		file string
		read func() (ns.IDMap, error)
	}{{"uid_map", p.UIDMap}, {"gid_map", p.GIDMap}} {
		text, err := os.ReadFile("/proc/self/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tc.read()
		if want := fieldsOf(t, string(text)); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, %v; the file says %v", tc.file, got, err, want)
		}
	}
	text, err := os.ReadFile("/proc/self/setgroups")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := p.Setgroups(); err != nil || got.String() != strings.TrimSpace(string(text)) {
		t.Errorf("Setgroups() = %v, %v; the file says %q", got, err, text)
	}
}

// nsChild is a sleeper (see spawnChild) started in new namespaces.
type nsChild struct {
	pid   int
	comm  string   // its command name
	argv  []string // its command line
	stdin io.WriteCloser
}

// spawnIn starts the test binary as a sleeper through a symbolic link
// called name (its comm), with attr (Cloneflags and id maps), and waits
// until it runs. A clone the caller may not make skips the test. Cleanup
// ends it.
func spawnIn(t *testing.T, name string, attr *syscall.SysProcAttr) *nsChild {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), name)
	if err := os.Symlink(exe, link); err != nil {
		t.Fatal(err)
	}
	attr.Pdeathsig = syscall.SIGKILL
	cmd := &exec.Cmd{Path: link, Args: []string{name, "in", "namespaces"}, Env: []string{sleeperEnv + "=1"}, SysProcAttr: attr}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		t.Fatalf("start %q: %v", name, err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	if _, err := io.ReadFull(stdout, make([]byte, 1)); err != nil {
		t.Fatalf("child %d not ready: %v", cmd.Process.Pid, err)
	}
	return &nsChild{pid: cmd.Process.Pid, comm: name[:min(len(name), 15)], argv: cmd.Args, stdin: stdin}
}

// userNSAttr is the SysProcAttr of a child in a new user namespace in
// which it is root, mapped to the caller's ids (which an unprivileged
// caller may map), with more namespaces in extra.
func userNSAttr(extra uintptr) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | extra,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
}

// TestIDMapsUserNamespace reads the maps and setgroups policy os/exec
// wrote for a child in a new user namespace.
func TestIDMapsUserNamespace(t *testing.T) {
	c := spawnIn(t, "userns", userNSAttr(0))
	p := mustProc(t, Default(), c.pid)
	if got, err := p.UIDMap(); err != nil || !reflect.DeepEqual(got, ns.IDMap{{Inside: 0, Outside: uint32(os.Getuid()), Count: 1}}) {
		t.Errorf("UIDMap() = %v, %v", got, err)
	}
	if got, err := p.GIDMap(); err != nil || !reflect.DeepEqual(got, ns.IDMap{{Inside: 0, Outside: uint32(os.Getgid()), Count: 1}}) {
		t.Errorf("GIDMap() = %v, %v", got, err)
	}
	// os/exec denies setgroups unless SysProcAttr says otherwise.
	if got, err := p.Setgroups(); err != nil || got != ns.SetgroupsDeny {
		t.Errorf("Setgroups() = %v, %v; want deny", got, err)
	}
	// A thread's files name the same namespace.
	th := mustThread(t, p, c.pid)
	if got, err := th.UIDMap(); err != nil || len(got) != 1 {
		t.Errorf("thread UIDMap() = %v, %v", got, err)
	}
}

// TestIDMapUnmappedReader reads the parent's uid map from a child in a
// user namespace without maps, where none of the parent's ids has a
// mapping: the kernel shows the outside ids as 4294967295.
func TestIDMapUnmappedReader(t *testing.T) {
	if !testutil.InChild() {
		probeUserNS(t) // the child, in a user namespace without maps, may not make one
	}
	testutil.RunInChild(t, &testutil.ChildOptions{Cloneflags: syscall.CLONE_NEWUSER}, func(t *testing.T) {
		m, err := mustProc(t, Default(), os.Getppid()).UIDMap()
		if err != nil || len(m) == 0 || m[0].Outside != ns.UnmappedID {
			t.Errorf("UIDMap of the parent: %v, %v; want outside ids shown as ns.UnmappedID", m, err)
		}
	})
}

// probeUserNS skips the test when the caller may not create a user
// namespace.
func probeUserNS(t *testing.T) {
	t.Helper()
	cmd := exec.Command("/proc/self/exe", "-test.run=^$")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER}
	if err := cmd.Run(); err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		t.Fatalf("child in a new user namespace: %v", err)
	}
}

func TestSetgroupsFixtures(t *testing.T) {
	for file, want := range map[string]ns.Setgroups{"proc-setgroups-6.18-initial": ns.SetgroupsAllow, "proc-setgroups-6.18-deny": ns.SetgroupsDeny} {
		if got, err := ns.ParseSetgroups(readFixture(t, file)); err != nil || got != want {
			t.Errorf("%s: %v, %v", file, got, err)
		}
	}
}

// TestSetgroupsTree reads setgroups and the maps from a directory tree:
// the errors name the file.
func TestSetgroupsTree(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "proc/7")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"setgroups": "maybe\n", "uid_map": "0 0\n", "gid_map": "", "timens_offsets": "realtime 1 0\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fsys, err := NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	p := mustProc(t, fsys, 7)
	var pe *ParseError
	if _, err := p.Setgroups(); !errors.As(err, &pe) || pe.Path != dir+"/setgroups" || !errors.Is(err, strconv.ErrSyntax) {
		t.Errorf("Setgroups() error %v", err)
	}
	if _, err := p.UIDMap(); !errors.As(err, &pe) || pe.Path != dir+"/uid_map" || !errors.Is(err, strconv.ErrSyntax) {
		t.Errorf("UIDMap() error %v", err)
	}
	if m, err := p.GIDMap(); m != nil || err != nil {
		t.Errorf("GIDMap() of an empty file = %v, %v", m, err)
	}
	if _, err := p.TimeOffsets(); !errors.As(err, &pe) || pe.Path != dir+"/timens_offsets" || !errors.Is(err, strconv.ErrSyntax) {
		t.Errorf("TimeOffsets() error %v", err)
	}
	if err := os.Remove(filepath.Join(dir, "timens_offsets")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.TimeOffsets(); !errors.Is(err, fs.ErrNotExist) || errors.Is(err, os.ErrProcessDone) {
		t.Errorf("TimeOffsets() without the file: %v, want fs.ErrNotExist", err)
	}
}

func TestTimeOffsetsFixtures(t *testing.T) {
	for file, want := range map[string]ns.TimeOffsets{
		"proc-timens_offsets-6.18-initial": {},
		"proc-timens_offsets-6.18-shifted": {Monotonic: 86400 * time.Second, Boottime: -2500 * time.Millisecond},
	} {
		if got, err := ns.ParseTimeOffsets(readFixture(t, file)); err != nil || got != want {
			t.Errorf("%s: %v, %v", file, got, err)
		}
	}
}
