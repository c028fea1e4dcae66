package pseudofs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lxgo/lx/kernel"
)

func TestParseSysctl(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int64
		want int64
		ok   bool
	}{
		{"1048576\n", 1 << 31, 1 << 20, true},
		{"8192", 1 << 31, 8192, true},
		{"0\n", 10, 0, true},
		{"2147483647\n", 1<<31 - 1, 1<<31 - 1, true},
		{"2147483648\n", 1<<31 - 1, 0, false},
		{"11\n", 10, 0, false},
		{"-1\n", 10, 0, false},
		{"x\n", 10, 0, false},
		{"", 10, 0, false},
		{"1 2\n", 10, 0, false},
		{"99999999999999999999\n", 1 << 62, 0, false},
	} {
		got, err := ParseSysctl([]byte(c.in), c.max)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("ParseSysctl(%q, %d) = %d, %v", c.in, c.max, got, err)
		}
	}
}

func FuzzParseSysctl(f *testing.F) {
	f.Add([]byte("1048576\n"))
	f.Add([]byte("-1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseSysctl(b, 1<<31)
		if err == nil && (v < 0 || v > 1<<31) {
			t.Fatalf("%q gave %d", b, v)
		}
	})
}

func TestReadSysctl(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "proc", "sys", "fs", "x")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"good": "42\n", "big": "43\n", "bad": "4x\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fsys := Rooted(root)
	if v, err := fsys.ReadSysctl(42, "fs", "x", "good"); v != 42 || err != nil {
		t.Errorf("good: %d, %v", v, err)
	}
	for _, name := range []string{"big", "bad"} {
		_, err := fsys.ReadSysctl(42, "fs", "x", name)
		var pe *kernel.ParseError
		if !errors.As(err, &pe) || !strings.HasSuffix(pe.Path, "/proc/sys/fs/x/"+name) {
			t.Errorf("%s: %v, want a *kernel.ParseError naming the file", name, err)
		}
	}
	if _, err := fsys.ReadSysctl(42, "fs", "x", "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v, want fs.ErrNotExist", err)
	}
	// The running system's value, as the kernel prints it.
	if v, err := Default().ReadSysctl(1<<31, "fs", "inotify", "max_user_watches"); err != nil || v <= 0 {
		t.Errorf("max_user_watches: %d, %v", v, err)
	}
}
