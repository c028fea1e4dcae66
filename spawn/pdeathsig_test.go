package spawn_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/signal"
	"github.com/lxgo/lx/spawn"
)

// pdeathCommands are the ways to start a sleeper with a parent-death
// signal: from a thread thrown away afterwards (joined namespaces: this
// process's own network and UTS namespaces, which needs CAP_SYS_ADMIN;
// no_new_privs, which anyone may set) and from a pool thread.
func pdeathCommands(t *testing.T) map[string]*spawn.Command {
	sleep := lookPath(t, "sleep")
	cs := map[string]*spawn.Command{
		"plain":        {},
		"no_new_privs": {NoNewPrivs: true},
	}
	if testutil.HasCap(capability.SysAdmin) {
		cs["join"] = &spawn.Command{JoinProcess: &spawn.JoinProcess{PID: os.Getpid(), Namespaces: ns.CloneNewNet | ns.CloneNewUTS}}
	}
	for _, c := range cs {
		c.Path, c.Args, c.ParentDeathSignal = sleep, []string{"sleep", "1000"}, signal.Kill
	}
	return cs
}

// endThreads makes n OS threads of this process exit: goroutines that
// lock their thread and end without unlocking it.
func endThreads(n int) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { runtime.LockOSThread() })
	}
	wg.Wait()
}

// TestParentDeathSignalSurvivesThreadExit: the child of a thread that
// spawn throws away, or of any thread, is not killed when Start has
// returned and threads of the process end.
func TestParentDeathSignalSurvivesThreadExit(t *testing.T) {
	for name, c := range pdeathCommands(t) {
		t.Run(name, func(t *testing.T) {
			p := start(t, c)
			endThreads(2 * runtime.GOMAXPROCS(0))
			runtime.GC()
			// The signal would come within microseconds of the
			// forking thread's exit; give it far longer.
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			if err := p.WaitExited(ctx); !errors.Is(err, context.DeadlineExceeded) {
				st, _ := p.Wait(context.Background())
				t.Fatalf("child ended (%v, %v) after Start returned and threads exited", err, st)
			}
			// Its thread is still parked: it goes when the child does.
			if err := p.Kill(); err != nil {
				t.Fatal(err)
			}
			if st := wait(t, p); st.Signal != signal.Kill {
				t.Errorf("killed child: %v", st)
			}
		})
	}
}

// pdeathHelperEnv makes TestParentDeathSignalHelper run, in a child of the
// test, with the named command of pdeathCommands.
const pdeathHelperEnv = "LX_SPAWN_PDEATH_HELPER"

// TestParentDeathSignalHelper is the parent that dies in
// TestParentDeathSignalOnParentExit: it starts a sleeper with a
// parent-death signal, prints its PID and waits to be killed.
func TestParentDeathSignalHelper(t *testing.T) {
	name := os.Getenv(pdeathHelperEnv)
	if name == "" {
		t.Skip("runs as a child of TestParentDeathSignalOnParentExit")
	}
	p, err := pdeathCommands(t)[name].Start()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("sleeper %d\n", p.PID())
	io.Copy(io.Discard, os.Stdin) // until killed
	reap(p)
}

// TestParentDeathSignalOnParentExit: when the process that started a
// child with a parent-death signal dies, the child gets the signal.
func TestParentDeathSignalOnParentExit(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for name := range pdeathCommands(t) {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(exe, "-test.run=^TestParentDeathSignalHelper$", "-test.count=1")
			cmd.Env = append(os.Environ(), pdeathHelperEnv+"="+name)
			cmd.Stderr = os.Stderr
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Wait()
			defer cmd.Process.Kill()
			pid := 0
			for s := bufio.NewScanner(out); s.Scan(); {
				if v, ok := strings.CutPrefix(s.Text(), "sleeper "); ok {
					pid, _ = strconv.Atoi(v)
					break
				}
			}
			if pid == 0 {
				t.Fatal("helper printed no sleeper")
			}
			// The sleeper is alive and not yet reaped (its parent
			// waits for it), so its PID names it.
			sleeper, err := pidfd.Open(pid, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer sleeper.Close()
			if exited, err := sleeper.Exited(); exited || err != nil {
				t.Fatalf("sleeper ended before its parent (%v)", err)
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := sleeper.WaitExited(ctx); err != nil {
				sleeper.Kill()
				t.Fatalf("sleeper still running after its parent died: %v", err)
			}
		})
	}
}
