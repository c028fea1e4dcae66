package sys

import (
	"encoding/binary"
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The union of siginfo_t starts after three ints, aligned to a pointer.
func TestSiginfoLayout(t *testing.T) {
	want := map[string]uintptr{"amd64": 16, "arm64": 16, "riscv64": 16, "386": 12}[runtime.GOARCH]
	if want == 0 {
		t.Skipf("no pinned layout for %s", runtime.GOARCH)
	}
	if sigUnion != want {
		t.Fatalf("siginfo union offset = %d, want %d", sigUnion, want)
	}
	const siQueue = -1 // SI_QUEUE, include/uapi/asm-generic/siginfo.h
	var si unix.Siginfo
	p := Siginfo{Signo: 10, Code: siQueue, Pid: 1234, Uid: 1000, Value: 42}
	p.fill(&si)
	b := (*[unsafe.Sizeof(si)]byte)(unsafe.Pointer(&si))[:]
	ne := binary.NativeEndian
	if si.Signo != 10 || si.Code != siQueue || si.Errno != 0 {
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
	// _sigchld puts si_status where _rt puts si_value.
	if pid, uid, status := sigchld(&si); pid != 1234 || uid != 1000 || status != 42 {
		t.Errorf("sigchld = %d, %d, %d; want 1234, 1000, 42", pid, uid, status)
	}
}
