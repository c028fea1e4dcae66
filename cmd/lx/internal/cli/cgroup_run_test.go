package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/cgroup"
	"github.com/lxgo/lx/pidfd"
)

func TestParseBytesMax(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want cgroup.Max
		ok   bool
	}{
		{"max", cgroup.Unlimited, true},
		{"0", 0, true},
		{"4096", 4096, true},
		{"512M", 512 << 20, true},
		{"512m", 512 << 20, true},
		{"512MiB", 512 << 20, true},
		{"1G", 1 << 30, true},
		{"3T", 3 << 40, true},
		{"15E", 15 << 60, true},
		{"16E", 0, false}, // 2^64: overflows
		{"18446744073709551615", 0, false},
		{"1.5G", 0, false},
		{"1GB", 0, false},
		{"1iB", 0, false},
		{"1b", 0, false},
		{"-1", 0, false},
		{"", 0, false},
		{"M", 0, false},
		{"MAX", 0, false},
	} {
		got, err := parseBytesMax(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseBytesMax(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseCPUMaxFlag(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want cgroup.CPUMax
		ok   bool
	}{
		{"max", cgroup.CPUMax{Quota: cgroup.UnlimitedQuota}, true},
		{"50ms", cgroup.CPUMax{Quota: cgroup.Quota(50 * time.Millisecond)}, true},
		{"50ms/100ms", cgroup.CPUMax{Quota: cgroup.Quota(50 * time.Millisecond), Period: 100 * time.Millisecond}, true},
		{"50000/100000", cgroup.CPUMax{Quota: cgroup.Quota(50 * time.Millisecond), Period: 100 * time.Millisecond}, true},
		{"max/1s", cgroup.CPUMax{Quota: cgroup.UnlimitedQuota, Period: time.Second}, true},
		{"1.5s/250000", cgroup.CPUMax{Quota: cgroup.Quota(1500 * time.Millisecond), Period: 250 * time.Millisecond}, true},
		{"50ms/0", cgroup.CPUMax{}, false},
		{"50ms/max", cgroup.CPUMax{}, false},
		{"-5ms", cgroup.CPUMax{}, false},
		{"fast", cgroup.CPUMax{}, false},
		{"", cgroup.CPUMax{}, false},
		{"99999999999999999999", cgroup.CPUMax{}, false},
	} {
		got, err := parseCPUMaxFlag(tc.in)
		if (err == nil) != tc.ok || tc.ok && got != tc.want {
			t.Errorf("parseCPUMaxFlag(%q) = %+v, %v; want %+v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestCgroupRunUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"cgroup", "run"}, "no command to run"},
		{[]string{"cgroup", "run", "--memory-max", "lots", "true"}, "--memory-max lots: want max or a number of bytes"},
		{[]string{"cgroup", "run", "--memory-high", "1GB", "true"}, "--memory-high 1GB:"},
		{[]string{"cgroup", "run", "--pids-max", "-1", "true"}, "--pids-max -1: want max or a decimal number"},
		{[]string{"cgroup", "run", "--cpu-max", "1/0", "true"}, "--cpu-max 1/0: period: want more than 0"},
		{[]string{"cgroup", "run", "--cpu-weight", "0", "true"}, "--cpu-weight 0: want a number from 1 to 10000"},
		{[]string{"cgroup", "run", "--parent", "rel", "true"}, "--parent rel: want a cgroup path"},
	} {
		out, errOut, code := runLX(t, tc.args...)
		if code != ExitCannotRun || out != "" || !strings.Contains(errOut, tc.msg) {
			t.Errorf("lx %q: exit %d, stdout %q, stderr %q; want 125 and %q", tc.args, code, out, errOut, tc.msg)
		}
	}
	if _, errOut, code := runLX(t, "cgroup", "run", "lx-no-such-command-here"); code != ExitNotFound {
		t.Errorf("a missing command: exit %d, stderr %q; want 127", code, errOut)
	}
}

// runCgroupPath is the cgroup lx cgroup run makes for lx process pid
// below parent.
func runCgroupPath(parent string, pid int) string {
	return path.Join(parent, "lx-run-"+strconv.Itoa(pid))
}

// checkRemoved fails the test if the cgroup at p exists.
func checkRemoved(t *testing.T, p string) {
	t.Helper()
	cg, err := cgroup.Open(p)
	if err == nil {
		cg.Close()
		t.Errorf("cgroup %s is still there", p)
	} else if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("cgroup %s: %v", p, err)
	}
}

// ownCgroup returns the test's own cgroup v2 path, the default parent of
// lx cgroup run's cgroups.
func ownCgroup(t *testing.T) string {
	t.Helper()
	m, err := cgroup.Self()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := m.Unified()
	if !ok {
		t.Skip("no cgroup v2 hierarchy")
	}
	return p
}

// lx cgroup run runs the command in a fresh cgroup, below lx's own or
// below --parent, and removes it afterwards.
func TestCgroupRun(t *testing.T) {
	if os.Geteuid() != 0 {
		// lx's own cgroup is not the test's to write here: the error
		// says why, and nothing runs.
		_, errOut, code := lxRun(t, "", "cgroup", "run", "true")
		if code != ExitCannotRun || !strings.Contains(errOut, "permission denied") {
			t.Errorf("unprivileged: exit %d, stderr %q; want 125 and permission denied", code, errOut)
		}
		return
	}
	parent := testCgroup(t)
	for _, tc := range []struct {
		args   []string
		parent string
	}{
		{nil, ownCgroup(t)},
		{[]string{"--parent", parent.Path()}, parent.Path()},
		{[]string{"--parent", parent.Dir()}, parent.Path()},
	} {
		cmd, out, errOut := lxProcess(t, append(append([]string{"cgroup", "run"}, tc.args...), "sh", "-c", "cat /proc/self/cgroup; exit 5")...)
		code := waitLX(t, cmd)
		want := runCgroupPath(tc.parent, cmd.Process.Pid)
		if code != 5 || !strings.Contains("\n"+out.String(), "\n0::"+want+"\n") || errOut.Len() != 0 {
			t.Errorf("lx cgroup run %q: exit %d, stdout %q, stderr %q; want 5 and 0::%s", tc.args, code, out, errOut, want)
		}
		checkRemoved(t, want)
	}
}

// lxChild is a running lx and its standard input.
type lxChild struct {
	*exec.Cmd
	stdin io.WriteCloser
}

// startGrandchild runs lx cgroup run with a shell that starts a sleeping
// grandchild, says its PID and then runs script; it returns lx with the
// shell's standard input, and a pidfd of the grandchild.
func startGrandchild(t *testing.T, script string) (*lxChild, *pidfd.FD) {
	t.Helper()
	cmd, _, errOut := lxProcess(t, "cgroup", "run", "--", "sh", "-c", "sleep 1000 & echo $!; "+script)
	cmd.Stdout = nil
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := readUntil(t, bufio.NewReader(stdout), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("grandchild pid %q (%v), stderr %q", line, err, errOut)
	}
	// The grandchild cannot have been reaped yet: it sleeps until lx
	// kills its cgroup.
	fd, err := pidfd.Open(pid, nil)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal(err)
	}
	t.Cleanup(func() { fd.Close() })
	return &lxChild{cmd, stdin}, fd
}

// checkGrandchildGone fails the test unless the grandchild has exited.
func checkGrandchildGone(t *testing.T, fd *pidfd.FD) {
	t.Helper()
	if exited, err := fd.Exited(); err != nil || !exited {
		t.Errorf("the command's grandchild %d is still running (%v)", fd.PID(), err)
	}
}

// When the command is killed, what it left in the cgroup is killed too
// and the cgroup removed.
func TestCgroupRunKilled(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("creating a cgroup below the test's own needs root here")
	}
	ownCgroup(t)
	c, fd := startGrandchild(t, "read x; kill -KILL $$")
	c.stdin.Write([]byte("\n"))
	if code := waitLX(t, c.Cmd); code != 128+int(syscall.SIGKILL) {
		t.Errorf("lx exited with %d, want 137", code)
	}
	checkGrandchildGone(t, fd)
	checkRemoved(t, runCgroupPath(ownCgroup(t), c.Process.Pid))
}

// SIGTERM to lx mid-run: passed on to the command; then its grandchild
// is killed and the cgroup removed.
func TestCgroupRunSIGTERM(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("creating a cgroup below the test's own needs root here")
	}
	ownCgroup(t)
	c, fd := startGrandchild(t, "wait")
	if err := c.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitLX(t, c.Cmd); code != 128+int(syscall.SIGTERM) {
		t.Errorf("lx exited with %d, want 143", code)
	}
	checkGrandchildGone(t, fd)
	checkRemoved(t, runCgroupPath(ownCgroup(t), c.Process.Pid))
}

