package cli

// lx proc's output hygiene: the environment only on request, wrapped
// capability lists, a process that exits mid-read.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/procfs"
)

// TestProcEnvHidden checks that lx proc shows the environment only with
// --env: it often holds secrets that end up in pasted output.
func TestProcEnvHidden(t *testing.T) {
	const secret = "LX_TEST_SECRET=hunter2"
	cmd := exec.Command("/bin/sh", "-c", "read x")
	cmd.Env = []string{secret}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	pid := cmd.Process.Pid
	waitState(t, pid, "S")

	for _, args := range [][]string{{}, {"--json"}} {
		stdout, _, code := runLX(t, append([]string{"proc", strconv.Itoa(pid)}, args...)...)
		if code != ExitOK || strings.Contains(stdout, "hunter2") {
			t.Errorf("lx proc %d %s: exit %d, shows the environment:\n%s", pid, strings.Join(args, " "), code, stdout)
		}
	}
	stdout, _, _ := runLX(t, "proc", strconv.Itoa(pid))
	if !strings.Contains(stdout, "environment       not shown (lx proc --env shows it)") || strings.Contains(stdout, "ENVIRONMENT") {
		t.Errorf("lx proc without --env:\n%s", stdout)
	}
	r := runProcJSON(t, pid)
	if r.Environ != nil || r.Unavailable["environ"] != "not shown without --env" {
		t.Errorf("environ %q, reason %q", environStrings(r.Environ), r.Unavailable["environ"])
	}
	r = runProcJSON(t, pid, "--env")
	if got := environStrings(r.Environ); !slices.Equal(got, []string{secret}) {
		t.Errorf("--env: environ %q", got)
	}
	stdout, _, _ = runLX(t, "proc", "--env", strconv.Itoa(pid))
	if !strings.Contains(stdout, "\nENVIRONMENT\n"+secret+"\n") {
		t.Errorf("lx proc --env:\n%s", stdout)
	}
}

// TestProcExitsMidRead makes the process exit after lx has read its
// identity: lx must fail with one message, not print a report of
// sections "unavailable: has exited" and exit 0. The process is reaped
// at once, or left a zombie.
func TestProcExitsMidRead(t *testing.T) {
	for _, tc := range []struct {
		reap bool
		args []string
	}{{true, nil}, {false, nil}, {true, []string{"--json"}}, {false, []string{"--json"}}} {
		cmd := exec.Command("/bin/sh", "-c", "read x")
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		pid := cmd.Process.Pid
		waitState(t, pid, "S")
		pfd, err := pidfd.FromProcess(cmd.Process)
		if err != nil {
			t.Fatal(err)
		}
		kill := func() {
			if err := pfd.Kill(); err != nil {
				t.Error(err)
			}
			if err := pfd.WaitExited(context.Background()); err != nil {
				t.Error(err)
			}
			if tc.reap {
				cmd.Wait()
			}
		}
		c := &procCommand{fs: procfs.Default(), midRead: kill}
		var out, errOut bytes.Buffer
		code := run(context.Background(), c, append([]string{strconv.Itoa(pid)}, tc.args...), &Env{Stdout: &out, Stderr: &errOut})
		want := fmt.Sprintf("lx proc: process %d exited while lx was reading it\n", pid)
		if code != ExitError || out.Len() != 0 || errOut.String() != want {
			t.Errorf("reaped %v, %q: exit %d, stdout %q, stderr %q; want exit 1 and %q", tc.reap, tc.args, code, out.String(), errOut.String(), want)
		}
		stdin.Close()
		pfd.Close()
		if !tc.reap {
			cmd.Wait()
		}
	}
}

