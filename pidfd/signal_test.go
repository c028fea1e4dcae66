package pidfd

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/signal"
)

func TestSignalScopes(t *testing.T) {
	// A process group leader, so that ScopeProcessGroup has a group.
	cmd := exec.Command("/bin/sleep", "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	_, fd := startCmd(t, cmd)
	for _, s := range []SignalScope{ScopeDefault, ScopeThread, ScopeThreadGroup, ScopeProcessGroup} {
		// Signal 0 checks permission without sending anything.
		err := fd.Signal(0, &SignalOptions{Scope: s})
		if s != ScopeDefault {
			testutil.SkipIfUnsupported(t, err, kernel.V(6, 9))
		}
		if err != nil {
			t.Errorf("Signal(0, %v): %v", s, err)
		}
	}
	// A process that does not lead a group: ESRCH, not "process done".
	_, other := sleeper(t)
	if err := other.Signal(0, &SignalOptions{Scope: ScopeProcessGroup}); !errors.Is(err, syscall.ESRCH) || isDone(err) {
		t.Errorf("Signal(0, process-group) to a non-leader: %v, want ESRCH only", err)
	}
	if err := fd.Signal(0, &SignalOptions{Scope: 9}); err == nil {
		t.Error("Signal with scope 9 succeeded")
	}
	if err := fd.Signal(signal.Term, &SignalOptions{Scope: ScopeThread}); err != nil {
		t.Fatal(err)
	}
	if st := wait(t, fd); st.Signal != signal.Term {
		t.Errorf("status %v, want SIGTERM", st)
	}
}

func TestSignalScopeString(t *testing.T) {
	for s, want := range map[SignalScope]string{ScopeDefault: "default", ScopeThread: "thread",
		ScopeThreadGroup: "thread-group", ScopeProcessGroup: "process-group", 7: "SignalScope(7)"} {
		if s.String() != want {
			t.Errorf("%d.String() = %q, want %q", s, s.String(), want)
		}
	}
}

func TestSignalSiginfo(t *testing.T) {
	// The child ignores SIGUSR1 (an ignored disposition survives exec),
	// so queueing one is harmless.
	_, fd := child(t, "/bin/sh", "-c", "trap '' USR1; exec /bin/sleep 1000")
	// sh must have run exec before the signal arrives; wait until the
	// child's comm is sleep.
	for {
		b, err := os.ReadFile("/proc/" + itoa(fd.PID()) + "/comm")
		if err != nil {
			t.Fatal(err)
		}
		if string(b) == "sleep\n" {
			break
		}
		if err := fd.WaitExited(timeoutCtx(t, 1)); err == nil {
			t.Fatal("child exited")
		}
	}
	for _, si := range []*SigInfo{{}, {Int: 42}, {Ptr: 0xdeadbeef}, {Code: signal.CodeTimer, Int: -1}} {
		if err := fd.Signal(signal.Usr1, &SignalOptions{Info: si}); err != nil {
			t.Errorf("Signal(SIGUSR1, %+v): %v", *si, err)
		}
	}
	// Kernel rule: no non-negative code to another process.
	for _, c := range []signal.Code{signal.CodeKernel, 1, signal.CodeTkill} {
		err := fd.Signal(signal.Usr1, &SignalOptions{Info: &SigInfo{Code: c}})
		if !errors.Is(err, syscall.EPERM) {
			t.Errorf("Signal with code %v: %v, want EPERM", c, err)
		}
	}
	if err := fd.Signal(signal.Usr1, &SignalOptions{Info: &SigInfo{Int: 1, Ptr: 1}}); err == nil {
		t.Error("SigInfo with Int and Ptr accepted")
	}
	if exited, _ := fd.Exited(); exited {
		t.Error("child died of an ignored signal")
	}
}

// A thread may send itself any code; a process pidfd from another thread
// may not. Signal 0 runs the kernel's checks without delivering anything.
func TestSignalSelfSiginfo(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	fd, err := Open(sys.Gettid(), &OpenOptions{Thread: true})
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(6, 9))
		t.Fatal(err)
	}
	defer fd.Close()
	kernelCode := &SignalOptions{Info: &SigInfo{Code: signal.CodeKernel, Int: 7}}
	if err := fd.Signal(0, kernelCode); err != nil {
		t.Errorf("SI_KERNEL to the calling thread: %v", err)
	}
	if sys.Gettid() == os.Getpid() {
		return // the main thread is the process pidfd's task
	}
	p := self(t)
	if err := p.Signal(0, kernelCode); !errors.Is(err, syscall.EPERM) {
		t.Errorf("SI_KERNEL to own process from another thread: %v, want EPERM", err)
	}
	if err := p.Signal(0, &SignalOptions{Info: &SigInfo{Int: 7}}); err != nil {
		t.Errorf("SI_QUEUE to own process: %v", err)
	}
}

// Signals through the pidfd of a reaped process fail with ESRCH and
// os.ErrProcessDone; they never reach a process that reused the PID.
func TestAfterReap(t *testing.T) {
	fd := reapedChild(t)
	if err := fd.Signal(signal.Kill, nil); !isDone(err) || !errors.Is(err, syscall.ESRCH) {
		t.Errorf("Signal after reap: %v, want os.ErrProcessDone and ESRCH", err)
	} else if !strings.HasPrefix(err.Error(), "pidfd send SIGKILL: ") {
		t.Errorf("Signal after reap: %q does not name SIGKILL", err)
	}
	if _, err := fd.Getfd(0); !isDone(err) {
		t.Errorf("Getfd after reap: %v, want os.ErrProcessDone", err)
	}
	if f, err := fd.Namespace(ns.Net); err == nil {
		f.Close()
		t.Error("Namespace after reap succeeded")
	} else if !isDone(err) && !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Namespace after reap: %v, want os.ErrProcessDone", err)
	}
	if exited, err := fd.Exited(); err != nil || !exited {
		t.Errorf("Exited() after reap = %v, %v", exited, err)
	}
	if _, ok, err := fd.TryWait(); ok || !isDone(err) {
		t.Errorf("TryWait after reap: %v %v, want os.ErrProcessDone", ok, err)
	}
}

// Errors name signals as the kernel does, not as strsignal(3) describes
// them ("terminated"); signal 0 is the existence check.
func TestSignalName(t *testing.T) {
	for sig, want := range map[signal.Signal]string{
		signal.Term: "SIGTERM", signal.Kill: "SIGKILL", 0: "signal 0", 35: "SIGRTMIN+1", 65: "SIG65",
	} {
		if got := signalName(sig); got != want {
			t.Errorf("signalName(%d) = %q, want %q", int(sig), got, want)
		}
	}
}

// A number that is no signal never reaches the kernel: 2^32+9 would be
// SIGKILL to a 32-bit int.
func TestSignalRange(t *testing.T) {
	_, fd := sleeper(t)
	sigs := []signal.Signal{-1, 65}
	if strconv.IntSize == 64 {
		big := int64(1)<<32 + 9
		sigs = append(sigs, signal.Signal(big))
	}
	for _, sig := range sigs {
		err := fd.Signal(sig, nil)
		if !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Signal(%d) = %v, want fs.ErrInvalid", int64(sig), err)
		}
	}
	if exited, err := fd.Exited(); err != nil || exited {
		t.Errorf("the child exited: %v %v", exited, err)
	}
}
