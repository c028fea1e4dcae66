package procfs

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/ns"
)

func TestParseNamespaceLink(t *testing.T) {
	tests := []struct {
		in   string
		typ  string
		ino  uint64
		fail bool
	}{
		{in: "net:[4026531840]", typ: "net", ino: 4026531840},
		{in: "pid:[4026531836]", typ: "pid", ino: 4026531836},
		{in: "time_for_children:[1]", typ: "time_for_children", ino: 1},
		{in: "net:[]", fail: true},
		{in: "net:4026531840", fail: true},
		{in: ":[1]", fail: true},
		{in: "net:[-1]", fail: true},
		{in: "net", fail: true},
		{in: "", fail: true},
	}
	for _, tt := range tests {
		typ, ino, err := parseNamespaceLink([]byte(tt.in))
		if tt.fail != (err != nil) || typ != tt.typ || ino != tt.ino {
			t.Errorf("parseNamespaceLink(%q) = %q, %d, %v", tt.in, typ, ino, err)
		}
	}
}

// TestNamespacesSelf compares Namespaces with os.Readlink of each entry.
func TestNamespacesSelf(t *testing.T) {
	self := Default().Self()
	nss, err := self.Namespaces()
	if err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir("/proc/self/ns")
	if err != nil {
		t.Fatal(err)
	}
	if len(nss) != len(ents) {
		t.Errorf("%d namespaces, /proc/self/ns has %d entries", len(nss), len(ents))
	}
	for _, e := range ents {
		target, err := os.Readlink("/proc/self/ns/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(target[strings.Index(target, "[")+1:], "]")
		typ, err := ns.ParseType(e.Name())
		if err != nil {
			t.Fatalf("/proc/self/ns/%s: %v", e.Name(), err)
		}
		if got, ok := nss[typ]; !ok || strconv.FormatUint(got, 10) != want {
			t.Errorf("%s: %d, %v; readlink says %q", typ, got, ok, target)
		}
		one, err := self.Namespace(typ)
		if err != nil || strconv.FormatUint(one, 10) != want {
			t.Errorf("Namespace(%s) = %d, %v; readlink says %q", typ, one, err, target)
		}
	}
	for _, typ := range []ns.Type{ns.Mnt, ns.Net, ns.PID, ns.User, ns.UTS, ns.IPC} {
		if _, ok := nss[typ]; !ok {
			t.Errorf("no %s namespace", typ)
		}
	}
	for _, bad := range []ns.Type{0, ns.Type(len(ns.Types()) + 1), 255} {
		if _, err := self.Namespace(bad); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Namespace(%d) error %v, want fs.ErrInvalid", bad, err)
		}
	}
}

// TestNamespacesTree reads a /proc/PID/ns made of plain symbolic links: an
// entry lx does not know is left out, a type the "kernel" lacks is
// fs.ErrNotExist.
func TestNamespacesTree(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "proc/42/ns")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{
		"net":              "net:[4026531840]",
		"pid_for_children": "pid:[4026531836]",
		"newkind":          "newkind:[4026532000]",
	} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	fsys, err := NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	p, err := fsys.Proc(42)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Namespaces()
	if want := (Namespaces{ns.Net: 4026531840, ns.PIDForChildren: 4026531836}); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Namespaces = %v, %v; want %v", got, err, want)
	}
	if ino, err := p.Namespace(ns.PIDForChildren); err != nil || ino != 4026531836 {
		t.Errorf("Namespace(pid_for_children) = %d, %v", ino, err)
	}
	if _, err := p.Namespace(ns.Time); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Namespace(time) error %v, want fs.ErrNotExist", err)
	}
}

// TestNamespacesChild starts a child in new user and UTS namespaces and
// checks that exactly those differ from ours.
func TestNamespacesChild(t *testing.T) {
	cmd := exec.Command("sleep", "300")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWUTS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot create user and UTS namespaces: %v", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	waitSleeping(t, cmd.Process.Pid)
	mine, err := Default().Self().Namespaces()
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := mustProc(t, Default(), cmd.Process.Pid).Namespaces()
	if err != nil {
		t.Fatal(err)
	}
	for typ, ino := range mine {
		differ := typ == ns.User || typ == ns.UTS
		if (theirs[typ] != ino) != differ {
			t.Errorf("%s: ours %d, child's %d", typ, ino, theirs[typ])
		}
	}
	anchored, err := anchoredProc(t, cmd.Process.Pid).Namespaces()
	if err != nil || !reflect.DeepEqual(anchored, theirs) {
		t.Errorf("anchored Namespaces = %v, %v; want %v", anchored, err, theirs)
	}
}

func FuzzParseNamespaceLink(f *testing.F) {
	f.Add([]byte("net:[4026531840]"))
	f.Add([]byte("x:[]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		typ, _, err := parseNamespaceLink(b)
		if err == nil && (typ == "" || strings.Contains(typ, ":")) {
			t.Errorf("parseNamespaceLink(%q) type %q", b, typ)
		}
	})
}

func BenchmarkNamespaces(b *testing.B) {
	p := Default().Self()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Namespaces(); err != nil {
			b.Fatal(err)
		}
	}
}