// TestProcCaps checks how capability sets read: wrapped lists (the full
// set on one line is over 600 characters), "all (N)" for every
// capability the kernel has, "all but ..." for a set that lacks a few,
// "same as" for a repeated set, "none" for the empty one.
func TestProcCaps(t *testing.T) {
	lx := capability.Set(1<<(capability.CheckpointRestore+1) - 1) // every capability lx names
	newer := lx | 1<<(capability.CheckpointRestore+1)             // and one newer than lx
	noBPF := lx
	noBPF.Remove(capability.BPF)
	noBPF.Remove(capability.SysAdmin)
	old := capability.Set(1<<(capability.AuditRead+1) - 1) // every capability of Linux 5.7
	mixed := capability.SetOf(capability.Kill, capability.NetRaw, capability.SysPtrace)
	for _, tc := range []struct {
		full                    capability.Set // the kernel's
		eff, prm, inh, bnd, amb capability.Set
		want                    []string // rows, in order
	}{
		{lx, lx, lx, 0, lx, 0, []string{"caps effective    all (41)", "caps permitted    all (41)",
			"caps inheritable  none", "caps bounding     all (41)", "caps ambient      none"}},
		// A kernel with a capability lx has no name for: a set without
		// it is not all.
		{newer, lx, lx, 0, newer, 0, []string{"caps effective    all but 41 (41)", "caps permitted    same as effective",
			"caps bounding     all (42)"}},
		{newer, noBPF, noBPF, 0, newer, 0, []string{"caps effective    all but cap_sys_admin cap_bpf 41 (39)",
			"caps permitted    same as effective", "caps bounding     all (42)"}},
		{lx, mixed, mixed, mixed, lx, mixed, []string{"caps effective    cap_kill cap_net_raw cap_sys_ptrace",
			"caps permitted    same as effective", "caps inheritable  same as effective", "caps bounding     all (41)",
			"caps ambient      same as effective"}},
		// Linux 5.7: all is 38.
		{old, old, 0, 0, old, 0, []string{"caps effective    all (38)", "caps permitted    none",
			"caps bounding     all (38)"}},
		// A kernel lx could not ask: every set is listed, wrapped.
		{0, old, 0, 0, old, 0, []string{"caps effective    cap_chown cap_dac_override", "caps permitted    none",
			"caps bounding     same as effective"}},
	} {
		for _, width := range []int{0, 60, 132} {
			var b bytes.Buffer
			tab := newTable(&b)
			tab.Wrap = width
			capRows(tab, tc.full, tc.eff, tc.prm, tc.inh, tc.bnd, tc.amb)
			if err := tab.Flush(); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			want := width
			if width == 0 {
				want = defaultWrap
			}
			for line := range strings.Lines(out) {
				if l := len(strings.TrimSuffix(line, "\n")); l > want {
					t.Errorf("width %d: line of %d characters: %s", width, l, line)
				}
			}
			at := 0
			for _, row := range tc.want {
				i := strings.Index(out[at:], row)
				if i < 0 {
					t.Errorf("width %d: no row %q after %q in:\n%s", width, row, out[:at], out)
					break
				}
				at += i + len(row)
			}
			if tc.full == 0 && strings.Count(out, "cap_") != old.Len() {
				t.Errorf("width %d: not every capability listed:\n%s", width, out)
			}
		}
	}
}

