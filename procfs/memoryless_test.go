package procfs

import (
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

// A kernel thread and a zombie are alive but have no user memory. Their
// memory files must read as empty values, never as "the process has
// exited" (os.ErrProcessDone), which callers take as a reason to skip
// the process.

// kernelThread returns a kernel thread visible in /proc: kthreadd (pid 2)
// if it is one, else the first process with PF_KTHREAD.
func kernelThread(t *testing.T) Proc {
	t.Helper()
	if p, err := Default().Proc(2); err == nil {
		if st, err := p.Stat(); err == nil && st.Flags.Has(PFKthread) {
			return p
		}
	}
	for p, err := range Default().Procs() {
		if err != nil {
			t.Fatal(err)
		}
		if st, err := p.Stat(); err == nil && st.Flags.Has(PFKthread) {
			return p
		}
	}
	t.Skip("no kernel thread visible in /proc (a PID namespace of its own?)")
	return Proc{}
}

// zombie starts a child, kills it and leaves it unreaped; the test's
// cleanup reaps it.
func zombie(t *testing.T) (Proc, *child) {
	t.Helper()
	c := spawnChild(t, "zombie", []string{"zombie"}, nil, false)
	p := mustProc(t, Default(), c.proc.Pid)
	if err := c.proc.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		st, err := p.Stat()
		if err != nil {
			t.Fatal(err)
		}
		if st.State == StateZombie {
			return p, c
		}
		if time.Now().After(deadline) {
			t.Fatalf("child %d not a zombie: %v", c.proc.Pid, st.State)
		}
	}
}

// checkMemoryless reads every memory file of p, which has no user memory,
// and checks that each is empty with no error.
func checkMemoryless(t *testing.T, what string, p Proc, root bool) {
	t.Helper()
	if env, err := p.Environ(); err != nil || env != nil {
		if root || !errors.Is(err, os.ErrPermission) {
			t.Errorf("%s Environ = %q, %v; want empty, nil", what, env, err)
		}
	}
	if r, err := p.SmapsRollup(); err != nil || r != (SmapsRollup{}) {
		if root || !errors.Is(err, os.ErrPermission) {
			t.Errorf("%s SmapsRollup = %+v, %v; want zero, nil", what, r, err)
		}
	}
	if ss, err := p.Smaps(); err != nil || len(ss) != 0 {
		if root || !errors.Is(err, os.ErrPermission) {
			t.Errorf("%s Smaps = %d mappings, %v", what, len(ss), err)
		}
	}
	if ms, err := p.Maps(); err != nil || len(ms) != 0 {
		if root || !errors.Is(err, os.ErrPermission) {
			t.Errorf("%s Maps = %d mappings, %v", what, len(ms), err)
		}
	}
	if args, err := p.Cmdline(); err != nil || len(args) != 0 {
		t.Errorf("%s Cmdline = %q, %v", what, args, err)
	}
	if exe, err := p.Exe(); err != nil || exe != (Link{}) {
		if root || !errors.Is(err, os.ErrPermission) {
			t.Errorf("%s Exe = %+v, %v; want none", what, exe, err)
		}
	}
	if m, err := p.Statm(); err != nil || m != (Statm{}) {
		t.Errorf("%s Statm = %+v, %v", what, m, err)
	}
}

func TestKernelThreadMemoryless(t *testing.T) {
	p := kernelThread(t)
	checkMemoryless(t, p.String()+" (kernel thread)", p, os.Geteuid() == 0)
	// A kernel thread's cwd and root are the kernel's, "/".
	if cwd, err := p.Cwd(); err == nil && cwd.Target != "/" {
		t.Errorf("kernel thread cwd %+v", cwd)
	}
}

func TestZombieMemoryless(t *testing.T) {
	p, c := zombie(t)
	// An unprivileged reader is refused even its own zombie's memory
	// files (EACCES on 6.18): a permission error, never "exited".
	checkMemoryless(t, "zombie", p, os.Geteuid() == 0)
	for _, l := range []func() (Link, error){p.Cwd, p.Root} {
		if got, err := l(); err != nil || got != (Link{}) {
			t.Errorf("zombie cwd/root = %+v, %v; want none", got, err)
		}
	}
	// Reaped: now it has exited.
	if _, err := c.proc.Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Environ(); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("Environ after reap: %v, want os.ErrProcessDone", err)
	}
	if _, err := p.SmapsRollup(); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("SmapsRollup after reap: %v, want os.ErrProcessDone", err)
	}
	if _, err := p.Exe(); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("Exe after reap: %v, want os.ErrProcessDone", err)
	}
}
