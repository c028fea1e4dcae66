package procfs

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/kernel"
)

// startSleeper starts "sleep 300" with extra as its descriptors 3, 4, ...
// and kills and reaps it when the test ends.
func startSleeper(t testing.TB, extra ...*os.File) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "300")
	cmd.ExtraFiles = extra
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	waitSleeping(t, cmd.Process.Pid)
	return cmd
}

// waitSleeping waits until the process is in state S (sleeping), so that
// a freshly started program has finished loading and touches no more
// memory. It gives up after five seconds.
func waitSleeping(t testing.TB, pid int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			t.Fatal(err)
		}
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) && b[i+2] == 'S' {
			return
		}
	}
	t.Fatalf("process %d did not go to sleep", pid)
}

func TestParseFDTarget(t *testing.T) {
	tests := []struct {
		target string
		want   FD
	}{
		{"/dev/null", FD{Kind: FDPath, Name: "/dev/null"}},
		{"/tmp/lx del me (deleted)", FD{Kind: FDPath, Name: "/tmp/lx del me", Deleted: true}},
		{"/tmp/a\nb", FD{Kind: FDPath, Name: "/tmp/a\nb"}},
		{"/memfd:my mem (deleted)", FD{Kind: FDMemfd, Name: "my mem", Deleted: true}},
		{"/memfd:not deleted", FD{Kind: FDPath, Name: "/memfd:not deleted"}},
		{"socket:[34778]", FD{Kind: FDSocket, Inode: 34778}},
		{"pipe:[34777]", FD{Kind: FDPipe, Inode: 34777}},
		{"anon_inode:[eventfd]", FD{Kind: FDAnonInode, Name: "eventfd"}},
		{"anon_inode:inotify", FD{Kind: FDAnonInode, Name: "inotify"}},
		{"anon_inode:[pidfd]", FD{Kind: FDAnonInode, Name: "pidfd"}},
		{"anon_inode:", FD{Kind: FDAnonInode}},
		{"net:[4026531833]", FD{Kind: FDNamespace, Name: "net", Inode: 4026531833}},
		{"mnt:[4026531832]", FD{Kind: FDNamespace, Name: "mnt", Inode: 4026531832}},
		{"socket:[x]", FD{}},
		{"socket:34778", FD{}},
		{"pipe:[]", FD{}},
		{"bpf-map:[1]", FD{}},
		{"dmabuf:", FD{}},
		{"", FD{}},
	}
	for _, tt := range tests {
		got := parseFDTarget(7, tt.target)
		tt.want.Num, tt.want.Target = 7, tt.target
		if got != tt.want {
			t.Errorf("parseFDTarget(%q)\n got %+v\nwant %+v", tt.target, got, tt.want)
		}
	}
	for k := FDOther; k <= FDMemfd+1; k++ {
		if k.String() == "" {
			t.Errorf("FDKind(%d).String() empty", k)
		}
	}
}

func FuzzParseFDTarget(f *testing.F) {
	for _, s := range []string{"/a (deleted)", "/memfd:x (deleted)", "socket:[1]", "anon_inode:[x]", "net:[9]", "x:[]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fd := parseFDTarget(1, s)
		if fd.Target != s || fd.Kind > FDMemfd {
			t.Errorf("parseFDTarget(%q) = %+v", s, fd)
		}
	})
}

// inodeOf returns the inode of an open file.
func inodeOf(t *testing.T, f *os.File) uint64 {
	t.Helper()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return st.Sys().(*syscall.Stat_t).Ino
}

// TestFDsChild lists the descriptors of a child that holds a pipe, a
// file and a socket.
func TestFDsChild(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	path := filepath.Join(t.TempDir(), "fd file with space")
	file, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	sp, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	sock, peer := os.NewFile(uintptr(sp[0]), "sock"), os.NewFile(uintptr(sp[1]), "peer")
	defer sock.Close()
	defer peer.Close()

	child := startSleeper(t, r, file, sock)
	p := mustProc(t, Default(), child.Process.Pid)
	fds, err := p.FDs()
	if err != nil {
		t.Fatal(err)
	}
	want := []FD{
		{Num: 3, Target: "pipe:[]", Kind: FDPipe, Inode: inodeOf(t, r)},
		{Num: 4, Target: path, Kind: FDPath, Name: path},
		{Num: 5, Target: "socket:[]", Kind: FDSocket, Inode: inodeOf(t, sock)},
	}
	if len(fds) < 6 {
		t.Fatalf("FDs = %+v, want 0, 1, 2 and %+v", fds, want)
	}
	for i, w := range want {
		got := fds[3+i]
		w.Target = got.Target // checked through Kind, Name and Inode
		if got != w {
			t.Errorf("fd %d = %+v, want %+v", w.Num, got, w)
		}
	}
	for i := 0; i < 3; i++ {
		if fds[i].Num != i || fds[i].Kind != FDPath || fds[i].Name != os.DevNull {
			t.Errorf("fd %d = %+v, want /dev/null", i, fds[i])
		}
	}
	// Anything else was inherited: a descriptor without close-on-exec
	// that the test binary itself got from its parent.
	for _, fd := range fds[6:] {
		target, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd.Num))
		if err != nil || target != fd.Target {
			t.Errorf("unexpected fd %+v in the child (test binary has %q, %v)", fd, target, err)
		}
	}

	n, err := p.FDCount()
	if err != nil || n != len(fds) {
		t.Errorf("FDCount = %d, %v; want %d", n, err, len(fds))
	}
	one, err := p.FD(4)
	if err != nil || one != fds[4] {
		t.Errorf("FD(4) = %+v, %v; want %+v", one, err, fds[4])
	}
	if _, err := p.FD(42); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("FD(42) error = %v, want fs.ErrNotExist", err)
	}
	if _, err := p.FD(-1); err == nil {
		t.Error("FD(-1) succeeded")
	}

	// The same through a pidfd-anchored Proc.
	ap := anchoredProc(t, child.Process.Pid)
	afds, err := ap.FDs()
	if err != nil {
		t.Fatal(err)
	}
	if len(afds) != len(fds) || afds[5] != fds[5] {
		t.Errorf("anchored FDs = %+v, want %+v", afds, fds)
	}
	if n, err := ap.FDCount(); err != nil || n != len(fds) {
		t.Errorf("anchored FDCount = %d, %v", n, err)
	}

	child.Process.Kill()
	child.Wait()
	if _, err := p.FDs(); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("FDs of a reaped process: %v, want os.ErrProcessDone", err)
	}
	if _, err := ap.FDs(); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("anchored FDs of a reaped process: %v, want os.ErrProcessDone", err)
	}
}