// Limits whose controller the v2 hierarchy does not have here (on a
// hybrid host: bound to v1) are refused before anything runs, with the
// reason.
func TestCgroupRunMissingControllers(t *testing.T) {
	self, err := cgroup.OpenProcess(os.Getpid())
	if err != nil {
		t.Skipf("no cgroup v2 hierarchy: %v", err)
	}
	have, err := self.Controllers()
	self.Close()
	if err != nil {
		t.Fatal(err)
	}
	tested := 0
	for _, tc := range []struct {
		ctl  cgroup.Controller
		args []string
	}{
		{cgroup.Memory, []string{"--memory-max", "64M"}},
		{cgroup.Memory, []string{"--memory-high", "64M"}},
		{cgroup.CPU, []string{"--cpu-max", "50ms/100ms"}},
		{cgroup.CPU, []string{"--cpu-weight", "50"}},
		{cgroup.Pids, []string{"--pids-max", "5"}},
	} {
		if have.Has(tc.ctl) {
			continue
		}
		tested++
		args := append(append([]string{"cgroup", "run"}, tc.args...), "sh", "-c", "echo ran")
		out, errOut, code := lxRun(t, "", args...)
		if code != ExitCannotRun || out != "" || !strings.Contains(errOut, "cannot enable "+string(tc.ctl)) ||
			!strings.Contains(errOut, string(tc.ctl)+" (for "+tc.args[0]+"): ") {
			t.Errorf("lx %q: exit %d, stdout %q, stderr %q; want 125 saying why %s cannot be enabled", args, code, out, errOut, tc.ctl)
		}
	}
	if tested == 0 {
		t.Skipf("lx's cgroup has every controller (%v)", have)
	}
}

