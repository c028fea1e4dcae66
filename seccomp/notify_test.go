package seccomp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/internal/thread"
	"github.com/lxgo/lx/kernel"
)

// notifyChildEnv tells a re-executed test binary to be the target of a
// notification test: TestNotifyHelper then does what its value says.
const notifyChildEnv = "LX_SECCOMP_NOTIFY_CHILD"

// TestNotifyHelper is not a test but the target process of the
// notification tests, which start the test binary with notifyChildEnv
// set to "mkdir:DIR" (make DIR/denied, DIR/allowed and DIR/fd, the last
// returning a descriptor to read, and print what happened), "block:DIR"
// (make DIR/block) or "wait" (read stdin to its end).
func TestNotifyHelper(t *testing.T) {
	mode, dir, _ := strings.Cut(os.Getenv(notifyChildEnv), ":")
	switch mode {
	case "":
		t.Skip("the target process of the notification tests")
	case "mkdir":
		fmt.Printf("denied: %v\n", syscall.Mkdir(filepath.Join(dir, "denied"), 0o755))
		fmt.Printf("allowed: %v\n", syscall.Mkdir(filepath.Join(dir, "allowed"), 0o755))
		// The supervisor answers this mkdirat with a descriptor number.
		r, e := mkdiratRaw(filepath.Join(dir, "fd"))
		if e != 0 {
			fmt.Printf("fd: %v\n", e)
			return
		}
		f := os.NewFile(r, "injected")
		b, err := io.ReadAll(f)
		f.Close()
		fmt.Printf("fd: %q %v\n", b, err)
	case "block":
		fmt.Printf("block: %v\n", syscall.Mkdir(filepath.Join(dir, "block"), 0o755))
	case "wait":
		io.Copy(io.Discard, os.Stdin)
	default:
		t.Fatalf("unknown mode %q", mode)
	}
}

// mkdirNotifyPolicy sends mkdir and mkdirat to the listener and allows
// everything else.
func mkdirNotifyPolicy(t *testing.T) (Arch, Program) {
	t.Helper()
	arch, err := NativeArch()
	if err != nil {
		t.Skip(err)
	}
	p := &Policy{Arch: arch, Default: RetAllow}
	for _, name := range []string{"mkdir", "mkdirat"} {
		if nr, err := arch.Lookup(name); err == nil { // arm64 and riscv64 have no mkdir
			p.Rules = append(p.Rules, Rule{Syscall: nr, Action: RetUserNotif})
		}
	}
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return arch, prog
}

// target is a child process whose filter's listener the test holds.
type target struct {
	l     *Listener
	cmd   *exec.Cmd
	out   bytes.Buffer
	stdin *os.File // the write end of its stdin, or nil
}

// startTarget installs prog with a listener on a disposable thread and
// starts TestNotifyHelper in mode from that thread, so that only the
// child inherits the filter.
func startTarget(t *testing.T, prog Program, mode string) *target {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tg := &target{cmd: exec.Command(exe, "-test.run=^TestNotifyHelper$", "-test.count=1")}
	tg.cmd.Env = append(os.Environ(), notifyChildEnv+"="+mode)
	tg.cmd.Stdout, tg.cmd.Stderr = &tg.out, &tg.out
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tg.cmd.Stdin, tg.stdin = r, w
	err = thread.Run(func(th *thread.Thread) error {
		th.Taint()
		l, err := InstallListener(prog, nil)
		if err != nil {
			return err
		}
		if err := tg.cmd.Start(); err != nil {
			l.Close()
			return err
		}
		tg.l = l
		return nil
	})
	if err != nil {
		w.Close()
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 0))
		t.Fatal(err)
	}
	t.Cleanup(func() {
		tg.stdin.Close()
		tg.l.Close()
		if tg.cmd.ProcessState == nil {
			tg.cmd.Process.Kill()
			tg.cmd.Wait()
		}
	})
	return tg
}

// pathArg reads the path argument of a mkdir or mkdirat notification.
func pathArg(t *testing.T, arch Arch, n *Notification) string {
	t.Helper()
	name, _ := arch.Name(n.Nr)
	var addr uint64
	switch name {
	case "mkdir":
		addr = n.Args[0]
	case "mkdirat":
		addr = n.Args[1]
	default:
		t.Fatalf("%v: not mkdir", n)
	}
	p, err := ReadString(n.PID, addr, 4095)
	if err != nil {
		t.Fatalf("%v: read path: %v", n, err)
	}
	// The path is the target's only if the target still waits.
	if err := n.IDValid(); err != nil {
		t.Fatalf("%v: %v", n, err)
	}
	return p
}

