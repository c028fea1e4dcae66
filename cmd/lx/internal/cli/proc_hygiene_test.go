package cli

// lx proc's output hygiene: the environment only on request, wrapped
// capability lists, a process that exits mid-read.

import (
	"bytes"
	"context"
	"fmt"
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
		t.Errorf("environ %q, reason %q", exacts(r.Environ), r.Unavailable["environ"])
	}
	r = runProcJSON(t, pid, "--env")
	if got := exacts(r.Environ); !slices.Equal(got, []string{secret}) {
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

// TestProcCapsWrapped checks that capability lists are wrapped to the
// width: the full set on one line is over 600 characters.
func TestProcCapsWrapped(t *testing.T) {
	caps := capNames(1<<(capability.CheckpointRestore+1) - 1)
	r := procReport{
		Identity:     procIdentity{PID: 1, Comm: "init", State: "S", StateName: "sleeping"},
		Capabilities: &procCapabilities{Effective: caps, Permitted: caps, Bounding: caps},
		Unavailable:  map[string]error{},
	}
	for _, width := range []int{0, 60, 132} {
		var b bytes.Buffer
		if err := renderProc(&b, r, width); err != nil {
			t.Fatal(err)
		}
		want := width
		if width == 0 {
			want = defaultWrap
		}
		n := 0
		for line := range strings.Lines(b.String()) {
			if strings.Contains(line, "cap_") {
				n++
				if l := len(strings.TrimSuffix(line, "\n")); l > want {
					t.Errorf("width %d: line of %d characters: %s", width, l, line)
				}
			}
		}
		if got := strings.Count(b.String(), "cap_"); got != 3*len(caps) || n < 3*3 {
			t.Errorf("width %d: %d capabilities on %d lines:\n%s", width, got, n, b.String())
		}
		if !regexp.MustCompile(`(?m)^caps ambient +none$`).MatchString(b.String()) {
			t.Errorf("no ambient row:\n%s", b.String())
		}
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
