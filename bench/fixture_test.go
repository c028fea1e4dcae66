package bench

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The per-process comparisons read the files of a fixture: a `sleep`
// child started for the benchmark (or check) alone. Its files have a fixed
// shape, one thread and the few mappings of a small C program, whatever
// ran earlier in the benchmark process. Reading the benchmark's own
// /proc/self files instead would measure whatever state earlier benchmarks
// left: /proc/PID/stat sums over threads, so the ~155 idle threads left by
// a benchmark that waits on 200 children make every later stat read ~60%
// slower.

// fixture starts `sleep 3600`, waits until it sleeps for good (it has
// exec'd, loaded its libraries and entered nanosleep: state S, and its
// stat no longer changes), and returns its pid. It is killed and reaped
// when tb ends.
func fixture(tb testing.TB) int {
	tb.Helper()
	cmd := exec.Command("sleep", "3600")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	stat := procPath(cmd.Process.Pid, "stat")
	var prev []byte
	for deadline := time.Now().Add(10 * time.Second); ; {
		b, err := os.ReadFile(stat)
		if err == nil && bytes.HasPrefix(b, []byte(strconv.Itoa(cmd.Process.Pid)+" (sleep) S ")) && bytes.Equal(b, prev) {
			return cmd.Process.Pid
		}
		if time.Now().After(deadline) {
			tb.Fatalf("fixture %d does not settle: %q, %v", cmd.Process.Pid, b, err)
		}
		prev = b
		time.Sleep(5 * time.Millisecond)
	}
}

// procPath returns /proc/PID/name.
func procPath(pid int, name string) string {
	return "/proc/" + strconv.Itoa(pid) + "/" + name
}

// countProcs returns the number of processes in /proc.
func countProcs(tb testing.TB) int {
	d, err := os.Open("/proc")
	if err != nil {
		tb.Fatal(err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		tb.Fatal(err)
	}
	c := 0
	for _, s := range names {
		if _, err := strconv.Atoi(s); err == nil {
			c++
		}
	}
	return c
}

// sleepers is a set of `sleep` children that a scan benchmark adds to the
// process table, killed when the benchmark ends.
type sleepers struct {
	tb   testing.TB
	cmds []*exec.Cmd
}

func newSleepers(tb testing.TB) *sleepers {
	s := &sleepers{tb: tb}
	tb.Cleanup(func() { s.resize(0) })
	return s
}

// resize starts or kills children until there are n of them.
func (s *sleepers) resize(n int) {
	for len(s.cmds) < n {
		c := exec.Command("sleep", "3600")
		c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := c.Start(); err != nil {
			s.tb.Fatal(err)
		}
		s.cmds = append(s.cmds, c)
	}
	for len(s.cmds) > n {
		c := s.cmds[len(s.cmds)-1]
		s.cmds = s.cmds[:len(s.cmds)-1]
		c.Process.Kill()
		c.Wait()
	}
}

// ensureProcs makes /proc list at least n processes, adding sleepers.
// It reports false, and leaves the table alone, when the machine already
// has more than n and exactly n was asked for (exact).
func ensureProcs(tb testing.TB, s *sleepers, n int, exact bool) bool {
	others := countProcs(tb) - len(s.cmds)
	if exact && others > n {
		return false
	}
	s.resize(max(0, n-others))
	return true
}
