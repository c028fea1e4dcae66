package cgroup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
)

// cgroup.events, cgroup.freeze and cgroup.kill: the state of a cgroup's
// processes and the two operations on all of them at once.

// State is cgroup.events: what the kernel reports about the processes of
// a (non-root) cgroup.
type State struct {
	// Populated is true while the cgroup or one of its descendants has a
	// live process (zombies do not count).
	Populated bool
	// Frozen is true when the cgroup and everything below it is frozen,
	// by its own cgroup.freeze or an ancestor's (Linux 5.2).
	Frozen bool
}

// State reads cgroup.events. The root cgroup has no such file (an error
// matching fs.ErrNotExist).
func (c *Cgroup) State() (State, error) {
	s, err := readFile(c, "cgroup.events", parseState)
	if err != nil {
		return State{}, fmt.Errorf("cgroup events read: %w", err)
	}
	return s, nil
}

// parseState parses cgroup.events: "populated 1\nfrozen 0\n".
func parseState(b []byte) (State, error) {
	var s State
	err := eachKeyValue(b, func(key []byte, v uint64) error {
		if v > 1 {
			return fmt.Errorf("value %d: want 0 or 1", v)
		}
		switch string(key) {
		case "populated":
			s.Populated = v == 1
		case "frozen":
			s.Frozen = v == 1
		}
		return nil
	})
	return s, err
}

// Freeze freezes every process in the cgroup and its descendants by
// writing 1 to cgroup.freeze (Linux 5.2), then waits until cgroup.events
// reports the cgroup frozen, which can take a while for a process in an
// uninterruptible sleep. Frozen processes stop until thawed; SIGKILL
// still kills them. When ctx ends first the error is ctx.Err() and the
// cgroup stays freezing (Thaw undoes it). The root cgroup has no
// cgroup.freeze (fs.ErrNotExist). Needs write access to cgroup.freeze.
func (c *Cgroup) Freeze(ctx context.Context) error {
	if err := c.setFrozen(ctx, true); err != nil {
		return fmt.Errorf("cgroup freeze %s: %w", c.path, err)
	}
	return nil
}

// Thaw writes 0 to cgroup.freeze and waits until cgroup.events no longer
// reports the cgroup frozen. A cgroup whose ancestor is frozen stays
// frozen, and Thaw waits for that ancestor's thaw until ctx ends.
func (c *Cgroup) Thaw(ctx context.Context) error {
	if err := c.setFrozen(ctx, false); err != nil {
		return fmt.Errorf("cgroup thaw %s: %w", c.path, err)
	}
	return nil
}

func (c *Cgroup) setFrozen(ctx context.Context, frozen bool) error {
	v := []byte("0")
	if frozen {
		v[0] = '1'
	}
	// The freezer's state moves asynchronously: the write returns at
	// once and cgroup.events says when it is done.
	return c.waitStateAfter(ctx, func() error { return c.writeFile("cgroup.freeze", v) },
		func(s State) bool { return s.Frozen == frozen })
}

// waitState waits until cgroup.events satisfies done.
func (c *Cgroup) waitState(ctx context.Context, done func(State) bool) error {
	return c.waitStateAfter(ctx, nil, done)
}

// waitStateAfter watches cgroup.events, then runs first (if not nil), and
// waits until the file satisfies done. Watching before first means no
// change that first causes can be missed.
func (c *Cgroup) waitStateAfter(ctx context.Context, first func() error, done func(State) bool) error {
	fd, err := c.openFile("cgroup.events", sys.O_RDONLY)
	if err != nil {
		return err
	}
	defer sys.CloseRaw(fd)
	w, err := newWatcher()
	if err != nil {
		return err
	}
	defer w.close()
	if err := w.add(fd, 0); err != nil {
		return err
	}
	if first != nil {
		if err := first(); err != nil {
			return err
		}
	}
	var evs [1]sys.EpollEvent
	var buf [64]byte
	for {
		// Reading the file (from offset 0) is also what re-arms kernfs's
		// notification for this open file.
		b, err := pseudofs.PreadAll(fd, buf[:0])
		if err != nil {
			return pathError(c.file("cgroup.events"), err)
		}
		s, err := parseState(b)
		if err != nil {
			return withPath(c.file("cgroup.events"), err)
		}
		if done(s) {
			return nil
		}
		if _, err := w.wait(ctx, evs[:]); err != nil {
			return err
		}
	}
}

// Kill sends SIGKILL to every process in the cgroup and its descendants
// by writing 1 to cgroup.kill (Linux 5.14), which the kernel does without
// a race against forks: a process forked meanwhile is killed too. It
// returns once the signals are sent, not when the processes are gone;
// Remove with RemoveOptions.Kill waits for that. The root cgroup cannot
// be killed (fs.ErrInvalid). Needs write access to cgroup.kill. After it,
// some kernels kill every child started into the cgroup with
// CLONE_INTO_CGROUP (see DirFile).
//
// On kernels before 5.14, which have no cgroup.kill, and in threaded
// cgroups, whose cgroup.kill the kernel refuses (EOPNOTSUPP: their
// processes have threads elsewhere), Kill walks cgroup.procs of the
// cgroup and its descendants and sends SIGKILL to each process with
// kill(2), which kills all of its threads, round after round until a
// round finds no process it has not signalled: a process that forks while
// it is being killed is caught by a later round, but a process moved out
// meanwhile is not. That needs permission to signal each process.
func (c *Cgroup) Kill() error {
	if c.path == "/" {
		return fmt.Errorf("cgroup kill %s: the root cgroup: %w", c.path, fs.ErrInvalid)
	}
	err := c.writeFile(killFile, []byte("1"))
	switch {
	case errors.Is(err, syscall.EOPNOTSUPP):
		err = c.killWalk() // a threaded cgroup
	case errors.Is(err, fs.ErrNotExist):
		if _, serr := c.State(); serr == nil {
			// The cgroup exists but has no cgroup.kill: before 5.14.
			err = c.killWalk()
		}
	}
	if err != nil {
		return fmt.Errorf("cgroup kill %s: %w", c.path, err)
	}
	return nil
}

// killFile is cgroup.kill; a variable so that a test can take the path
// of kernels without it.
var killFile = "cgroup.kill"

// killWalk is Kill without cgroup.kill.
func (c *Cgroup) killWalk() error {
	signalled := map[int]bool{}
	for {
		n, err := c.killTree(signalled)
		if err != nil || n == 0 {
			return err
		}
	}
}

// killTree sends SIGKILL to the processes of the cgroup and its
// descendants that are not in signalled, adds them, and returns how many
// it signalled.
func (c *Cgroup) killTree(signalled map[int]bool) (int, error) {
	pids, err := c.Procs()
	if errors.Is(err, syscall.EOPNOTSUPP) {
		// A threaded cgroup lists no processes, only threads; kill(2)
		// of a thread id signals its process.
		pids, err = c.Threads()
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, pid := range pids {
		if signalled[pid] {
			continue
		}
		if err := sys.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			return n, err
		}
		signalled[pid] = true
		n++
	}
	names, err := c.Children()
	if err != nil {
		return n, err
	}
	for _, name := range names {
		child, err := c.OpenChild(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return n, err
		}
		k, err := child.killTree(signalled)
		child.Close()
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
