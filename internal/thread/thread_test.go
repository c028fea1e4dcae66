package thread

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// threadCount is the Threads: line of /proc/self/status.
func threadCount(t *testing.T) int {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads: line in /proc/self/status")
	return 0
}

func threadAlive(tid int) bool {
	_, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", tid))
	return err == nil
}

// waitThreadGone waits until thread tid has exited.
func waitThreadGone(t *testing.T, tid int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); threadAlive(tid); {
		if time.Now().After(deadline) {
			t.Fatalf("thread %d still exists", tid)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestRunLocksTheThread(t *testing.T) {
	errTest := errors.New("test")
	var tid int
	err := Run(func(th *Thread) error {
		tid = th.TID()
		for range 100 {
			runtime.Gosched()
			if got := sys.Gettid(); got != th.TID() {
				return fmt.Errorf("moved from thread %d to %d", th.TID(), got)
			}
		}
		return errTest
	})
	if !errors.Is(err, errTest) {
		t.Fatalf("Run = %v, want fn's error", err)
	}
	if !threadAlive(tid) {
		t.Errorf("untainted thread %d was terminated", tid)
	}
}

// TestNeverOnMainThread: the runtime cannot terminate the main thread, so
// Run must never give it to fn, even when it is the only idle thread.
func TestNeverOnMainThread(t *testing.T) {
	for range 100 {
		Run(func(th *Thread) error {
			if th.TID() == os.Getpid() {
				t.Error("fn ran on the main thread")
			}
			return nil
		})
	}
	// Occupy every other thread with locked goroutines, so that the main
	// thread is the one most likely idle.
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range threadCount(t) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			<-release
		}()
	}
	for range 20 {
		Run(func(th *Thread) error {
			if th.TID() == os.Getpid() {
				t.Error("fn ran on the main thread")
			}
			return nil
		})
	}
	close(release)
	wg.Wait()
}

func TestTaintedThreadExits(t *testing.T) {
	var tid int
	if err := Run(func(th *Thread) error { th.Taint(); tid = th.TID(); return nil }); err != nil {
		t.Fatal(err)
	}
	waitThreadGone(t, tid)
}

func TestPanicTaintsAndPropagates(t *testing.T) {
	var tid int
	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Errorf("recovered %v, want boom", v)
			}
		}()
		Run(func(th *Thread) error { tid = th.TID(); panic("boom") })
		t.Error("Run returned after a panic")
	}()
	waitThreadGone(t, tid)
}

func TestGoexitTaints(t *testing.T) {
	var tid int
	err := Run(func(th *Thread) error { tid = th.TID(); runtime.Goexit(); return nil })
	if !errors.Is(err, errGoexit) {
		t.Errorf("Run after Goexit = %v, want errGoexit", err)
	}
	waitThreadGone(t, tid)
}

// TestUntaintedRunsReuseThreads: threads of untainted runs survive and are
// reused, so many runs see few distinct threads, all of them alive.
// (Were every thread discarded, each run would see a new tid: the kernel
// hands out ids cyclically.)
func TestUntaintedRunsReuseThreads(t *testing.T) {
	const runs = 200
	tids := map[int]bool{}
	for range runs {
		if err := Run(func(th *Thread) error { tids[th.TID()] = true; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	n := threadCount(t)
	if len(tids) > n {
		t.Errorf("%d runs used %d distinct threads, more than the %d the process has", runs, len(tids), n)
	}
	for tid := range tids {
		if !threadAlive(tid) {
			t.Errorf("thread %d of an untainted run is gone", tid)
		}
	}
}

// TestTaintedRunsDoNotAccumulate: every tainted thread exits, so the
// process does not grow a thread per run.
func TestTaintedRunsDoNotAccumulate(t *testing.T) {
	before := threadCount(t)
	for range 50 {
		var tid int
		if err := Run(func(th *Thread) error { th.Taint(); tid = th.TID(); return nil }); err != nil {
			t.Fatal(err)
		}
		waitThreadGone(t, tid)
	}
	// The runtime may start a few threads of its own meanwhile, but not
	// one per run.
	if after := threadCount(t); after > before+10 {
		t.Errorf("%d threads before 50 tainted runs, %d after", before, after)
	}
}

// hostnamesOnAllThreads reads the hostname on at least every thread the
// process has: n goroutines lock their threads and hold them until all
// have read it, so they occupy n distinct threads, and the runtime hands
// out idle threads before it creates new ones.
func hostnamesOnAllThreads(t *testing.T) map[string]int {
	t.Helper()
	n := threadCount(t) + 8
	var mu sync.Mutex
	seen := map[string]int{}
	tids := map[int]bool{}
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	for range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			u, err := sys.Uname()
			mu.Lock()
			if err != nil {
				seen["error: "+err.Error()]++
			} else {
				seen[u.Nodename]++
			}
			tids[sys.Gettid()] = true
			mu.Unlock()
			ready.Done()
			<-release
		}()
	}
	ready.Wait()
	close(release)
	done.Wait()
	if len(tids) != n {
		t.Fatalf("%d locked goroutines ran on %d threads", n, len(tids))
	}
	return seen
}

// hostnamesOnManyGoroutines reads the hostname from thousands of unlocked
// goroutines spread over more Ps than CPUs.
func hostnamesOnManyGoroutines(t *testing.T) map[string]int {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 4000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				u, err := sys.Uname()
				name := u.Nodename
				if err != nil {
					name = "error: " + err.Error()
				}
				mu.Lock()
				seen[name]++
				mu.Unlock()
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
	return seen
}

// dirtyRun changes the hostname of fn's thread in a new UTS namespace.
func dirtyRun(t *testing.T, taint bool) string {
	t.Helper()
	dirty := fmt.Sprintf("lx-thread-test-%d", os.Getpid())
	err := Run(func(th *Thread) error {
		if taint {
			th.Taint()
		}
		if err := sys.Unshare(sys.CLONE_NEWUTS); err != nil {
			return err
		}
		if err := sys.Sethostname(dirty); err != nil {
			return err
		}
		u, err := sys.Uname()
		if err != nil || u.Nodename != dirty {
			return fmt.Errorf("hostname in the new namespace = %q, %v", u.Nodename, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirty
}

// TestTaintIsolatesThreadState: a tainted thread's UTS namespace is never
// seen by any other goroutine.
func TestTaintIsolatesThreadState(t *testing.T) {
	testutil.RequireCap(t, capability.SysAdmin)
	orig, err := sys.Uname()
	if err != nil {
		t.Fatal(err)
	}
	dirty := dirtyRun(t, true)
	for name, seen := range map[string]map[string]int{
		"locked goroutines on every thread": hostnamesOnAllThreads(t),
		"thousands of goroutines":           hostnamesOnManyGoroutines(t),
	} {
		if len(seen) != 1 || seen[orig.Nodename] == 0 {
			t.Errorf("%s saw hostnames %v, want only %q (the tainted thread had %q)", name, seen, orig.Nodename, dirty)
		}
	}
}

// TestUntaintedStateLeaks is the control for TestTaintIsolatesThreadState:
// without Taint the changed thread goes back to the pool, and the same
// check finds its hostname. It runs in a child process, which it spoils.
func TestUntaintedStateLeaks(t *testing.T) {
	testutil.RequireCap(t, capability.SysAdmin)
	testutil.RunInChild(t, nil, func(t *testing.T) {
		dirty := dirtyRun(t, false)
		if seen := hostnamesOnAllThreads(t); seen[dirty] == 0 {
			t.Errorf("no goroutine saw the untainted thread's hostname %q: %v", dirty, seen)
		}
	})
}
