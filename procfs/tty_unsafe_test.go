package procfs

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// TestTTYNameChild gives a child a pseudo-terminal as its controlling
// terminal and checks the name against the device it opened and, when
// procps is installed, against ps.
func TestTTYNameChild(t *testing.T) {
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	defer ptmx.Close()
	var n uint32
	var unlock int32
	if err := ioctl(ptmx, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Fatal(err)
	}
	if err := ioctl(ptmx, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Fatal(err)
	}
	ptsName := "pts/" + strconv.FormatUint(uint64(n), 10)
	pts, err := os.OpenFile("/dev/"+ptsName, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open %s: %v", ptsName, err)
	}
	defer pts.Close()
	cmd := exec.Command("sleep", "300")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pts, pts, pts
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	waitSleeping(t, cmd.Process.Pid)
	st, err := mustProc(t, Default(), cmd.Process.Pid).Stat()
	if err != nil {
		t.Fatal(err)
	}
	d, err := Default().TTYDrivers()
	if err != nil {
		t.Fatal(err)
	}
	name, ok := d.Name(st.TTY)
	if !ok || name != ptsName {
		t.Errorf("Name(%v) = %q, %v; want %q", st.TTY, name, ok, ptsName)
	}
	// The differential check needs procps's ps (a kernel-matrix guest has
	// busybox's, which has no -o tty).
	if ps, err := exec.LookPath("ps"); err == nil && isProcps(ps) {
		out, err := exec.Command(ps, "-o", "tty=", "-p", strconv.Itoa(cmd.Process.Pid)).Output()
		if err != nil {
			t.Fatalf("ps: %v", err)
		}
		if got := strings.TrimSpace(string(out)); got != name {
			t.Errorf("ps says %q, lx %q", got, name)
		}
	}
}

// isProcps reports whether ps is procps's.
func isProcps(ps string) bool {
	out, err := exec.Command(ps, "--version").Output()
	return err == nil && strings.Contains(string(out), "procps")
}

// ioctl issues an ioctl whose argument points to an int on f.
func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg))
	}); err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}
