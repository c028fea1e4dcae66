package signalfd_test

import (
	"context"
	"encoding/binary"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/seccomp"
	"github.com/lxgo/lx/signal"
	"github.com/lxgo/lx/signalfd"
)

var update = flag.Bool("update", false, "rewrite testdata/siginfo-* from the running kernel")

// layoutCase is one siginfo the test queues to its own thread: its
// siginfo_t union as 64-bit fields (offset from the union, value, size),
// and what the signalfd record must decode to. A process may queue any
// si_code to itself, so this covers layouts that only the kernel sends
// to others (a child's exit, a fault, a seccomp trap).
type layoutCase struct {
	name   string
	sig    signal.Signal
	code   signal.Code
	fields []sifield
	want   signalfd.Siginfo
}

type sifield struct {
	off, size int
	v         uint64
}

// The siginfo_t union members on 64-bit architectures
// (include/uapi/asm-generic/siginfo.h): _kill and _rt {pid, uid,
// sigval at 8}, _timer {tid, overrun, sigval at 8}, _sigchld {pid, uid,
// status, utime at 16, stime at 24}, _sigfault {addr, addr_lsb at 8},
// _sigpoll {band, fd at 8}, _sigsys {call_addr, syscall at 8, arch at
// 12}.
var layoutCases = []layoutCase{
	{"sigchld-exited", signal.Chld, signal.CldExited,
		[]sifield{{0, 4, 4242}, {4, 4, 1000}, {8, 4, 3}, {16, 8, 25}, {24, 8, 7}},
		signalfd.Siginfo{Signal: signal.Chld, Code: signal.CldExited, PID: 4242, UID: 1000, Status: 3,
			UserTime: 250 * time.Millisecond, SystemTime: 70 * time.Millisecond}},
	{"sigchld-killed", signal.Chld, signal.CldKilled,
		[]sifield{{0, 4, 4243}, {4, 4, 0}, {8, 4, 9}},
		signalfd.Siginfo{Signal: signal.Chld, Code: signal.CldKilled, PID: 4243, Status: 9}},
	{"sigsegv-maperr", signal.Segv, signal.SegvMapErr,
		[]sifield{{0, 8, 0xdead0000}, {8, 4, 0xffff}},
		signalfd.Siginfo{Signal: signal.Segv, Code: signal.SegvMapErr, Addr: 0xdead0000}},
	{"sigbus-mceerr-ar", signal.Bus, signal.BusMCEErrAR,
		[]sifield{{0, 8, 0x7f0000001000}, {8, 2, 12}},
		signalfd.Siginfo{Signal: signal.Bus, Code: signal.BusMCEErrAR, Addr: 0x7f0000001000, AddrLSB: 12}},
	{"sigio-pollin", signal.IO, signal.PollIn,
		[]sifield{{0, 8, uint64(signalfd.PollIn | signalfd.PollRdNorm)}, {8, 4, 7}},
		signalfd.Siginfo{Signal: signal.IO, Code: signal.PollIn, Band: signalfd.PollIn | signalfd.PollRdNorm, FD: 7}},
	{"sigsys-seccomp", signal.Sys, signal.SysSeccomp,
		[]sifield{{0, 8, 0x401000}, {8, 4, 39}, {12, 4, uint64(seccomp.ArchAMD64)}},
		signalfd.Siginfo{Signal: signal.Sys, Code: signal.SysSeccomp, CallAddr: 0x401000, Syscall: 39, Arch: seccomp.ArchAMD64}},
	{"sigusr2-timer", signal.Usr2, signal.CodeTimer,
		[]sifield{{0, 4, 5}, {4, 4, 2}, {8, 8, 77}},
		signalfd.Siginfo{Signal: signal.Usr2, Code: signal.CodeTimer, TimerID: 5, Overrun: 2, Value: signalfd.Value{Int: 77, Ptr: 77}}},
	{"sigusr2-queue", signal.Usr2, signal.CodeQueue,
		[]sifield{{0, 4, 1}, {4, 4, 0}, {8, 8, 0x1_0000_0063}},
		signalfd.Siginfo{Signal: signal.Usr2, Code: signal.CodeQueue, PID: 1, Value: signalfd.Value{Int: 99, Ptr: 0x1_0000_0063}}},
	{"sigusr1-user", signal.Usr1, signal.CodeUser,
		[]sifield{{0, 4, 1}, {4, 4, 0}, {8, 8, 5}},
		signalfd.Siginfo{Signal: signal.Usr1, Code: signal.CodeUser, PID: 1}},
	{"sigusr1-kernel", signal.Usr1, signal.CodeKernel,
		[]sifield{{0, 4, 1}, {4, 4, 2}},
		signalfd.Siginfo{Signal: signal.Usr1, Code: signal.CodeKernel, PID: 1, UID: 2}},
}

