package sys_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/sys"
)

func TestMkdiratRmdirat(t *testing.T) {
	dir := t.TempDir()
	d, err := sys.Open(dir, sys.O_RDONLY|sys.O_DIRECTORY)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := sys.Mkdirat(d.Int(), "sub", 0o700); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "sub"))
	if err != nil || !st.IsDir() {
		t.Fatalf("stat sub = %v, %v", st, err)
	}
	if err := sys.Mkdirat(d.Int(), "sub", 0o700); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Mkdirat twice = %v, want ErrExist", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "f"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var pe *fs.PathError
	if err := sys.Rmdirat(d.Int(), "sub"); !errors.As(err, &pe) || pe.Path != "sub" || sys.Errno(err) != unix.ENOTEMPTY {
		t.Errorf("Rmdirat of a non-empty directory = %v, want a *fs.PathError with ENOTEMPTY", err)
	}
	os.Remove(filepath.Join(dir, "sub", "f"))
	if err := sys.Rmdirat(d.Int(), "sub"); err != nil {
		t.Fatal(err)
	}
	if err := sys.Rmdirat(d.Int(), "sub"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Rmdirat of a missing directory = %v", err)
	}
}
