package mount

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
)

func TestPropagation(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Propagation
		err  error
		out  string // String of want, when it differs from in
	}{
		{"", Propagation{}, nil, "private"},
		{"private", Propagation{}, nil, ""},
		{"shared:1", Propagation{Shared: 1}, nil, ""},
		{"master:2", Propagation{Master: 2}, nil, ""},
		{"shared:3 master:1", Propagation{Shared: 3, Master: 1}, nil, ""},
		{"master:5 propagate_from:2", Propagation{Master: 5, PropagateFrom: 2}, nil, ""},
		{"unbindable", Propagation{Unbindable: true}, nil, ""},
		{"shared:2147483647", Propagation{Shared: 1<<31 - 1}, nil, ""},
		{"master:1 shared:3", Propagation{Shared: 3, Master: 1}, nil, "shared:3 master:1"},
		{"shared:1\tmaster:2", Propagation{Shared: 1, Master: 2}, nil, "shared:1 master:2"},
		{"  shared:1  ", Propagation{Shared: 1}, nil, "shared:1"},
		{"future:7 shared:1 newflag", Propagation{Shared: 1}, nil, "shared:1"}, // fields lx does not know
		{"shared:0", Propagation{}, strconv.ErrRange, ""},
		{"shared:2147483648", Propagation{}, strconv.ErrRange, ""},
		{"shared:", Propagation{}, strconv.ErrSyntax, ""},
		{"master:x", Propagation{}, strconv.ErrSyntax, ""},
		{"shared:-1", Propagation{}, strconv.ErrSyntax, ""},
		{"shared:1:2", Propagation{}, strconv.ErrSyntax, ""},
		{"private shared:1", Propagation{Shared: 1}, nil, "shared:1"},
	} {
		got, err := ParsePropagation(c.in)
		if got != c.want || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("ParsePropagation(%q) = %+v, %v; want %+v, %v", c.in, got, err, c.want, c.err)
			continue
		}
		if gotB, errB := ParsePropagation([]byte(c.in)); gotB != got || (errB == nil) != (err == nil) {
			t.Errorf("ParsePropagation([]byte(%q)) = %+v, %v", c.in, gotB, errB)
		}
		if err != nil {
			continue
		}
		out := c.out
		if out == "" {
			out = c.in
		}
		if s := got.String(); s != out {
			t.Errorf("%+v.String() = %q, want %q", got, s, out)
		}
	}
	if !(Propagation{}).IsPrivate() || (Propagation{Unbindable: true}).IsPrivate() {
		t.Error("IsPrivate wrong")
	}
}

// TestPropagationFromKernel builds shared, slave and unbindable mounts
// in a child in a new mount namespace and parses what the kernel prints
// for them in /proc/self/mountinfo.
func TestPropagationFromKernel(t *testing.T) {
	testutil.RequireCap(t, capability.SysAdmin)
	testutil.RunInChild(t, &testutil.ChildOptions{Cloneflags: syscall.CLONE_NEWNS}, func(t *testing.T) {
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			t.Fatalf("make / private in the child's namespace: %v", err)
		}
		dir := t.TempDir()
		// A tmpfs of its own holds the mount points, so that nothing is
		// left in the test's temporary directory.
		if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, ""); err != nil {
			t.Fatalf("mount tmpfs: %v", err)
		}
		t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
		a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
		for _, d := range []string{a, b, c} {
			if err := os.Mkdir(d, 0o700); err != nil {
				t.Fatal(err)
			}
		}
		steps := []struct {
			src, dst, fstype string
			flags            uintptr
		}{
			{"tmpfs", a, "tmpfs", 0},
			{"", a, "", syscall.MS_SHARED},
			{a, b, "", syscall.MS_BIND},
			{"", b, "", syscall.MS_SLAVE},
			{"", b, "", syscall.MS_SHARED},
			{a, c, "", syscall.MS_BIND},
			{"", c, "", syscall.MS_UNBINDABLE},
		}
		for _, s := range steps {
			if err := syscall.Mount(s.src, s.dst, s.fstype, s.flags, ""); err != nil {
				t.Fatalf("mount %q on %q flags %#x: %v", s.src, s.dst, s.flags, err)
			}
		}
		info, err := os.ReadFile("/proc/self/mountinfo")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]Propagation{}
		for line := range strings.Lines(string(info)) {
			fields := strings.Fields(line)
			if len(fields) < 7 || (fields[4] != a && fields[4] != b && fields[4] != c) {
				continue
			}
			var opt []string
			for _, f := range fields[6:] {
				if f == "-" {
					break
				}
				opt = append(opt, f)
			}
			p, err := ParsePropagation(strings.Join(opt, " "))
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			got[fields[4]] = p
		}
		pa, pb, pc := got[a], got[b], got[c]
		if pa.Shared == 0 || pa.Master != 0 || pa.Unbindable {
			t.Errorf("shared mount: %+v", pa)
		}
		if pb.Shared == 0 || pb.Shared == pa.Shared || pb.Master != pa.Shared || pb.Unbindable {
			t.Errorf("shared slave of peer group %d: %+v", pa.Shared, pb)
		}
		if pc != (Propagation{Unbindable: true}) {
			t.Errorf("unbindable mount: %+v", pc)
		}
	})
}
