package spawn_test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/spawn"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// lookPath finds a program the tests run, or skips.
func lookPath(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("no %s: %v", name, err)
	}
	return path
}

// start starts c; cleanup kills, reaps and closes the child.
func start(t testing.TB, c *spawn.Command) *spawn.Process {
	t.Helper()
	p, err := c.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reap(p) })
	return p
}

// reap kills and reaps p, whatever state the test left it in, and closes
// it.
func reap(p *spawn.Process) {
	p.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.Wait(ctx)
	p.Close()
}

// wait reaps p and returns its status.
func wait(t testing.TB, p *spawn.Process) pidfd.ExitStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := p.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// output runs c with its standard output on a pipe and returns what it
// wrote and how it ended. Standard error goes to the test's.
func output(t testing.TB, c *spawn.Command) (string, pidfd.ExitStatus) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c.Stdout = w
	if c.Stderr == nil {
		c.Stderr = os.Stderr
	}
	p, err := c.Start()
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reap(p) })
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), wait(t, p)
}