// TestNotifyMkdir is the supervisor of a child: it denies one mkdir with
// EACCES, lets the kernel run another, and answers a third with a
// descriptor it gives the child (ADDFD), reading each path from the
// child's memory.
func TestNotifyMkdir(t *testing.T) {
	arch, prog := mkdirNotifyPolicy(t)
	dir := t.TempDir()
	tg := startTarget(t, prog, "mkdir:"+dir)
	if err := tg.l.SetSyncWakeup(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	addfd := true
	for done := false; !done; {
		n, err := tg.l.Receive(ctx)
		if err != nil {
			t.Fatalf("Receive: %v; child said:\n%s", err, tg.out.String())
		}
		if n.PID != tg.cmd.Process.Pid && n.PID <= 0 {
			t.Errorf("%v: pid %d, child %d", n, n.PID, tg.cmd.Process.Pid)
		}
		switch p := pathArg(t, arch, n); p {
		case filepath.Join(dir, "denied"):
			err = n.Respond(Errno(syscall.EACCES))
		case filepath.Join(dir, "allowed"):
			err = n.Respond(Continue())
		case filepath.Join(dir, "fd"):
			done = true
			err = injectPipe(n)
			if errors.Is(err, errors.ErrUnsupported) {
				addfd = false
				err = n.Respond(Errno(syscall.ENOSYS))
			}
		default:
			t.Fatalf("%v: unexpected path %q", n, p)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := tg.cmd.Wait(); err != nil {
		t.Fatalf("child: %v:\n%s", err, tg.out.String())
	}
	want := []string{"denied: permission denied", "allowed: <nil>", `fd: "injected" <nil>`}
	if !addfd {
		want = want[:2]
	}
	for _, w := range want {
		if !strings.Contains(tg.out.String(), w+"\n") {
			t.Errorf("child did not say %q:\n%s", w, tg.out.String())
		}
	}
	for name, exists := range map[string]bool{"denied": false, "allowed": true, "fd": false} {
		if _, err := os.Stat(filepath.Join(dir, name)); (err == nil) != exists {
			t.Errorf("%s: %v", name, err)
		}
	}
	if !addfd {
		testutil.SkipIfUnsupported(t, &kernel.FeatureError{Feature: "SECCOMP_IOCTL_NOTIF_ADDFD", MinKernel: kernel.V(5, 9)}, kernel.V(5, 9))
	}
}

// injectPipe answers n with the read end of a pipe holding "injected",
// atomically and at number 42 where the kernel can (ADDFD with SETFD and
// SEND, 5.14), with ADDFD at the lowest free number and a separate answer
// otherwise.
func injectPipe(n *Notification) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	if _, err := w.WriteString("injected"); err != nil {
		w.Close()
		return err
	}
	w.Close()
	// At a number of the supervisor's choosing (SETFD), which the
	// answer tells the child.
	fd, err := n.AddFD(r, &AddFDOptions{SetFD: true, FD: 42, CloseOnExec: true, Send: true})
	if err == nil && fd != 42 {
		return fmt.Errorf("AddFD at 42 = %d", fd)
	}
	if !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	fd, err = n.AddFD(r, &AddFDOptions{CloseOnExec: true})
	if err != nil {
		return err
	}
	return n.Respond(Value(int64(fd)))
}

// TestNotifyIDValidAfterKill receives a notification, kills its target,
// and checks that the notification is then invalid.
func TestNotifyIDValidAfterKill(t *testing.T) {
	arch, prog := mkdirNotifyPolicy(t)
	dir := t.TempDir()
	tg := startTarget(t, prog, "block:"+dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// A listener received from elsewhere: here a duplicate.
	l := adopt(t, tg.l)
	n, err := l.Receive(ctx)
	if err != nil {
		t.Fatalf("Receive: %v; child said:\n%s", err, tg.out.String())
	}
	if p := pathArg(t, arch, n); p != filepath.Join(dir, "block") {
		t.Fatalf("path %q", p)
	}
	tg.cmd.Process.Kill()
	tg.cmd.Wait()
	for what, err := range map[string]error{"IDValid": n.IDValid(), "Respond": n.Respond(Continue())} {
		if !errors.Is(err, ErrNotificationGone) || !errors.Is(err, syscall.ENOENT) {
			t.Errorf("%s after the target's death = %v; want ErrNotificationGone", what, err)
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if _, err := n.AddFD(r, nil); !errors.Is(err, ErrNotificationGone) {
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 9))
		t.Errorf("AddFD after the target's death = %v; want ErrNotificationGone", err)
	}
}

// adopt returns a Listener for a duplicate of l's descriptor, made by
// ListenerFromFile.
func adopt(t *testing.T, l *Listener) *Listener {
	t.Helper()
	rc, err := l.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var dup int
	if err := rc.Control(func(fd uintptr) { dup, err = syscall.Dup(int(fd)) }); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(dup), "listener")
	defer f.Close()
	l2, err := ListenerFromFile(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l2.Close() })
	return l2
}

// TestListenerFromFileNotListener adopts a file that is always readable
// but no listener: Receive fails instead of waiting.
func TestListenerFromFileNotListener(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := ListenerFromFile(f)
	testutil.SkipIfUnsupported(t, err, kernel.V(5, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if n, err := l.Receive(ctx); !errors.Is(err, syscall.ENOTTY) && !errors.Is(err, syscall.EINVAL) {
		t.Errorf("Receive on %s = %v, %v; want ENOTTY or EINVAL", os.DevNull, n, err)
	}
}

// TestNotifyReceiveCancel cancels a waiting Receive, then checks that
// Receive reports the end of the filter's last task.
func TestNotifyReceiveCancel(t *testing.T) {
	_, prog := mkdirNotifyPolicy(t)
	tg := startTarget(t, prog, "wait")
	ctx, cancel := context.WithCancel(context.Background())
	stop := make(chan struct{})
	go func() {
		// A cancellation while Receive waits, most likely: the test
		// holds either way.
		select {
		case <-time.After(50 * time.Millisecond):
		case <-stop:
		}
		cancel()
	}()
	n, err := tg.l.Receive(ctx)
	close(stop)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Receive with a cancelled context = %v, %v", n, err)
	}
	// The listener still works after a cancellation.
	tg.stdin.Close()
	if err := tg.cmd.Wait(); err != nil {
		t.Fatalf("child: %v:\n%s", err, tg.out.String())
	}
	if running, err := kernel.Running(); err != nil || !running.AtLeast(kernel.V(5, 8)) {
		t.Skip("POLLHUP of an unused filter needs Linux 5.8")
	}
	ctx, cancel2 := context.WithTimeout(context.Background(), time.Minute)
	defer cancel2()
	if n, err := tg.l.Receive(ctx); !errors.Is(err, os.ErrProcessDone) {
		t.Fatalf("Receive after the target's exit = %v, %v; want os.ErrProcessDone", n, err)
	}
	tg.l.Close()
	if n, err := tg.l.Receive(ctx); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Receive after Close = %v, %v; want os.ErrClosed", n, err)
	}
}

func TestResponseString(t *testing.T) {
	for r, want := range map[Response]string{
		Continue():             "continue",
		Errno(syscall.EACCES):  "errno(13)",
		Value(-3):              "value(-3)",
		{}:                     "value(0)",
		Errno(syscall.ENOTDIR): "errno(20)",
	} {
		if got := r.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", r, got, want)
		}
	}
}

// TestNotifyInvalid checks arguments rejected before any system call.
func TestNotifyInvalid(t *testing.T) {
	l := &Listener{}
	for _, e := range []syscall.Errno{0, 4096} {
		if err := l.Respond(1, Errno(e)); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Respond(Errno(%d)) = %v", e, err)
		}
	}
	fds := []int{-1}
	if big := int64(math.MaxInt32) + 1; int64(int(big)) == big { // 64-bit
		fds = append(fds, int(big))
	}
	for _, fd := range fds {
		if _, err := l.AddFD(1, nil, &AddFDOptions{SetFD: true, FD: fd}); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("AddFD at %d = %v", fd, err)
		}
	}
	if _, err := InstallListener(nil, nil); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("InstallListener(nil) = %v", err)
	}
	if _, err := ReadMemory(0, 0, nil); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("ReadMemory(pid 0) = %v", err)
	}
	if _, err := ReadMemory(os.Getpid(), 1<<64-2, make([]byte, 4)); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("ReadMemory at the end of the address space = %v", err)
	}
	if _, err := ReadString(os.Getpid(), 0, -1); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("ReadString(max -1) = %v", err)
	}
}
