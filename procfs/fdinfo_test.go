package procfs

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

func TestParseFDInfoFixtures(t *testing.T) {
	tests := map[string]FDInfo{
		"fdinfo-6.18-eventfd": {Flags: 0o2000002, MntID: 17, Ino: 26,
			Extra: []string{"eventfd-count:                5", "eventfd-id: 1", "eventfd-semaphore: 0"}},
		"fdinfo-6.18-pidfd":               {Flags: 0o2000002, MntID: 4, Ino: 2, Pidfd: true, PidfdPID: 1, NSpid: []int{1}},
		"fdinfo-6.18-pidfd-exited":        {Flags: 0o2000002, MntID: 4, Ino: 19613, Pidfd: true, PidfdPID: -1, NSpid: []int{-1}},
		"fdinfo-6.18-pidfd-thread-nested": {Flags: 0o2000202, MntID: 4, Ino: 19572, Pidfd: true, PidfdPID: 19571, NSpid: []int{19571, 12, 1}},
		"fdinfo-6.18-memfd":               {Flags: 0o2100002, Ino: 1027},
		"fdinfo-6.18-epoll": {Flags: 0o2000002, MntID: 17, Ino: 26,
			Extra: []string{"tfd:        3 events:       19 data:     7f7400000003  pos:0 ino:1a sdev:10"}},
		"fdinfo-6.18-inotify": {MntID: 17, Ino: 26,
			Extra: []string{"inotify wd:1 ino:3c4a3 sdev:fe00000 mask:100 ignored_mask:0 fhandle-bytes:8 fhandle-type:1 f_handle:a3c4030000000000"}},
		"fdinfo-6.18-timerfd": {Flags: 0o2, MntID: 17, Ino: 26,
			Extra: []string{"clockid: 1", "ticks: 0", "settime flags: 00", "it_value: (0, 0)", "it_interval: (0, 0)"}},
		"fdinfo-6.18-signalfd":    {Flags: 0o2, MntID: 17, Ino: 26, Extra: []string{"sigmask:\t0000000000000200"}},
		"fdinfo-6.18-socket":      {Flags: 0o2000002, MntID: 10, Ino: 34778, Extra: []string{"scm_fds: 0"}},
		"fdinfo-6.18-opath":       {Flags: 0o12000000, MntID: 27, Ino: 737},
		"fdinfo-6.18-fanotify":    {Flags: 0o2, MntID: 17, Ino: 26, Extra: []string{"fanotify flags:0 event-flags:8000"}},
		"fdinfo-6.18-userfaultfd": {MntID: 17, Ino: 34779, Extra: []string{"pending:\t0", "total:\t0", "API:\taa:0:80000000000001ff"}},
		"fdinfo-4.9-flock": {Pos: 12, Flags: 0o100002, MntID: 21,
			Extra: []string{"lock:\t1: FLOCK  ADVISORY  WRITE 1234 08:01:131074 0 EOF"}},
	}
	for _, name := range fixtureNames(t, "fdinfo-") {
		want, ok := tests[name]
		if !ok {
			t.Errorf("fixture %s has no expectations", name)
			continue
		}
		got, err := parseFDInfo(fileFixture(t, name))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v, %v\nwant %+v", name, got, err, want)
		}
	}
}

func TestParseFDInfoErrors(t *testing.T) {
	for _, in := range []string{
		"pos 0\n", "pos:\tx\n", "flags:\t9\n", "flags:\t077777777777\n", "mnt_id:\t\n",
		"ino:\t-1\n", "Pid:\tx\n", "NSpid:\t1 x\n",
	} {
		if info, err := parseFDInfo([]byte(in)); err == nil {
			t.Errorf("parseFDInfo(%q) = %+v, want error", in, info)
		}
	}
}

func TestOpenFlagsString(t *testing.T) {
	tests := []struct {
		f    OpenFlags
		want string
	}{
		{0, "O_RDONLY"},
		{OpenReadWrite | OpenCloexec | OpenLargefile, "O_RDWR|O_LARGEFILE|O_CLOEXEC"},
		{OpenWriteOnly | OpenAppend | OpenNonblock, "O_WRONLY|O_APPEND|O_NONBLOCK"},
		{OpenPath | OpenCloexec, "O_RDONLY|O_CLOEXEC|O_PATH"},
		{OpenReadWrite | OpenSync, "O_RDWR|O_SYNC"},
		{OpenDSync, "O_RDONLY|O_DSYNC"},
		{OpenReadWrite | OpenTmpfile, "O_RDWR|O_TMPFILE"},
		{OpenDirectory | OpenNoFollow, "O_RDONLY|O_DIRECTORY|O_NOFOLLOW"},
		{OpenAccessMode, "O_ACCMODE"},
		{OpenReadOnly | 1<<31, "O_RDONLY|020000000000"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("OpenFlags(%#o).String() = %q, want %q", uint32(tt.f), got, tt.want)
		}
	}
	// The kernel's octal values on the architectures with the generic
	// flag layout (asm-generic/fcntl.h).
	switch runtime.GOARCH {
	case "amd64", "386", "riscv64", "s390x", "loong64":
		if got := OpenFlags(0o2100002).String(); got != "O_RDWR|O_LARGEFILE|O_CLOEXEC" {
			t.Errorf("generic 02100002 = %q", got)
		}
		if got := OpenFlags(0o2300000).String(); got != "O_RDONLY|O_LARGEFILE|O_DIRECTORY|O_CLOEXEC" {
			t.Errorf("generic 02300000 = %q", got)
		}
	case "arm64":
		if got := OpenFlags(0o2400002).String(); got != "O_RDWR|O_LARGEFILE|O_CLOEXEC" {
			t.Errorf("arm64 02400002 = %q", got)
		}
	}
}

