package landlock_test

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/landlock"
)

// requireABI skips unless the kernel has Landlock ABI need, and returns
// the kernel's ABI. Landlock built in but not enabled at boot (Debian's
// 6.1 does not list it in lsm=) skips whatever the kernel version; a
// kernel new enough for need that lacks it fails.
func requireABI(t *testing.T, need landlock.ABI) landlock.ABI {
	t.Helper()
	v, err := landlock.CurrentABI()
	if errors.Is(err, syscall.EOPNOTSUPP) {
		t.Skip(err)
	}
	testutil.SkipIfUnsupported(t, err, kernel.Version{})
	if err != nil {
		t.Fatal(err)
	}
	if v < need {
		testutil.SkipIfUnsupported(t, &kernel.FeatureError{Feature: "landlock " + need.String(), MinKernel: need.MinKernel(), Err: syscall.EINVAL}, kernel.Version{})
	}
	return v
}

// etcFile returns a file under /etc that exists and anyone may read.
func etcFile(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/etc/hostname", "/etc/passwd", "/etc/os-release"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o004 != 0 {
			return p
		}
	}
	t.Skip("no world-readable file in /etc")
	return ""
}

// usrFile returns a regular file under /usr that anyone may read, its
// symbolic links resolved (Landlock checks the file itself), or "" when
// there is none (the guests' busybox /usr holds only links to /bin).
func usrFile() string {
	found := ""
	filepath.WalkDir("/usr", func(p string, d fs.DirEntry, err error) error {
		if err != nil || found != "" {
			return filepath.SkipDir
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil || !strings.HasPrefix(real, "/usr/") {
			return nil
		}
		if fi, err := os.Stat(real); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o004 != 0 {
			found = real
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

// sandbox is what a thread restricted by readUsrOnly is checked against:
// a file in /etc it must not read, and a file under /usr (if there is
// one) and one in a temporary directory it must read.
type sandbox struct {
	etc, usr, tmp string
	extra         []string // more directories to allow (a program's)
}

// newSandbox creates the temporary file.
func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	s := &sandbox{etc: etcFile(t), usr: usrFile(), tmp: filepath.Join(t.TempDir(), "allowed")}
	if err := os.WriteFile(s.tmp, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

// readUsrOnly is a ruleset that handles reading and allows it under /usr,
// in s's temporary directory and in s.extra.
func (s *sandbox) readUsrOnly(t *testing.T) *landlock.Ruleset {
	t.Helper()
	read := landlock.ReadFile | landlock.ReadDir
	rules := []landlock.PathRule{{Path: filepath.Dir(s.tmp), Access: read}}
	if _, err := os.Stat("/usr"); err == nil {
		rules = append(rules, landlock.PathRule{Path: "/usr", Access: read})
	}
	for _, d := range s.extra {
		rules = append(rules, landlock.PathRule{Path: d, Access: read})
	}
	rs, err := landlock.New(&landlock.Options{HandledFS: read, Paths: rules})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rs.Close() })
	return rs
}

// check runs on a thread restricted by readUsrOnly.
func (s *sandbox) check() error {
	if _, err := os.ReadFile(s.etc); !errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("read %s: got %v, want permission denied", s.etc, err)
	}
	if _, err := os.ReadDir("/etc"); !errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("list /etc: got %v, want permission denied", err)
	}
	if _, err := os.ReadFile(s.tmp); err != nil {
		return fmt.Errorf("read %s: %v", s.tmp, err)
	}
	if s.usr != "" {
		if _, err := os.ReadFile(s.usr); err != nil {
			return fmt.Errorf("read %s: %v", s.usr, err)
		}
	}
	if _, err := os.Stat("/usr"); err == nil {
		if _, err := os.ReadDir("/usr"); err != nil {
			return fmt.Errorf("list /usr: %v", err)
		}
	}
	return nil
}

// TestDoReadUsrOnly is the test: a restricted thread cannot read
// /etc and can read /usr; the rest of the process is not restricted.
func TestDoReadUsrOnly(t *testing.T) {
	requireABI(t, 1)
	s := newSandbox(t)
	rs := s.readUsrOnly(t)
	if err := rs.Do(s.check); err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadFile(s.etc); err != nil {
		t.Fatalf("the test's own thread was restricted: %v", err)
	}
}

// TestDoUnprivileged runs the same as an ordinary user, where Landlock
// needs no_new_privs (as root it needs none: CAP_SYS_ADMIN).
func TestDoUnprivileged(t *testing.T) {
	requireABI(t, 1)
	testutil.RunInChild(t, &testutil.ChildOptions{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}, func(t *testing.T) {
		s := newSandbox(t)
		rs := s.readUsrOnly(t)
		if err := rs.Do(s.check); err != nil {
			t.Fatal(err)
		}
	})
}

// TestChildInherits: a process started from the restricted thread cannot
// read /etc and can read /usr.
func TestChildInherits(t *testing.T) {
	requireABI(t, 1)
	cat, err := exec.LookPath("cat")
	if err != nil {
		t.Skip(err)
	}
	s := newSandbox(t)
	// cat must be able to read itself (and its loader) wherever it is:
	// busybox's is /bin/busybox.
	real, err := filepath.EvalSymlinks(cat)
	if err != nil {
		t.Fatal(err)
	}
	s.extra = []string{filepath.Dir(real)}
	if strings.HasPrefix(real, "/etc/") {
		t.Skipf("cat is %s", real)
	}
	rs := s.readUsrOnly(t)
	err = rs.Do(func() error {
		// Stdin is a pipe: os/exec opens /dev/null for a nil Stdin,
		// which the ruleset denies.
		cmd := exec.Command(cat, s.etc)
		cmd.Stdin = strings.NewReader("")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "Permission denied") {
			return fmt.Errorf("cat %s in the child: %v: %s", s.etc, err, out)
		}
		allowed := []string{s.tmp}
		if s.usr != "" {
			allowed = append(allowed, s.usr)
		}
		for _, f := range allowed {
			cmd = exec.Command(cat, f)
			cmd.Stdin = strings.NewReader("")
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("cat %s in the child: %v: %.200s", f, err, out)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRestrictThread restricts a locked goroutine's thread directly; the
// goroutine then ends locked, so the thread is discarded.
func TestRestrictThread(t *testing.T) {
	requireABI(t, 1)
	s := newSandbox(t)
	rs := s.readUsrOnly(t)
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := rs.RestrictThread(); err != nil {
			errc <- err
			return
		}
		errc <- s.check()
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// TestFileRule allows through an *os.File, and rejects directory rights
// on a file that is not a directory, naming it.
func TestFileRule(t *testing.T) {
	requireABI(t, 1)
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, err := landlock.New(&landlock.Options{
		HandledFS: landlock.ReadFile | landlock.ReadDir,
		Paths:     []landlock.PathRule{{File: f, Access: landlock.ReadFile}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	err = rs.Do(func() error {
		if _, err := os.ReadFile(path); err != nil {
			return err
		}
		if _, err := os.ReadDir(dir); !errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("list %s: got %v, want permission denied", dir, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = landlock.New(&landlock.Options{
		HandledFS: landlock.ReadFile | landlock.ReadDir,
		Paths:     []landlock.PathRule{{Path: path, Access: landlock.ReadDir}},
	})
	if !errors.Is(err, syscall.EINVAL) || !strings.Contains(err.Error(), path) {
		t.Errorf("directory right on a file: got %v, want EINVAL naming %s", err, path)
	}
}

// TestBindPort: with bind handled, a thread may bind only the allowed
// port.
func TestBindPort(t *testing.T) {
	requireABI(t, 4)
	l, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Skip(err)
	}
	allowed := l.Addr().(*net.TCPAddr).Port
	l.Close()
	other := allowed + 1
	if other > 65535 {
		other = allowed - 1
	}
	rs, err := landlock.New(&landlock.Options{
		HandledNet: landlock.BindTCP,
		Ports:      []landlock.PortRule{{Port: allowed, Access: landlock.BindTCP}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	// Landlock's TCP rights do not cover Multipath TCP sockets, which
	// net.Listen makes by default since Go 1.24 (see BindTCP).
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	ctx := t.Context()
	err = rs.Do(func() error {
		l, err := lc.Listen(ctx, "tcp4", fmt.Sprintf("0.0.0.0:%d", other))
		if err == nil {
			l.Close()
			return fmt.Errorf("bind to port %d was allowed", other)
		}
		if !errors.Is(err, syscall.EACCES) {
			return fmt.Errorf("bind to port %d: got %v, want EACCES", other, err)
		}
		l, err = lc.Listen(ctx, "tcp4", fmt.Sprintf("0.0.0.0:%d", allowed))
		if err != nil {
			return fmt.Errorf("bind to the allowed port %d: %v", allowed, err)
		}
		return l.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestScopeSignal: a thread scoped for signals cannot signal a process
// started outside its domain, and can signal one it started.
func TestScopeSignal(t *testing.T) {
	requireABI(t, 6)
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip(err)
	}
	outside := exec.Command(sleep, "60")
	if err := outside.Start(); err != nil {
		t.Fatal(err)
	}
	defer outside.Wait()
	defer outside.Process.Kill()
	rs, err := landlock.New(&landlock.Options{Scoped: landlock.Signal})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	err = rs.Do(func() error {
		if err := syscall.Kill(outside.Process.Pid, syscall.SIGTERM); !errors.Is(err, syscall.EPERM) {
			return fmt.Errorf("signal a process outside the domain: got %v, want EPERM", err)
		}
		inside := exec.Command(sleep, "60")
		if err := inside.Start(); err != nil {
			return err
		}
		defer inside.Wait()
		if err := syscall.Kill(inside.Process.Pid, syscall.SIGKILL); err != nil {
			inside.Process.Kill()
			return fmt.Errorf("signal a process inside the domain: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBadInput: each mistake is an error naming the input, returned
// before the kernel sees anything.
func TestBadInput(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "does-not-exist")
	read := landlock.ReadFile | landlock.ReadDir
	tests := []struct {
		name string
		opts *landlock.Options
		is   error
		text string
	}{
		{"nil", nil, fs.ErrInvalid, "handles no right"},
		{"missing path", &landlock.Options{HandledFS: read, Paths: []landlock.PathRule{{Path: "/usr", Access: read}, {Path: missing, Access: read}}}, fs.ErrNotExist, missing},
		{"missing path, best effort", &landlock.Options{HandledFS: read, Mode: landlock.BestEffort, Paths: []landlock.PathRule{{Path: missing, Access: read}}}, fs.ErrNotExist, missing},
		{"port too big", &landlock.Options{HandledNet: landlock.BindTCP, Ports: []landlock.PortRule{{Port: 65536, Access: landlock.BindTCP}}}, fs.ErrInvalid, "65536"},
		{"negative port", &landlock.Options{HandledNet: landlock.BindTCP, Ports: []landlock.PortRule{{Port: -1, Access: landlock.BindTCP}}}, fs.ErrInvalid, "-1"},
		{"unhandled path right", &landlock.Options{HandledFS: landlock.ReadFile, Paths: []landlock.PathRule{{Path: "/usr", Access: read}}}, fs.ErrInvalid, `"/usr" allows fs.read_dir`},
		{"unhandled port right", &landlock.Options{HandledNet: landlock.BindTCP, Ports: []landlock.PortRule{{Port: 1, Access: landlock.ConnectTCP}}}, fs.ErrInvalid, "net.connect_tcp"},
		{"empty rule", &landlock.Options{HandledFS: read, Paths: []landlock.PathRule{{Path: "/usr"}}}, fs.ErrInvalid, `"/usr" allows nothing`},
		{"path and file", &landlock.Options{HandledFS: read, Paths: []landlock.PathRule{{Path: "/usr", File: os.Stdin, Access: read}}}, fs.ErrInvalid, "exactly one"},
		{"unknown right", &landlock.Options{HandledFS: 1 << 40}, fs.ErrInvalid, "0x10000000000"},
		{"bad mode", &landlock.Options{HandledFS: read, Mode: 7}, fs.ErrInvalid, "mode 7"},
	}
	for _, tt := range tests {
		rs, err := landlock.New(tt.opts)
		if err == nil {
			rs.Close()
		}
		if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("%s: got %v, want %v naming %q", tt.name, err, tt.is, tt.text)
		}
	}
}

// TestBestEffort builds a ruleset with every right lx knows and checks
// that what the running kernel lacks is reported, not refused.
func TestBestEffort(t *testing.T) {
	v := requireABI(t, 1)
	all := landlock.MaxABI
	rs, err := landlock.New(&landlock.Options{
		HandledFS:  all.AccessFS(),
		HandledNet: all.AccessNet(),
		Scoped:     all.Scopes(),
		Flags:      all.RestrictFlags(),
		Paths:      []landlock.PathRule{{Path: "/dev/null", Access: landlock.IoctlDev}},
		Ports:      []landlock.PortRule{{Port: 443, Access: landlock.ConnectTCP}},
		Mode:       landlock.BestEffort,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	if v > all {
		v = all
	}
	want := landlock.Dropped{
		FS:     all.AccessFS() &^ v.AccessFS(),
		Net:    all.AccessNet() &^ v.AccessNet(),
		Scoped: all.Scopes() &^ v.Scopes(),
		Flags:  all.RestrictFlags() &^ v.RestrictFlags(),
	}
	if v < 5 {
		want.Paths = []string{"/dev/null"}
	}
	if v < 4 {
		want.Ports = []int{443}
	}
	if got := rs.Dropped(); !reflect.DeepEqual(got, want) {
		t.Errorf("ABI %d: dropped %+v, want %+v", v, got, want)
	}
	if !rs.Restricts() {
		t.Error("Restricts is false")
	}
	if _, err := rs.SyscallConn(); err != nil {
		t.Error(err)
	}
	// A ruleset of which nothing is left restricts nothing.
	if v < 6 {
		rs, err := landlock.New(&landlock.Options{Scoped: landlock.Signal, Mode: landlock.BestEffort})
		if err != nil {
			t.Fatal(err)
		}
		if rs.Restricts() || rs.Dropped().Scoped != landlock.Signal {
			t.Errorf("scopes on ABI %d: Restricts %v, dropped %+v", v, rs.Restricts(), rs.Dropped())
		}
		if _, err := rs.SyscallConn(); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("SyscallConn of an empty ruleset: got %v, want fs.ErrInvalid", err)
		}
		ran := false
		if err := rs.Do(func() error { ran = true; return nil }); err != nil || !ran {
			t.Errorf("Do of an empty ruleset: ran %v, %v", ran, err)
		}
		if err := rs.Close(); err != nil {
			t.Error(err)
		}
	}
	// Strict mode refuses what the kernel lacks, naming the ABI.
	if v < all {
		_, err := landlock.New(&landlock.Options{HandledFS: all.AccessFS(), Scoped: all.Scopes(), Flags: all.RestrictFlags()})
		if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), (v+1).String()) {
			t.Errorf("strict on ABI %d: got %v", v, err)
		}
	}
}

// TestClose: Close is idempotent and a closed ruleset restricts nothing.
func TestClose(t *testing.T) {
	requireABI(t, 1)
	rs, err := landlock.New(&landlock.Options{HandledFS: landlock.MakeDir})
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.Close(); err != nil {
		t.Fatal(err)
	}
	if err := rs.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := rs.Do(func() error { return errors.New("fn ran") }); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Do after Close: got %v, want os.ErrClosed", err)
	}
}
