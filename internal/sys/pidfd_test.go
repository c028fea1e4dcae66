package sys

import (
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// The union of siginfo_t starts after three ints, aligned to a pointer.
func TestPidfdSiginfoLayout(t *testing.T) {
	want := map[string]uintptr{"amd64": 16, "arm64": 16, "riscv64": 16, "386": 12}[runtime.GOARCH]
	if want == 0 {
		t.Skipf("no pinned layout for %s", runtime.GOARCH)
	}
	if sigUnion != want {
		t.Fatalf("siginfo union offset = %d, want %d", sigUnion, want)
	}
	var si unix.Siginfo
	p := PidfdSiginfo{Signo: 10, Code: SI_QUEUE, Pid: 1234, Uid: 1000, Value: 42}
	p.fill(&si)
	b := (*[unsafe.Sizeof(si)]byte)(unsafe.Pointer(&si))[:]
	ne := binary.NativeEndian
	if si.Signo != 10 || si.Code != SI_QUEUE || si.Errno != 0 {
		t.Errorf("header = %d/%d/%d", si.Signo, si.Errno, si.Code)
	}
	if got := ne.Uint32(b[want:]); got != 1234 {
		t.Errorf("si_pid = %d", got)
	}
	if got := ne.Uint32(b[want+4:]); got != 1000 {
		t.Errorf("si_uid = %d", got)
	}
	if got := int32(ne.Uint32(b[want+8:])); got != 42 { // sival_int
		t.Errorf("si_value.sival_int = %d", got)
	}
}

func selfPidfd(t *testing.T) *FD {
	t.Helper()
	fd, err := PidfdOpen(os.Getpid(), 0)
	if errors.Is(err, unix.ENOSYS) {
		t.Skip("no pidfd_open")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fd.Close() })
	return fd
}

func TestPidfdWaitid(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "exit 7")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Release()
	fd, err := PidfdOpen(cmd.Process.Pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	// Blocking waitid: the fd is not O_NONBLOCK.
	c, err := PidfdWaitid(fd.Int(), WEXITED)
	if err != nil {
		t.Fatal(err)
	}
	if c.Pid != cmd.Process.Pid || c.Code != CLD_EXITED || c.Status != 7 || c.Uid != os.Getuid() {
		t.Errorf("waitid = %+v, want pid %d, CLD_EXITED, status 7", c, cmd.Process.Pid)
	}
	if _, err := PidfdWaitid(fd.Int(), WEXITED|WNOHANG); !errors.Is(err, ECHILD) {
		t.Errorf("second waitid: %v, want ECHILD", err)
	}
}

func TestPidfdGetInfo(t *testing.T) {
	fd := selfPidfd(t)
	info := abi.PidfdInfo{Mask: abi.PIDFD_INFO_PID}
	if err := PidfdGetInfo(fd.Int(), &info); err != nil {
		if IsNotSupported(err) {
			t.Skipf("no PIDFD_GET_INFO: %v", err)
		}
		t.Fatal(err)
	}
	if info.Mask&abi.PIDFD_INFO_PID == 0 || int(info.Pid) != os.Getpid() || int(info.Tgid) != os.Getpid() {
		t.Errorf("info = %+v, want pid %d", info, os.Getpid())
	}
}

func TestPidfdNameToHandle(t *testing.T) {
	fd := selfPidfd(t)
	var buf [16]byte
	typ, n, err := PidfdNameToHandle(fd.Int(), buf[:])
	if err != nil {
		if Errno(err) == unix.EOPNOTSUPP {
			t.Skipf("pidfs file handles need 6.13: %v", err)
		}
		t.Fatal(err)
	}
	if typ != abi.FILEID_KERNFS || n != 8 {
		t.Fatalf("handle type %d, %d bytes; want %d, 8", typ, n, abi.FILEID_KERNFS)
	}
	st, err := Fstat(fd.Int())
	if err != nil {
		t.Fatal(err)
	}
	id := binary.NativeEndian.Uint64(buf[:])
	if unsafe.Sizeof(uintptr(0)) == 8 && id != st.Ino {
		t.Errorf("handle id %d != st_ino %d", id, st.Ino)
	}
	if uint32(id) != uint32(st.Ino) {
		t.Errorf("handle id %d and st_ino %d differ in the low 32 bits", id, st.Ino)
	}
}

func TestPidfdGetNamespace(t *testing.T) {
	fd := selfPidfd(t)
	ns, err := PidfdGetNamespace(fd.Int(), abi.PIDFD_GET_NET_NAMESPACE_NR)
	if err != nil {
		if IsNotSupported(err) {
			t.Skipf("no PIDFD_GET_NET_NAMESPACE: %v", err)
		}
		t.Fatal(err)
	}
	defer ns.Close()
	got, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(ns.Int()))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("namespace fd -> %q, want %q", got, want)
	}
}

func TestPidfdSendSignalZero(t *testing.T) {
	fd := selfPidfd(t)
	if err := PidfdSendSignal(fd.Int(), 0, nil, 0); err != nil {
		t.Fatal(err)
	}
	// A siginfo to oneself may carry any code.
	info := &PidfdSiginfo{Signo: 0, Code: SI_QUEUE, Pid: int32(os.Getpid()), Uid: uint32(os.Getuid())}
	if err := PidfdSendSignal(fd.Int(), syscall.Signal(0), info, 0); err != nil {
		t.Fatal(err)
	}
}