// needControllers skips the test unless lx's cgroup (the test's) has the
// controllers and the test may create cgroups; in a kernel-matrix guest,
// which has every controller, a missing one fails the test.
func needControllers(t *testing.T, ctls ...cgroup.Controller) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create cgroups")
	}
	self, err := cgroup.OpenProcess(os.Getpid())
	if err != nil {
		t.Skipf("no cgroup v2 hierarchy: %v", err)
	}
	defer self.Close()
	have, err := self.Controllers()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range ctls {
		if !have.Has(c) {
			if os.Getenv("LX_VMTEST_GUEST") == "1" {
				t.Fatalf("the guest's cgroup %s lacks the %s controller (%v)", self.Path(), c, have)
			}
			t.Skipf("no %s controller in %s here (%v); the kernel-matrix guests have it", c, self.Path(), have)
		}
	}
}

// --pids-max 5: the shell and four sleepers fill the cgroup, the sixth
// process cannot be forked.
func TestCgroupRunPidsMax(t *testing.T) {
	needControllers(t, cgroup.Pids)
	cmd, out, errOut := lxProcess(t, "cgroup", "run", "--pids-max", "5", "--", "sh", "-c",
		`i=1; while [ $i -le 5 ]; do sleep 1000 & echo "started $i"; i=$((i+1)); done; echo "all started"`)
	code := waitLX(t, cmd)
	if code == 0 || !strings.Contains(out.String(), "started 4\n") || strings.Contains(out.String(), "started 5") ||
		!strings.Contains(errOut.String(), "lx cgroup run: pids.max refused") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 4 sleepers started, the 5th refused", code, out, errOut)
	}
	checkRemoved(t, runCgroupPath(ownCgroup(t), cmd.Process.Pid))
}

// --memory-max 32M: a command that allocates 128 MiB is killed by the
// OOM killer, which lx reports, and the exit status is SIGKILL's.
func TestCgroupRunMemoryMax(t *testing.T) {
	needControllers(t, cgroup.Memory)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd, out, errOut := lxProcess(t, "cgroup", "run", "--memory-max", "32M", "--", exe)
	cmd.Env = append(cmd.Env, allocEnv+"=128")
	code := waitLX(t, cmd)
	if code != 128+int(syscall.SIGKILL) || strings.Contains(out.String(), "allocated") ||
		!strings.Contains(errOut.String(), "lx cgroup run: memory limit reached: the OOM killer killed") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 137 and the OOM kill reported", code, out, errOut)
	}
	checkRemoved(t, runCgroupPath(ownCgroup(t), cmd.Process.Pid))

	// Under the limit the same command runs to its end.
	cmd, out, errOut = lxProcess(t, "cgroup", "run", "--memory-max", "256M", "--", exe)
	cmd.Env = append(cmd.Env, allocEnv+"=16")
	if code := waitLX(t, cmd); code != 0 || out.String() != "allocated 16 MiB\n" {
		t.Errorf("under the limit: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// lx proc of a command that lx cgroup run started shows the limits lx
// cgroup run set, read from the command's v2 cgroup.
func TestCgroupRunProcLimits(t *testing.T) {
	needControllers(t, cgroup.Memory, cgroup.Pids, cgroup.CPU)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd, out, errOut := lxProcess(t, "cgroup", "run", "--memory-max", "64M", "--pids-max", "7", "--cpu-max", "50ms/100ms", "--", exe)
	cmd.Env = append(cmd.Env, procSelfEnv+"=1")
	if code := waitLX(t, cmd); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var r procJSON
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	lim := r.CgroupLimits
	if lim == nil || lim.Memory == nil || lim.CPU == nil || lim.Pids == nil {
		t.Fatalf("cgroup_limits %+v, unavailable %v", lim, r.Unavailable)
	}
	want := cgroup.CPUMax{Quota: cgroup.Quota(50 * time.Millisecond), Period: 100 * time.Millisecond}
	if m := lim.Memory; m.From != "v2" || m.Max != 64<<20 || m.CurrentBytes == 0 {
		t.Errorf("memory %+v, want v2, max 64 MiB, some use", m)
	}
	if c := lim.CPU; c.From != "v2" || c.Max != want {
		t.Errorf("cpu %+v, want v2, max %v", c, want)
	}
	if p := lim.Pids; p.From != "v2" || p.Max != 7 || p.Current < 1 {
		t.Errorf("pids %+v, want v2, max 7, at least this process", p)
	}
}
