package procfs

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/lxgo/lx/cred"
)

func TestLinkSelf(t *testing.T) {
	self := mustProc(t, Default(), os.Getpid())
	exe, err := self.Exe()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if exe.Target != want || exe.Deleted || exe.Path() != want || exe.String() != want {
		t.Errorf("Exe = %+v, want %q", exe, want)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if cwd, err := self.Cwd(); err != nil || cwd.Target != wd {
		t.Errorf("Cwd = %+v, %v; want %q", cwd, err, wd)
	}
	if root, err := self.Root(); err != nil || root.Target != "/" {
		t.Errorf("Root = %+v, %v", root, err)
	}
}

// copyExe copies the sleeper (the test binary) to dir/name.
func copyExe(t *testing.T, dir, name string) string {
	t.Helper()
	src, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	path := filepath.Join(dir, name)
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// startExe runs path as a sleeper in directory cwd.
func startExe(t *testing.T, path, cwd string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(path)
	cmd.Dir = cwd
	cmd.Env = []string{sleeperEnv + "=1"}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	if _, err := stdout.Read(make([]byte, 1)); err != nil {
		t.Fatalf("sleeper not ready: %v", err)
	}
	return cmd
}

// TestLinkDeleted runs a program from a file that is then unlinked, in a
// directory that is then removed, and one whose name itself ends in
// " (deleted)": the suffix is reported as Deleted only for the first.
func TestLinkDeleted(t *testing.T) {
	dir := t.TempDir()
	cwd := filepath.Join(dir, "dir\nwith newline")
	if err := os.Mkdir(cwd, 0o755); err != nil {
		t.Fatal(err)
	}
	gone := copyExe(t, dir, "gone")
	cmd := startExe(t, gone, cwd)
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(cwd); err != nil {
		t.Fatal(err)
	}
	p := mustProc(t, Default(), cmd.Process.Pid)
	exe, err := p.Exe()
	if err != nil || !exe.Deleted || exe.Target != gone+" (deleted)" || exe.Path() != gone {
		t.Errorf("Exe of an unlinked program = %+v, %v", exe, err)
	}
	wd, err := p.Cwd()
	if err != nil || !wd.Deleted || wd.Path() != cwd {
		t.Errorf("Cwd of a removed directory = %+v, %v", wd, err)
	}

	named := copyExe(t, dir, "prog (deleted)")
	cmd = startExe(t, named, dir)
	exe, err = mustProc(t, Default(), cmd.Process.Pid).Exe()
	if err != nil || exe.Deleted || exe.Target != named || exe.Path() != named {
		t.Errorf("Exe of a program named %q = %+v, %v", filepath.Base(named), exe, err)
	}
}

func TestLinkTree(t *testing.T) {
	fsys, err := NewFS("testdata/proctree")
	if err != nil {
		t.Fatal(err)
	}
	p := mustProc(t, fsys, 42)
	for _, c := range []struct {
		read func() (Link, error)
		want Link
	}{
		{p.Exe, Link{Target: "/usr/bin/cat"}},
		{p.Cwd, Link{Target: "/home/u/dir with space"}},
		{p.Root, Link{Target: "/"}},
		{mustProc(t, fsys, 300).Exe, Link{Target: "/tmp/gone (deleted)", Deleted: true}},
		{mustProc(t, fsys, 300).Cwd, Link{}}, // none: a zombie's
	} {
		if got, err := c.read(); err != nil || got != c.want {
			t.Errorf("got %+v, %v; want %+v", got, err, c.want)
		}
	}
}

// TestLinkPermission reads another user's exe as an unprivileged user.
func TestLinkPermission(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may read every process's links")
	}
	init, err := Default().Proc(1)
	if err != nil {
		t.Skip(err)
	}
	st, err := init.Status()
	if err != nil || st.UID.Real == cred.UID(os.Getuid()) {
		t.Skip("pid 1 runs as our user")
	}
	if _, err := init.Exe(); !errors.Is(err, os.ErrPermission) {
		t.Errorf("Exe of pid 1: %v, want os.ErrPermission", err)
	}
}
