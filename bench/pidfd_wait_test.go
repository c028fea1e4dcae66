package bench

// Waiting for a child process: lx's pidfd.FD.Wait (poller, no thread
// blocked) against the standard library's os.Process.Wait (a blocking
// waitid(P_PIDFD) on a thread of its own). github.com/mdlayher/pidfd, the
// third Go implementation, could not be fetched where these benchmarks
// were written (the module proxy refuses it), so it is not compared.
//
//	go test -run '^$' -bench 'Pidfd' -count 10 . | tee new.txt
//	benchstat -col /impl new.txt

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/pidfd"
)

// pidfdStartChild starts argv with a pidfd from clone.
func pidfdStartChild(b testing.TB, argv ...string) (*exec.Cmd, *pidfd.FD) {
	b.Helper()
	fdNum := -1
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{PidFD: &fdNum}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	fd, err := pidfd.FromCmd(cmd)
	if err != nil {
		b.Fatal(err)
	}
	return cmd, fd
}

// BenchmarkPidfdWaitReap starts /bin/true, waits until it has exited
// (through a pidfd, both implementations alike) and reaps it. ns/op is the
// whole cycle, dominated by fork and exec; "reap-ns/op" is the reap alone:
// lx's FD.Wait against os.Process.Wait on a child that has already exited.
func BenchmarkPidfdWaitReap(b *testing.B) {
	run := func(b *testing.B, reap func(cmd *exec.Cmd, fd *pidfd.FD) error) {
		b.ReportAllocs()
		var reapTime time.Duration
		for b.Loop() {
			cmd, fd := pidfdStartChild(b, "/bin/true")
			if err := fd.WaitExited(context.Background()); err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			if err := reap(cmd, fd); err != nil {
				b.Fatal(err)
			}
			reapTime += time.Since(t0)
			fd.Close()
			cmd.Process.Release()
		}
		b.ReportMetric(float64(reapTime.Nanoseconds())/float64(b.N), "reap-ns/op")
	}
	b.Run("impl=lx", func(b *testing.B) {
		run(b, func(_ *exec.Cmd, fd *pidfd.FD) error {
			_, err := fd.Wait(context.Background())
			return err
		})
	})
	b.Run("impl=stdlib", func(b *testing.B) {
		run(b, func(cmd *exec.Cmd, _ *pidfd.FD) error {
			_, err := cmd.Process.Wait()
			return err
		})
	})
}

// BenchmarkPidfdWaitMany starts 200 children that exit after 100ms and
// waits for all of them concurrently, one goroutine each. It reports the
// peak number of OS threads ("threads"): the stdlib parks a thread in
// waitid per waiter, lx parks goroutines in the poller.
func BenchmarkPidfdWaitMany(b *testing.B) {
	const n = 200
	run := func(b *testing.B, wait func(cmd *exec.Cmd, fd *pidfd.FD) error) {
		b.ReportAllocs()
		peak := 0
		for i := 0; i < b.N; i++ {
			cmds := make([]*exec.Cmd, n)
			fds := make([]*pidfd.FD, n)
			for j := range n {
				cmds[j], fds[j] = pidfdStartChild(b, "/bin/sleep", "0.1")
			}
			var wg sync.WaitGroup
			for j := range n {
				wg.Go(func() {
					if err := wait(cmds[j], fds[j]); err != nil {
						b.Error(err)
					}
				})
			}
			stop := make(chan struct{})
			sampled := make(chan int)
			go func() {
				tick := time.NewTicker(time.Millisecond)
				defer tick.Stop()
				m := pidfdThreadCount()
				for {
					select {
					case <-stop:
						sampled <- max(m, pidfdThreadCount())
						return
					case <-tick.C:
						m = max(m, pidfdThreadCount())
					}
				}
			}()
			wg.Wait()
			close(stop)
			peak = max(peak, <-sampled)
			for j := range n {
				fds[j].Close()
				cmds[j].Process.Release()
			}
		}
		b.ReportMetric(float64(peak), "threads")
	}
	b.Run("impl=lx", func(b *testing.B) {
		run(b, func(_ *exec.Cmd, fd *pidfd.FD) error {
			_, err := fd.Wait(context.Background())
			return err
		})
	})
	b.Run("impl=stdlib", func(b *testing.B) {
		run(b, func(cmd *exec.Cmd, _ *pidfd.FD) error {
			_, err := cmd.Process.Wait()
			return err
		})
	})
}

// pidfdThreadCount returns the process's current number of OS threads.
func pidfdThreadCount() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	_, v, _ := bytes.Cut(b, []byte("\nThreads:"))
	v, _, _ = bytes.Cut(v, []byte("\n"))
	n, _ := strconv.Atoi(string(bytes.TrimSpace(v)))
	return n
}

// TestPidfdWaitAgrees checks that both ways of waiting report the same
// exit status for the same kind of child.
func TestPidfdWaitAgrees(t *testing.T) {
	for _, code := range []int{0, 7} {
		argv := []string{"/bin/sh", "-c", "exit " + strconv.Itoa(code)}
		cmd, fd := pidfdStartChild(t, argv...)
		st, err := fd.Wait(context.Background())
		fd.Close()
		cmd.Process.Release()
		if err != nil || st.Code != code || st.Reason != pidfd.Exited {
			t.Errorf("lx: exit %d gave %v, %v", code, st, err)
		}
		cmd2, fd2 := pidfdStartChild(t, argv...)
		fd2.Close()
		ps, err := cmd2.Process.Wait()
		if err != nil || ps.ExitCode() != code {
			t.Errorf("stdlib: exit %d gave %v, %v", code, ps, err)
		}
	}
}