// anchoredProc opens a pidfd for pid and anchors a Proc to it; both are
// closed when the test ends.
func anchoredProc(t *testing.T, pid int) Proc {
	t.Helper()
	fd, _, errno := syscall.Syscall(sysPidfdOpen, uintptr(pid), 0, 0)
	if errno != 0 {
		t.Fatalf("pidfd_open: %v", errno)
	}
	pidfd := os.NewFile(fd, "pidfd")
	defer pidfd.Close()
	p, err := Default().ProcFromPidFD(pidfd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestFDsSelf(t *testing.T) {
	self := Default().Self()
	fds, err := self.FDs()
	if err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	// os.ReadDir sees its own directory descriptor; FDs has closed its
	// own before it reads the links, so it leaves that number out.
	names := map[string]bool{}
	for _, e := range ents {
		names[e.Name()] = true
	}
	if len(fds) < len(ents)-1 || len(fds) > len(ents) {
		t.Errorf("FDs found %d descriptors, os.ReadDir %d", len(fds), len(ents))
	}
	for _, fd := range fds {
		if !names[strconv.Itoa(fd.Num)] {
			t.Errorf("fd %d not in os.ReadDir's listing", fd.Num)
		}
		target, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd.Num))
		if err != nil {
			t.Errorf("readlink fd %d: %v", fd.Num, err)
		} else if target != fd.Target {
			t.Errorf("fd %d: %q, readlink says %q", fd.Num, fd.Target, target)
		}
	}
}

// TestFDCountTree counts the descriptors of a directory tree that is not
// procfs: the size of its fd directory (a block or more) is not a count.
func TestFDCountTree(t *testing.T) {
	fsys, err := NewFS("testdata/proctree")
	if err != nil {
		t.Fatal(err)
	}
	p := mustProc(t, fsys, 42)
	if n, err := p.FDCount(); err != nil || n != 4 {
		t.Errorf("FDCount = %d, %v; want 4", n, err)
	}
	fds, err := p.FDs()
	if err != nil || len(fds) != 4 {
		t.Fatalf("FDs = %+v, %v", fds, err)
	}
	want := []FD{
		{Num: 0, Target: "/dev/null", Kind: FDPath, Name: "/dev/null"},
		{Num: 1, Target: "pipe:[4242]", Kind: FDPipe, Inode: 4242},
		{Num: 2, Target: "socket:[4343]", Kind: FDSocket, Inode: 4343},
		{Num: 10, Target: "/tmp/x (deleted)", Kind: FDPath, Name: "/tmp/x", Deleted: true},
	}
	if !slices.Equal(fds, want) {
		t.Errorf("FDs\n got %+v\nwant %+v", fds, want)
	}
}

// TestFDCountKernel compares FDCount on the real procfs, which may use the
// directory's size (Linux 6.2+), with a listing, for the test binary and
// for a child whose descriptors do not change while it is counted.
func TestFDCountKernel(t *testing.T) {
	if !Default().isProcfs() {
		t.Skip("/proc is not procfs")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	child := startSleeper(t, r, w)
	p := mustProc(t, Default(), child.Process.Pid)
	fds, err := p.FDs()
	if err != nil {
		t.Fatal(err)
	}
	if n, err := p.FDCount(); err != nil || n != len(fds) {
		t.Errorf("FDCount = %d, %v; want %d", n, err, len(fds))
	}
	// The probe agrees with the kernel version: sizes count since 6.2.
	v, err := kernel.Running()
	if err != nil {
		t.Fatal(err)
	}
	if err := feature.ProcFDCount.Check(); (err == nil) != v.AtLeast(kernel.V(6, 2)) {
		t.Errorf("feature.ProcFDCount.Check() = %v on Linux %v", err, v)
	}
}

func BenchmarkFDCount(b *testing.B) {
	p := Default().Self()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.FDCount(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFDs(b *testing.B) {
	p := Default().Self()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.FDs(); err != nil {
			b.Fatal(err)
		}
	}
}

// sysPidfdOpen is the syscall number of pidfd_open(2), the same on every
// architecture (the unified syscall table, 434).
const sysPidfdOpen = 434
