package spawn_test

import (
	"errors"
	"io/fs"
	ossignal "os/signal"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/signal"
	"github.com/lxgo/lx/spawn"
)

func TestExitStatus(t *testing.T) {
	sh := lookPath(t, "sh")
	for _, c := range []struct {
		script string
		want   pidfd.ExitStatus
	}{
		{"exit 0", pidfd.ExitStatus{Reason: pidfd.Exited, Code: 0}},
		{"exit 7", pidfd.ExitStatus{Reason: pidfd.Exited, Code: 7}},
		{"kill -TERM $$", pidfd.ExitStatus{Reason: pidfd.Killed, Signal: signal.Term}},
	} {
		p := start(t, &spawn.Command{Path: sh, Args: []string{"sh", "-c", c.script}})
		st := wait(t, p)
		if st.Reason != c.want.Reason || st.Code != c.want.Code || st.Signal != c.want.Signal || st.PID != p.PID() {
			t.Errorf("%q: %v (pid %d), want %v (pid %d)", c.script, st, st.PID, c.want, p.PID())
		}
	}
}

func TestSignal(t *testing.T) {
	// A child inherits the signals its parent ignores across execve, and
	// a program started in the background by a non-interactive shell
	// (or by nohup) ignores SIGINT and SIGQUIT (or SIGHUP): send one this
	// process does not ignore, so that sleep dies of it.
	sig := signal.Signal(0)
	for _, s := range []signal.Signal{signal.Int, signal.Term, signal.Usr1} {
		if !ossignal.Ignored(syscall.Signal(s)) {
			sig = s
			break
		}
	}
	if sig == 0 {
		t.Skip("this process ignores SIGINT, SIGTERM and SIGUSR1, and its children would too")
	}
	p := start(t, &spawn.Command{Path: lookPath(t, "sleep"), Args: []string{"sleep", "1000"}})
	if err := p.Signal(sig, nil); err != nil {
		t.Fatal(err)
	}
	if st := wait(t, p); st.Reason != pidfd.Killed || st.Signal != sig {
		t.Errorf("after %v: %v", sig, st)
	}
}

func TestEnvDirArgs(t *testing.T) {
	dir := t.TempDir()
	out, st := output(t, &spawn.Command{
		Path: lookPath(t, "sh"),
		Args: []string{"sh", "-c", `printf '%s|%s|%s|%s' "$0" "$1" "$LX_TEST" "$(pwd)"`, "zero", "arg\nwith newline"},
		Env:  []string{"LX_TEST=a b"},
		Dir:  dir,
	})
	want := "zero|arg\nwith newline|a b|" + dir
	if out != want || !st.Success() {
		t.Errorf("got %q (%v), want %q", out, st, want)
	}
}

func TestExecErrors(t *testing.T) {
	_, err := (&spawn.Command{Path: "/nonexistent/lx-spawn-test"}).Start()
	var e *spawn.Error
	if !errors.As(err, &e) || e.Step != spawn.StepExec || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing program: %v, want a StepExec error matching fs.ErrNotExist", err)
	}
	_, err = (&spawn.Command{Path: lookPath(t, "true"), Dir: "/nonexistent/lx-spawn-test"}).Start()
	if !errors.As(err, &e) || e.Step != spawn.StepDir || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing directory: %v, want a StepDir error matching fs.ErrNotExist", err)
	}
	if err != nil && !strings.Contains(err.Error(), "change directory") {
		t.Errorf("error %q does not name the step", err)
	}
}
