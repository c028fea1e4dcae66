package pidfd

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// child starts argv with SysProcAttr.PidFD and adopts the pidfd. Cleanup
// kills and reaps the child and releases os/exec's own pidfd.
func child(t testing.TB, argv ...string) (*exec.Cmd, *FD) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	return startCmd(t, cmd)
}

func startCmd(t testing.TB, cmd *exec.Cmd) (*exec.Cmd, *FD) {
	t.Helper()
	pidfd := -1
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.PidFD = &pidfd
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	fd, err := FromCmd(cmd)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal(err)
	}
	t.Cleanup(func() { reap(cmd, fd) })
	return cmd, fd
}

// reap kills and reaps a child started by startCmd, whatever state the test
// left it in.
func reap(cmd *exec.Cmd, fd *FD) {
	fd.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fd.Wait(ctx)
	fd.Close()
	cmd.Process.Release()
}

// sleeper starts a child that runs until killed.
func sleeper(t testing.TB) (*exec.Cmd, *FD) {
	t.Helper()
	return child(t, "/bin/sleep", "1000")
}

func self(t testing.TB) *FD {
	t.Helper()
	fd, err := Self()
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 3))
		t.Fatal(err)
	}
	t.Cleanup(func() { fd.Close() })
	return fd
}

// wait is Wait with a generous deadline, so that a bug hangs no test run.
func wait(t testing.TB, fd *FD) ExitStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := fd.Wait(ctx)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return st
}

// reapedChild returns the pidfd of a child that has exited with code 0 and
// been reaped through the pidfd.
func reapedChild(t *testing.T) *FD {
	t.Helper()
	_, fd := child(t, "/bin/sh", "-c", "exit 0")
	if st := wait(t, fd); !st.Success() {
		t.Fatalf("child: %v", st)
	}
	return fd
}

func isDone(err error) bool {
	return errors.Is(err, os.ErrProcessDone)
}

func itoa(n int) string { return strconv.Itoa(n) }

// timeoutCtx returns a context that ends after ms milliseconds.
func timeoutCtx(t testing.TB, ms int) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(ms)*time.Millisecond)
	t.Cleanup(cancel)
	return ctx
}
