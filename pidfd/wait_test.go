package pidfd

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/signal"
)

func TestWaitExitCode(t *testing.T) {
	cmd, fd := child(t, "/bin/sh", "-c", "exit 3")
	st := wait(t, fd)
	if st.Reason != Exited || st.Code != 3 || st.Signal != 0 || st.Success() || st.CoreDumped() {
		t.Errorf("status %+v, want exit 3", st)
	}
	if st.PID != cmd.Process.Pid {
		t.Errorf("PID %d, want %d", st.PID, cmd.Process.Pid)
	}
	if st.Rusage == nil {
		t.Fatal("no rusage")
	}
	if st.Rusage.MaxRSS <= 0 || st.Rusage.MaxRSS%1024 != 0 {
		t.Errorf("MaxRSS = %d, want a positive number of bytes", st.Rusage.MaxRSS)
	}
	if got := st.String(); got != "exit status 3" {
		t.Errorf("String() = %q", got)
	}
	// Reaped: a second Wait must not hang.
	if _, err := fd.Wait(context.Background()); !isDone(err) || !errors.Is(err, syscall.ECHILD) {
		t.Errorf("second Wait = %v, want os.ErrProcessDone and ECHILD", err)
	}
}

func TestWaitSignaled(t *testing.T) {
	_, fd := child(t, "/bin/sh", "-c", "kill -KILL $$")
	st := wait(t, fd)
	if st.Reason != Killed || st.Signal != signal.Kill || st.Code != 0 {
		t.Errorf("status %+v, want killed by SIGKILL", st)
	}
	if got := st.String(); got != "signal: SIGKILL" {
		t.Errorf("String() = %q", got)
	}
}

func TestSignalTerm(t *testing.T) {
	_, fd := sleeper(t)
	if err := fd.Signal(signal.Term, nil); err != nil {
		t.Fatal(err)
	}
	if st := wait(t, fd); st.Reason != Killed || st.Signal != signal.Term {
		t.Errorf("status %v, want signal: SIGTERM", st)
	}
}

// A core dump, if the environment lets one happen: core_pattern must be a
// file name (not a pipe to a helper that may be absent) and the hard
// RLIMIT_CORE must allow a core.
func TestWaitCoreDump(t *testing.T) {
	pattern, err := os.ReadFile("/proc/sys/kernel/core_pattern")
	if err != nil {
		t.Skipf("core_pattern: %v", err)
	}
	if p := strings.TrimSpace(string(pattern)); p == "" || p[0] == '|' || p[0] == '@' || strings.Contains(p, "/") {
		t.Skipf("core_pattern %q is not a plain file name in the cwd; decoding is covered by TestExitFromWaitStatus", p)
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_CORE, &rl); err != nil || rl.Max < 1<<20 {
		t.Skipf("hard RLIMIT_CORE %d too small: %v", rl.Max, err)
	}
	cmd := exec.Command("/bin/sh", "-c", "ulimit -c "+strconv.FormatUint(rl.Max, 10)+" 2>/dev/null || ulimit -c unlimited; kill -SEGV $$")
	if rl.Max == ^uint64(0) {
		cmd.Args[2] = "ulimit -c unlimited; kill -SEGV $$"
	}
	cmd.Dir = t.TempDir()
	_, fd := startCmd(t, cmd)
	st := wait(t, fd)
	if st.Reason != Dumped || st.Signal != signal.Segv || !st.CoreDumped() {
		t.Fatalf("status %+v (%v), want SIGSEGV with core dumped", st, st)
	}
	if got := st.String(); got != "signal: SIGSEGV (core dumped)" {
		t.Errorf("String() = %q", got)
	}
	in, err := fd.Info()
	if errors.Is(err, os.ErrProcessDone) {
		// Before 6.15 PIDFD_GET_INFO has no exit information, and the
		// /proc fallback has nothing left to read after the reap.
		if v, verr := kernel.Running(); verr == nil && v.AtLeast(kernel.V(6, 15)) {
			t.Fatalf("Info after reap on %s: %v", v, err)
		}
		t.Logf("no exit information after reap before 6.15: %v", err)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if in.Exit == nil {
		t.Log("no exit information (needs 6.15)")
	} else if in.Exit.Reason != Dumped || in.Exit.Signal != signal.Segv {
		t.Errorf("Info.Exit = %v, want SIGSEGV core dumped", in.Exit)
	}
	if in.Coredump == nil {
		t.Log("no core dump information (needs 6.16)")
	} else if in.Coredump.Flags&CoreDumped == 0 {
		// Observed on 6.18: a dump written to a file by core_pattern
		// leaves coredump_mask empty after reap.
		t.Logf("Info.Coredump.Flags = %v after a dump to a file", in.Coredump.Flags)
	}
}

func TestExitFromWaitStatus(t *testing.T) {
	for _, c := range []struct {
		ws   int32
		want ExitStatus
		str  string
	}{
		{0, ExitStatus{Reason: Exited}, "exit status 0"},
		{3 << 8, ExitStatus{Reason: Exited, Code: 3}, "exit status 3"},
		{255 << 8, ExitStatus{Reason: Exited, Code: 255}, "exit status 255"},
		{9, ExitStatus{Reason: Killed, Signal: signal.Kill}, "signal: SIGKILL"},
		{15, ExitStatus{Reason: Killed, Signal: signal.Term}, "signal: SIGTERM"},
		{0x80 | 11, ExitStatus{Reason: Dumped, Signal: signal.Segv}, "signal: SIGSEGV (core dumped)"},
		{0x80 | 6, ExitStatus{Reason: Dumped, Signal: signal.Abrt}, "signal: SIGABRT (core dumped)"},
		{40, ExitStatus{Reason: Killed, Signal: 40}, "signal: SIGRTMIN+6"}, // a real-time signal, named as glibc numbers it
	} {
		got := exitFromWaitStatus(c.ws)
		if got.Reason != c.want.Reason || got.Code != c.want.Code || got.Signal != c.want.Signal {
			t.Errorf("exitFromWaitStatus(%#x) = %+v, want %+v", c.ws, got, c.want)
		}
		if got.String() != c.str {
			t.Errorf("exitFromWaitStatus(%#x).String() = %q, want %q", c.ws, got.String(), c.str)
		}
	}
	// The zero value is no status, not "ExitReason(0)".
	if got := (ExitStatus{}).String(); got != "no exit status" {
		t.Errorf("ExitStatus{}.String() = %q, want \"no exit status\"", got)
	}
	for r, s := range map[ExitReason]string{0: "none", Exited: "exited", Killed: "killed", Dumped: "dumped", 9: "ExitReason(9)"} {
		if r.String() != s {
			t.Errorf("%d.String() = %q, want %q", r, r.String(), s)
		}
	}
}

func TestWaitCancel(t *testing.T) {
	_, fd := sleeper(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := fd.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait = %v, want context.DeadlineExceeded", err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := fd.WaitExited(ctx2); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitExited(cancelled) = %v, want context.Canceled", err)
	}
	// The child is still running and the FD still works.
	if exited, err := fd.Exited(); err != nil || exited {
		t.Fatalf("Exited() = %v, %v; want false", exited, err)
	}
	if _, ok, err := fd.TryWait(); ok || err != nil {
		t.Fatalf("TryWait() = %v, %v; want not ok", ok, err)
	}
	if err := fd.Kill(); err != nil {
		t.Fatal(err)
	}
	if st := wait(t, fd); st.Signal != signal.Kill {
		t.Errorf("status %v, want SIGKILL", st)
	}
}