// TestLayoutsFromKernel queues every case to a locked thread that
// blocks it with rt_tgsigqueueinfo(2), reads it back from the thread's
// signalfd and checks the decoding; the raw records are the fixtures of
// TestLayoutFixtures (rewritten with -update).
func TestLayoutsFromKernel(t *testing.T) {
	if strconv.IntSize != 64 {
		t.Skip("the siginfo_t unions of this test are laid out for 64-bit architectures")
	}
	var set signal.Set
	for _, c := range layoutCases {
		set.Add(c.sig)
	}
	onLockedThread(t, func() {
		fd, err := signalfd.BlockThread(set)
		if err != nil {
			t.Error(err)
			return
		}
		defer fd.Close()
		for _, c := range layoutCases {
			var info [siginfoSize]byte
			binary.NativeEndian.PutUint32(info[0:], uint32(c.sig))
			binary.NativeEndian.PutUint32(info[8:], uint32(int32(c.code)))
			for _, f := range c.fields {
				switch f.size {
				case 2:
					binary.NativeEndian.PutUint16(info[16+f.off:], uint16(f.v))
				case 4:
					binary.NativeEndian.PutUint32(info[16+f.off:], uint32(f.v))
				case 8:
					binary.NativeEndian.PutUint64(info[16+f.off:], f.v)
				}
			}
			if err := rtTgsigqueueinfo(os.Getpid(), fd.Thread(), c.sig.Sys(), &info); err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			raw := readRaw(t, fd)
			got, err := signalfd.ParseSiginfo(raw)
			if err != nil || got != c.want {
				t.Errorf("%s: read %+v, %v\nwant %+v", c.name, got, err, c.want)
			}
			path := filepath.Join("testdata", "siginfo-"+kernelRelease(t)+"-"+c.name)
			if *update {
				if err := os.WriteFile(path, raw, 0o644); err != nil {
					t.Error(err)
				}
			}
		}
		// Decoded through Read too.
		if err := syscall.Tgkill(os.Getpid(), fd.Thread(), syscall.SIGUSR1); err != nil {
			t.Error(err)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if si, err := fd.Read(ctx); err != nil || si.PID != os.Getpid() || si.UID != cred.UID(os.Getuid()) {
			t.Errorf("Read = %+v, %v", si, err)
		}
	})
}

// readRaw reads one pending record from fd without waiting.
func readRaw(t *testing.T, fd *signalfd.FD) []byte {
	t.Helper()
	rc, err := fd.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, signalfd.Size)
	var n int
	if cerr := rc.Control(func(raw uintptr) { n, err = syscall.Read(int(raw), b) }); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil || n != signalfd.Size {
		t.Fatalf("read = %d, %v", n, err)
	}
	return b
}

// kernelRelease is the major.minor of the running kernel, for fixture
// names.
func kernelRelease(t *testing.T) string {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		t.Fatal(err)
	}
	var b []byte
	dots := 0
	for _, c := range u.Release {
		if c == 0 || c == '-' || (c == '.' && dots == 1) {
			break
		}
		if c == '.' {
			dots++
		}
		b = append(b, byte(c))
	}
	return string(b)
}

// TestLayoutFixtures decodes the records a 6.18 kernel's signalfd
// returned for layoutCases (on x86-64; struct signalfd_siginfo is the
// same everywhere).
func TestLayoutFixtures(t *testing.T) {
	for _, c := range layoutCases {
		b, err := os.ReadFile(filepath.Join("testdata", "siginfo-6.18-"+c.name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := signalfd.ParseSiginfo(b)
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v\nwant %+v", c.name, got, err, c.want)
		}
	}
}