// rawFD returns the descriptor number of f without f.Fd(), which would
// make it blocking.
func rawFD(t testing.TB, f interface {
	SyscallConn() (syscall.RawConn, error)
}) int {
	t.Helper()
	conn, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	conn.Control(func(fd uintptr) { n = int(fd) })
	return n
}

func TestFDInfoSelf(t *testing.T) {
	self := Default().Self()
	f, err := os.OpenFile(filepath.Join(t.TempDir(), "pos"), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("hello"); err != nil {
		t.Fatal(err)
	}
	info, err := self.FDInfo(rawFD(t, f))
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	if info.Pos != 5 || info.Ino != st.Sys().(*syscall.Stat_t).Ino || info.Pidfd || len(info.Extra) != 0 {
		t.Errorf("FDInfo = %+v", info)
	}
	if info.Flags&OpenAccessMode != OpenReadWrite || info.Flags&(OpenAppend|OpenCloexec) != OpenAppend|OpenCloexec {
		t.Errorf("Flags = %v", info.Flags)
	}
	mounts, err := self.MountInfo()
	if err != nil {
		t.Fatal(err)
	}
	var mnt *Mount
	for i := range mounts {
		if mounts[i].ID == info.MntID {
			mnt = &mounts[i]
		}
	}
	if mnt == nil || mnt.Dev != devOf(uint64(st.Sys().(*syscall.Stat_t).Dev)) {
		t.Errorf("mnt_id %d is not the mount of the file: %+v", info.MntID, mnt)
	}

	efd, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 7, syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if errno != 0 {
		t.Fatal(errno)
	}
	defer syscall.Close(int(efd))
	info, err = self.FDInfo(int(efd))
	if err != nil {
		t.Fatal(err)
	}
	if info.Flags&OpenNonblock == 0 || len(info.Extra) == 0 || !strings.HasPrefix(info.Extra[0], "eventfd-count:") ||
		strings.TrimSpace(strings.TrimPrefix(info.Extra[0], "eventfd-count:")) != "7" {
		t.Errorf("eventfd FDInfo = %+v", info)
	}
	fd, err := self.FD(int(efd))
	if err != nil || fd.Kind != FDAnonInode || fd.Name != "eventfd" {
		t.Errorf("eventfd FD = %+v, %v", fd, err)
	}

	if _, err := self.FDInfo(1 << 20); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("FDInfo of a closed descriptor: %v", err)
	}
	if _, err := self.FDInfo(-1); err == nil {
		t.Error("FDInfo(-1) succeeded")
	}
}

// TestFDInfoPidfd checks the Pid: and NSpid: lines of a pidfd before and
// after its process is reaped.
func TestFDInfoPidfd(t *testing.T) {
	pidfd := -1
	cmd := exec.Command("sleep", "300")
	cmd.SysProcAttr = &syscall.SysProcAttr{PidFD: &pidfd}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if pidfd < 0 {
		t.Skip("no pidfd from clone")
	}
	defer syscall.Close(pidfd)
	self := Default().Self()
	info, err := self.FDInfo(pidfd)
	if err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if !info.Pidfd || info.PidfdPID != pid || !reflect.DeepEqual(info.NSpid, []int{pid}) {
		t.Errorf("pidfd FDInfo = %+v, want pid %d", info, pid)
	}
	fd, err := self.FD(pidfd)
	if err != nil || fd.Kind != FDAnonInode || fd.Name != "pidfd" {
		t.Errorf("pidfd FD = %+v, %v", fd, err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	info, err = self.FDInfo(pidfd)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Pidfd || info.PidfdPID != -1 {
		t.Errorf("pidfd FDInfo after reaping = %+v, want Pid -1", info)
	}
}

func FuzzParseFDInfo(f *testing.F) {
	addFixtureSeeds(f, "fdinfo-")
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := parseFDInfo(b)
		if err == nil {
			_ = info.Flags.String()
		}
	})
}

func BenchmarkFDInfo(b *testing.B) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fd := rawFD(b, f)
	p := Default().Self()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.FDInfo(fd); err != nil {
			b.Fatal(err)
		}
	}
}