func TestTryWaitRunning(t *testing.T) {
	_, fd := sleeper(t)
	st, ok, err := fd.TryWait()
	if err != nil || ok {
		t.Fatalf("TryWait on a running child = %+v, %v, %v", st, ok, err)
	}
	fd.Kill()
	if err := fd.WaitExited(t.Context()); err != nil {
		t.Fatal(err)
	}
	exited, err := fd.Exited()
	if err != nil || !exited {
		t.Fatalf("Exited() = %v, %v after WaitExited", exited, err)
	}
	// Exited but not reaped: TryWait reaps now.
	st, ok, err = fd.TryWait()
	if err != nil || !ok || st.Signal != signal.Kill {
		t.Fatalf("TryWait after exit = %+v, %v, %v", st, ok, err)
	}
}

func TestWaitNotChild(t *testing.T) {
	fd := self(t)
	_, err := fd.Wait(t.Context())
	if !errors.Is(err, ErrNotChild) || !errors.Is(err, syscall.ECHILD) {
		t.Fatalf("Wait(self) = %v, want ErrNotChild and ECHILD", err)
	}
	if errors.Is(err, os.ErrProcessDone) {
		t.Errorf("Wait(self) = %v matches os.ErrProcessDone", err)
	}
}

// os/exec reaps the child; Wait on the pidfd must return, not hang.
func TestWaitReapedByExec(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "exit 1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	fd, err := FromProcess(cmd.Process)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	if err := cmd.Wait(); err == nil {
		t.Fatal("cmd.Wait: want exit status 1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = fd.Wait(ctx)
	if !isDone(err) || !errors.Is(err, syscall.ECHILD) {
		t.Fatalf("Wait after cmd.Wait = %v, want os.ErrProcessDone and ECHILD", err)
	}
	if in, err := fd.Info(); err == nil && in.Exit != nil && in.Exit.Code != 1 {
		t.Errorf("Info.Exit = %v, want exit status 1", in.Exit)
	}
}

// A Wait parked when another waiter reaps the child returns either the
// status (it won) or os.ErrProcessDone (it lost), never hangs.
func TestWaitRacingReaper(t *testing.T) {
	cmd, fd := sleeper(t)
	type result struct {
		st  ExitStatus
		err error
	}
	res := make(chan result, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go func() {
		st, err := fd.Wait(ctx)
		res <- result{st, err}
	}()
	cmd.Process.Kill()
	cmd.Wait()
	r := <-res
	switch {
	case r.err == nil:
		if r.st.Signal != signal.Kill {
			t.Errorf("status %v, want SIGKILL", r.st)
		}
	case !isDone(r.err):
		t.Errorf("Wait = %v, want status or os.ErrProcessDone", r.err)
	}
}

func TestWaitClosed(t *testing.T) {
	_, c := sleeper(t)
	fd, err := Open(c.PID(), nil)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	parked := make(chan struct{})
	go func() {
		close(parked)
		errc <- fd.WaitExited(context.Background())
	}()
	<-parked
	fd.Close()
	if err := <-errc; !errors.Is(err, os.ErrClosed) {
		t.Errorf("WaitExited after Close = %v, want os.ErrClosed", err)
	}
	if _, err := fd.Wait(context.Background()); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Wait after Close = %v, want os.ErrClosed", err)
	}
}
