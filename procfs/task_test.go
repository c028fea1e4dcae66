package procfs

import (
	"errors"
	"os"
	"runtime"
	"slices"
	"syscall"
	"testing"

	"github.com/lxgo/lx/signal"
)

func TestThreadsSelf(t *testing.T) {
	tidc := make(chan int)
	release := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tid := syscall.Gettid()
		// A thread reading its own stat is running.
		if st, err := mustThread(t, Default().Self(), tid).Stat(); err != nil || st.State != StateRunning {
			t.Errorf("own thread state %v: %v", st.State, err)
		}
		tidc <- tid
		<-release
	}()
	tid := <-tidc
	defer close(release)

	p := Default().Self()
	var tids []int
	for th, err := range p.Threads() {
		if err != nil {
			t.Fatal(err)
		}
		if th.PID() != os.Getpid() || !th.IsThread() {
			t.Errorf("thread %v", th)
		}
		tids = append(tids, th.TID())
	}
	// The main thread first; the others in creation order, which is not
	// TID order once the PIDs have wrapped (a CI run saw 32644, then 301).
	if len(tids) == 0 || tids[0] != os.Getpid() || !slices.Contains(tids, tid) {
		t.Errorf("tids %v: want %d first, and %d", tids, os.Getpid(), tid)
	}
	th := mustThread(t, p, tid)
	st, err := th.Stat()
	wantExit := signal.Signal(-1) // threads do not signal the parent
	if tid == os.Getpid() {
		wantExit = signal.Chld // the goroutine ran on the main thread
	}
	if err != nil || st.PID != tid || st.ExitSignal != wantExit {
		t.Errorf("thread stat pid %d exit signal %d: %v", st.PID, st.ExitSignal, err)
	}
	status, err := th.Status()
	if err != nil || status.PID != tid || status.TGID != os.Getpid() {
		t.Errorf("thread status pid %d tgid %d: %v", status.PID, status.TGID, err)
	}
	// A thread's comm is its own; Go threads share the process name.
	if c, err := th.Comm(); err != nil || c != st.Comm {
		t.Errorf("thread comm %q %v", c.String(), err)
	}
	// Another process's thread id is not our thread.
	if _, err := p.Thread(1); os.Getpid() != 1 && (!errors.Is(err, syscall.ESRCH) || errors.Is(err, os.ErrProcessDone)) {
		t.Errorf("pid 1 as a thread of this process: %v", err)
	}
}
