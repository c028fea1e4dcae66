package testutil

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// Main is the TestMain of every lx package:
//
//	func TestMain(m *testing.M) { testutil.Main(m) }
//
// After the tests pass it fails the run if file descriptors are open that
// were not open before, or if more goroutines are running than before
// (after giving finishing goroutines up to two seconds to exit). Fuzzing
// runs are not checked: the fuzzing engine keeps its own fds and goroutines.
func Main(m *testing.M) {
	// Start the runtime poller first, so that its epoll and wakeup fds are
	// part of the baseline.
	if r, w, err := os.Pipe(); err == nil {
		r.SetReadDeadline(time.Now())
		r.Close()
		w.Close()
	}
	fds := openFDs()
	goroutines := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 && !fuzzing() {
		if msg := leaks(fds, goroutines); msg != "" {
			fmt.Fprintln(os.Stderr, "FAIL: "+msg)
			code = 1
		}
	}
	os.Exit(code)
}

func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

func leaks(fdsBefore map[string]string, goroutinesBefore int) string {
	var msg string
	for deadline := time.Now().Add(2 * time.Second); ; {
		runtime.GC() // runs cleanups that close forgotten fds
		msg = ""
		var extra []string
		for fd, target := range openFDs() {
			if old, ok := fdsBefore[fd]; !ok || old != target {
				extra = append(extra, fd+" -> "+target)
			}
		}
		if len(extra) > 0 {
			slices.Sort(extra)
			msg = "tests leaked file descriptors:\n\t" + strings.Join(extra, "\n\t") + "\n"
		}
		if n := runtime.NumGoroutine(); n > goroutinesBefore {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			msg += fmt.Sprintf("tests leaked goroutines (%d running, %d before):\n%s", n, goroutinesBefore, buf)
		}
		if msg == "" || time.Now().After(deadline) {
			return msg
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// openFDs maps each open fd number to what it refers to. The directory fd
// used to list /proc/self/fd is left out.
func openFDs() map[string]string {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	self := fmt.Sprintf("/proc/%d/fd", os.Getpid())
	m := make(map[string]string, len(names))
	for _, n := range names {
		target, err := os.Readlink("/proc/self/fd/" + n)
		if err != nil || target == self {
			continue
		}
		m[n] = target
	}
	return m
}
