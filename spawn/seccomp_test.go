package spawn_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/seccomp"
	"github.com/lxgo/lx/spawn"
)

// denyPolicy compiles a filter that allows everything but the named
// calls, which fail with EPERM.
func denyPolicy(t *testing.T, names ...string) seccomp.Program {
	t.Helper()
	arch, err := seccomp.NativeArch()
	if err != nil {
		t.Fatal(err)
	}
	eperm, err := seccomp.RetErrno(syscall.EPERM)
	if err != nil {
		t.Fatal(err)
	}
	pol := &seccomp.Policy{Arch: arch, Default: seccomp.RetAllow}
	for _, n := range names {
		nr, err := arch.Lookup(n)
		if err != nil {
			t.Fatal(err)
		}
		pol.Rules = append(pol.Rules, seccomp.Rule{Syscall: nr, Action: eperm})
	}
	prog, err := pol.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// runSh starts sh -c script with c's options and returns its standard
// output and exit status.
func runSh(t *testing.T, c *spawn.Command, script string, args ...string) (string, int) {
	t.Helper()
	r, w := pipe(t)
	c.Path = "/bin/sh"
	c.Args = append([]string{"sh", "-c", script, "sh"}, args...)
	c.Stdout = w
	p, err := c.Start()
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Reason != pidfd.Exited {
		t.Fatalf("sh -c %q: %v, output %q", script, st, out)
	}
	return string(out), st.Code
}

func TestSeccompFilterAppliesToChildOnly(t *testing.T) {
	dir := t.TempDir()
	prog := denyPolicy(t, "mkdir", "mkdirat")
	// The child's own mkdir is refused by the filter; the test process,
	// which started it, is not filtered.
	out, code := runSh(t, &spawn.Command{Seccomp: prog},
		`grep '^Seccomp:' /proc/self/status; mkdir "$1" 2>&1 || echo refused`, filepath.Join(dir, "child"))
	if !strings.Contains(out, "Seccomp:\t2") || !strings.Contains(out, "refused") || code != 0 {
		t.Fatalf("child under the filter said %q (exit %d), want Seccomp 2 and a refused mkdir", out, code)
	}
	if _, err := os.Stat(filepath.Join(dir, "child")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the filtered child made its directory: %v", err)
	}
	if err := os.Mkdir(filepath.Join(dir, "parent"), 0o700); err != nil {
		t.Fatalf("the test process is filtered too: %v", err)
	}
	if s, err := os.ReadFile("/proc/self/status"); err != nil || !strings.Contains(string(s), "Seccomp:\t0") {
		t.Fatalf("the test process has a filter: %v", err)
	}
	// Without the filter the same command makes the directory.
	if out, code := runSh(t, &spawn.Command{}, `mkdir "$1" && echo made`, filepath.Join(dir, "plain")); out != "made\n" || code != 0 {
		t.Fatalf("unfiltered child said %q (exit %d)", out, code)
	}
}

func TestSeccompExactArgsAndEnv(t *testing.T) {
	prog := denyPolicy(t, "mkdir")
	odd := "a\nb (c)\xff"
	out, code := runSh(t, &spawn.Command{Seccomp: prog, Env: []string{"ODD=" + odd}},
		`printf '%s|%s|%s|' "$0" "$1" "$ODD"; env | grep -c LX_SPAWN_SECCOMP`, odd)
	if want := "sh|" + odd + "|" + odd + "|0\n"; out != want || code != 1 {
		t.Fatalf("child saw %q (exit %d), want %q (exit 1: no LX_SPAWN_SECCOMP entry)", out, code, want)
	}
}

func TestSeccompWithOtherOptions(t *testing.T) {
	prog := denyPolicy(t, "mkdir")
	out, code := runSh(t, &spawn.Command{Seccomp: prog, NoNewPrivs: true, CloseOtherFDs: true},
		`grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; ls /proc/self/fd | wc -l`)
	// 0, 1, 2 and ls's own directory fd.
	if want := "NoNewPrivs:\t1\nSeccomp:\t2\n4\n"; out != want || code != 0 {
		t.Fatalf("child said %q (exit %d), want %q", out, code, want)
	}
}

func TestSeccompExecFailure(t *testing.T) {
	prog := denyPolicy(t, "mkdir")
	notExec := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := (&spawn.Command{Path: notExec, Seccomp: prog}).Start()
	var e *spawn.Error
	if !errors.As(err, &e) || e.Step != spawn.StepExec || !errors.Is(err, syscall.EACCES) || e.Path != notExec {
		t.Fatalf("Start of a file without exec permission: %v, want an *Error at StepExec with EACCES naming it", err)
	}
	// A filter that kills for a call neither the helper nor sh makes
	// leaves the start alone.
	arch, _ := seccomp.NativeArch()
	nr, _ := arch.Lookup("reboot")
	pol := &seccomp.Policy{Arch: arch, Default: seccomp.RetAllow, Rules: []seccomp.Rule{{Syscall: nr, Action: seccomp.RetKillProcess}}}
	kill, err := pol.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if _, code := runSh(t, &spawn.Command{Seccomp: kill}, `exit 3`); code != 3 {
		t.Fatalf("exit %d, want 3", code)
	}
}

func TestSeccompBadInput(t *testing.T) {
	noExec := denyPolicy(t, "execve")
	for name, prog := range map[string]seccomp.Program{
		"refuses execve": noExec,
		"empty":          {},
		"too long":       make(seccomp.Program, seccomp.MaxInstructions+1),
	} {
		_, err := (&spawn.Command{Path: "/bin/true", Seccomp: prog}).Start()
		if !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%s: %v, want fs.ErrInvalid", name, err)
		}
	}
}
