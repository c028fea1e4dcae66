package spawn_test

import (
	"errors"
	"io/fs"
	"strings"
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
	p := start(t, &spawn.Command{Path: lookPath(t, "sleep"), Args: []string{"sleep", "1000"}})
	if err := p.Signal(signal.Int, nil); err != nil {
		t.Fatal(err)
	}
	if st := wait(t, p); st.Reason != pidfd.Killed || st.Signal != signal.Int {
		t.Errorf("after SIGINT: %v", st)
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
