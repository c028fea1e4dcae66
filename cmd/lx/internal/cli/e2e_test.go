package cli

// Helpers of the end-to-end tests: lx run as a user runs it, as a process
// of its own (the test binary, switched to lx by asLXEnv in TestMain).

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// lxProcess returns a command that runs lx with args, its output in
// buffers and no input, not started. The test binary must not be run
// with the helper variable already set.
func lxProcess(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), asLXEnv+"=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	return cmd, &out, &errOut
}

// lxRun runs lx with args to its end and returns its output and exit
// code. A test that runs longer than a minute is stopped (a safety net
// against a hang, not a timing assertion).
func lxRun(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd, out, errOut := lxProcess(t, args...)
	cmd.Stdin = strings.NewReader(stdin)
	code = waitLX(t, cmd)
	return out.String(), errOut.String(), code
}

// waitLX starts cmd (if not started) and waits for it, killing it after
// a minute; it returns the exit code, failing the test when lx itself
// was killed by a signal.
func waitLX(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	if cmd.Process == nil {
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	timer := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ws := ee.Sys().(syscall.WaitStatus); ws.Signaled() {
			t.Fatalf("lx %q was killed by %v", cmd.Args[1:], ws.Signal())
		}
		return ee.ExitCode()
	}
	t.Fatal(err)
	return -1
}

// readUntil reads br line by line until a line holds want, and returns
// what it read; it fails the test at EOF or after a minute.
func readUntil(t *testing.T, br *bufio.Reader, want string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	type result struct {
		text string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		var b strings.Builder
		for {
			line, err := br.ReadString('\n')
			b.WriteString(line)
			if strings.Contains(line, want) || err != nil {
				done <- result{b.String(), err}
				return
			}
		}
	}()
	select {
	case res := <-done:
		if !strings.Contains(res.text, want) {
			t.Fatalf("no %q in the output (%v):\n%s", want, res.err, res.text)
		}
		return res.text
	case <-ctx.Done():
		t.Fatalf("no %q in the output within a minute", want)
		return ""
	}
}

// lookPathOrSkip finds a program the test needs.
func lookPathOrSkip(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("no %s here: %v", name, err)
	}
	return p
}
