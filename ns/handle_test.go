package ns

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

func TestCurrent(t *testing.T) {
	for _, typ := range Types() {
		t.Run(typ.String(), func(t *testing.T) {
			h, err := Current(typ)
			testutil.SkipIfUnsupported(t, err, kernel.Version{})
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			// Every thread of this process is in the same namespaces.
			want, err := threadNS(typ)
			if err != nil {
				t.Fatal(err)
			}
			if got := idOf(t, h); got != want {
				t.Errorf("Current(%v).ID() = %v, /proc/thread-self/ns/%v is %v", typ, got, typ, want)
			}
			if got := idOf(t, h).String(); got != strconv.FormatUint(want.Inode, 10) {
				t.Errorf("ID.String() = %q", got)
			}
			again := current(t, typ)
			if idOf(t, again) != idOf(t, h) {
				t.Error("two handles on one namespace have different IDs")
			}
		})
	}
	for _, bad := range []Type{0, numTypes + 1, 255} {
		if _, err := Current(bad); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Current(%d) = %v, want fs.ErrInvalid", bad, err)
		}
	}
}

func TestHandleCloseAndDup(t *testing.T) {
	h, err := Current(Net)
	if err != nil {
		t.Fatal(err)
	}
	d, err := h.Dup()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := h.ID(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("ID after Close = %v, want os.ErrClosed", err)
	}
	if id := idOf(t, d); id != idOf(t, current(t, Net)) {
		t.Errorf("the duplicate is namespace %v", id)
	}
	rc, err := d.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var flags int
	rc.Control(func(fd uintptr) { flags, err = sys.FcntlGetfl(int(fd)) })
	if err != nil || flags&(sys.O_WRONLY|sys.O_RDWR) != 0 {
		t.Errorf("fd flags %#x, %v; want read-only", flags, err)
	}
}

func TestOpenPID(t *testing.T) {
	h, err := OpenPID(os.Getpid(), Net)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if idOf(t, h) != idOf(t, current(t, Net)) {
		t.Error("OpenPID(self) and Current differ")
	}
	bad := []int{0, -1}
	if strconv.IntSize == 64 {
		big := uint64(1)<<32 + 1 // would be pid 1 cut to 32 bits
		bad = append(bad, int(big))
	}
	for _, pid := range bad {
		if _, err := OpenPID(pid, Net); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("OpenPID(%d) = %v, want fs.ErrInvalid", pid, err)
		}
	}
	if _, err := OpenPID(os.Getpid(), 0); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("OpenPID(type 0) = %v", err)
	}
	// No PID goes this high (pid_max is at most 2^22).
	if _, err := OpenPID(kernel.MaxPID, Net); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("OpenPID(%d) = %v, want ESRCH", kernel.MaxPID, err)
	}
}

// A process that has exited but is not reaped (a zombie) has no
// namespaces any more.
func TestOpenPIDZombie(t *testing.T) {
	cmd, _ := sleeper(t, 0)
	cmd.Process.Signal(syscall.SIGKILL)
	// Wait for the exit without reaping.
	for deadline := time.Now().Add(10 * time.Second); ; {
		_, err := os.Stat("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/ns/net")
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("child did not exit")
		}
		time.Sleep(time.Millisecond)
	}
	for _, typ := range []Type{Net, Mnt, PIDForChildren} {
		if _, err := OpenPID(cmd.Process.Pid, typ); !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("OpenPID(zombie, %v) = %v, want os.ErrProcessDone", typ, err)
		}
	}
}

func TestOpenPidFD(t *testing.T) {
	cmd, pidfd := sleeper(t, 0)
	for _, typ := range Types() {
		h, err := OpenPidFD(pidfd, typ)
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		if err != nil {
			t.Fatalf("OpenPidFD(%v): %v", typ, err)
		}
		byPID, err := OpenPID(cmd.Process.Pid, typ)
		if err != nil {
			t.Fatal(err)
		}
		if idOf(t, h) != idOf(t, byPID) {
			t.Errorf("%v: OpenPidFD and OpenPID differ", typ)
		}
		h.Close()
		byPID.Close()
	}
	if _, err := OpenPidFD(pidfd, 0); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("OpenPidFD(type 0) = %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := OpenPidFD(pidfd, Net); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("OpenPidFD after the process was reaped = %v, want os.ErrProcessDone", err)
	}
}

// The /proc fallback of OpenPidFD (kernels before 6.11) opens by PID and
// then proves through the pidfd that the PID was not reused.
func TestOpenPidfdFallback(t *testing.T) {
	cmd, pidfd := sleeper(t, 0)
	rc, err := pidfd.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var h *Handle
	rc.Control(func(fd uintptr) { h, err = openPidfdProc(int(fd), cmd.Process.Pid, UTS) })
	if err != nil {
		t.Fatal(err)
	}
	if idOf(t, h) != idOf(t, current(t, UTS)) {
		t.Error("fallback opened another namespace")
	}
	h.Close()
	cmd.Process.Kill()
	cmd.Wait()
	// The PID is free now; this process's own PID stands for a reuse.
	rc.Control(func(fd uintptr) { h, err = openPidfdProc(int(fd), os.Getpid(), UTS) })
	if !errors.Is(err, os.ErrProcessDone) || h != nil {
		t.Errorf("fallback for a reaped process whose PID names another = %v, %v; want os.ErrProcessDone", h, err)
	}
}

func TestOpen(t *testing.T) {
	h, err := Open("/proc/self/ns/uts")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if idOf(t, h) != idOf(t, current(t, UTS)) {
		t.Error("Open(/proc/self/ns/uts) is another namespace")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// A FIFO without a writer would block an open for reading forever.
	for _, p := range []string{file, fifo, dir, "/dev/null"} {
		if _, err := Open(p); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Open(%s) = %v, want fs.ErrInvalid", p, err)
		}
	}
	if _, err := Open(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing) = %v", err)
	}
}

func TestFromFile(t *testing.T) {
	f, err := os.Open("/proc/self/ns/ipc")
	if err != nil {
		t.Fatal(err)
	}
	h, err := FromFile(f)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if idOf(t, h) != idOf(t, current(t, IPC)) {
		t.Error("FromFile is another namespace")
	}
	f, err = os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromFile(f); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("FromFile(/dev/null) = %v", err)
	}
	if _, err := f.Stat(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("FromFile did not close the file it refused: %v", err)
	}
	if _, err := FromFile(nil); err == nil {
		t.Error("FromFile(nil) succeeded")
	}
}
