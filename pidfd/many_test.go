package pidfd

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/signal"
)

// threads returns the Threads: count of /proc/self/status.
func threads(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for l := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(l, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads line")
	return 0
}

// parkedWaits counts goroutines parked in the poller inside Wait.
func parkedWaits() int {
	buf := make([]byte, 16<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("[IO wait")) && bytes.Contains(g, []byte("pidfd.(*FD).Wait(")) {
			n++
		}
	}
	return n
}

// TestWaitManyChildren waits for 1000 children at once and checks that
// the waits park goroutines, not OS threads: a property of the design
// (Wait goes through the poller), not a timing.
func TestWaitManyChildren(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 1000 processes")
	}
	const n = 1000
	fds := make([]*FD, 0, n)
	defer func() {
		for _, fd := range fds {
			fd.Kill()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			fd.Wait(ctx)
			cancel()
			fd.Close()
		}
	}()
	for range n {
		pidfd := -1
		cmd := exec.Command("/bin/sleep", "1000")
		cmd.SysProcAttr = &syscall.SysProcAttr{PidFD: &pidfd}
		if err := cmd.Start(); err != nil {
			t.Fatalf("after %d children: %v", len(fds), err)
		}
		fd, err := FromCmd(cmd)
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal(err)
		}
		cmd.Process.Release() // close the runtime's own pidfd; lx reaps
		fds = append(fds, fd)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	type result struct {
		st  ExitStatus
		err error
	}
	results := make(chan result, n)
	for _, fd := range fds {
		go func() {
			st, err := fd.Wait(ctx)
			results <- result{st, err}
		}()
	}
	for parkedWaits() < n {
		if ctx.Err() != nil {
			t.Fatalf("only %d of %d waits parked", parkedWaits(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	th := threads(t)
	t.Logf("%d waits parked on %d OS threads", n, th)
	if th >= 100 {
		t.Errorf("%d OS threads for %d parked waits, want far fewer", th, n)
	}

	for _, fd := range fds {
		if err := fd.Kill(); err != nil {
			t.Fatal(err)
		}
	}
	for range n {
		r := <-results
		if r.err != nil || r.st.Signal != signal.Kill {
			t.Errorf("Wait = %v, %v; want SIGKILL", r.st, r.err)
		}
	}
}