// TestProcCapsKernel checks lx proc against the running kernel's
// capabilities, from /proc/sys/kernel/cap_last_cap: a child's bounding
// set (the test's own, less what a container dropped) shows as "all (N)"
// when it holds every one, as "all but NAME... (N)" otherwise (or on the
// row of an earlier set equal to it).
func TestProcCapsKernel(t *testing.T) {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		t.Skipf("no cap_last_cap: %v", err)
	}
	last, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	full := capability.Set(1<<(last+1) - 1)
	pid := startReader(t, exec.Command("/bin/sh", "-c", "read x"))
	p, err := procfs.Default().Proc(pid)
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.Status()
	if err != nil {
		t.Fatal(err)
	}
	n := strconv.Itoa(st.CapBnd.Len())
	want := "all (" + n + ")"
	if missing := full.Difference(st.CapBnd); missing != 0 {
		if missing.Len() >= st.CapBnd.Len() {
			t.Skipf("the bounding set %v lacks most of the kernel's capabilities: listed in full", st.CapBnd)
		}
		want = "all but " + strings.Join(capNames(missing), " ") + " (" + n + ")"
	}
	// The first row of the set: a later one says "same as".
	label := "caps bounding"
	for _, set := range []struct {
		name string
		caps capability.Set
	}{{"caps effective", st.CapEff}, {"caps permitted", st.CapPrm}, {"caps inheritable", st.CapInh}} {
		if set.caps == st.CapBnd {
			label = set.name
			break
		}
	}
	stdout, _, code := runLX(t, "proc", strconv.Itoa(pid))
	if re := rowRE(label, want); code != ExitOK || !re.MatchString(stdout) {
		t.Errorf("exit %d, no row %s:\n%s", code, re, stdout)
	}
}

// TestExitedSinceByPath checks exitedSince's check for kernels without
// pidfd_open (Linux < 5.3), where lx reads /proc/PID by path.
func TestExitedSinceByPath(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "read x")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	waitState(t, pid, "S")
	p, err := procfs.Default().Proc(pid)
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if exitedSince(p, nil, &st) {
		t.Error("a running process has exited")
	}
	stdin.Close()
	waitState(t, pid, "Z")
	if !exitedSince(p, nil, &st) {
		t.Error("a zombie has not exited")
	}
	cmd.Wait()
	if !exitedSince(p, nil, &st) {
		t.Error("a reaped process has not exited")
	}
	other := st
	other.StartTime++
	if self := procfs.Default().Self(); !exitedSince(self, nil, &other) {
		t.Error("a process with another start time (a reused PID) is the same")
	}
}

// TestProcRenderUnavailable checks that each section that could not be
// read is one row with its reason, shown once: status stands for the
// credentials, capabilities, seccomp, CPUs and context switches it
// carries, and its reason is not repeated for each.
func TestProcRenderUnavailable(t *testing.T) {
	r := procReport{PID: 42, Stat: procfs.Stat{PID: 42, State: procfs.StateSleeping}, Unavailable: map[string]error{}}
	keys := []string{"pidfs_id", "start_time", "tty", "status", "statm", "smaps_rollup", "io", "oom_score",
		"oom_score_adj", "wchan", "exe", "cwd", "root", "limits", "cgroups", "namespaces", "threads",
		"fd_count", "fds", "cmdline", "environ"}
	for _, key := range keys {
		r.Unavailable[key] = fmt.Errorf("open /proc/42/%s: permission denied", key)
	}
	var b bytes.Buffer
	if err := renderProc(&b, r, 0); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, key := range keys {
		if n := strings.Count(out, r.Unavailable[key].Error()); n != 1 {
			t.Errorf("reason of %s shown %d times:\n%s", key, n, out)
		}
	}
	for _, row := range []string{"uid", "gid", "caps effective", "seccomp", "cpus allowed", "ctx switches"} {
		if strings.Contains(out, "\n"+row+" ") {
			t.Errorf("row %q without status:\n%s", row, out)
		}
	}
	for _, re := range []*regexp.Regexp{
		rowRE("status", "unavailable: open /proc/42/status: permission denied"),
		regexp.MustCompile(`(?m)^memory +unavailable: open /proc/42/statm: permission denied\n +smaps_rollup unavailable: open /proc/42/smaps_rollup: permission denied$`),
		rowRE("oom score", "unavailable: open /proc/42/oom_score: permission denied, adj unavailable: open /proc/42/oom_score_adj: permission denied"),
		rowRE("environment", "unavailable: open /proc/42/environ: permission denied"),
	} {
		if !re.MatchString(out) {
			t.Errorf("no row %s:\n%s", re, out)
		}
	}
}
