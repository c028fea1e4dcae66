package pidfd

import (
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

func id(t *testing.T, fd *FD) ID {
	t.Helper()
	v, err := fd.ID()
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(6, 9))
		t.Fatal(err)
	}
	return v
}

func TestID(t *testing.T) {
	_, c := sleeper(t)
	a := id(t, c)
	if a == 0 {
		t.Fatal("ID 0")
	}
	// Stable across calls (uncached too) and across pidfds of one process.
	c.id.Store(0)
	if b := id(t, c); b != a {
		t.Errorf("ID changed: %v then %v", a, b)
	}
	fd2, err := Open(c.PID(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fd2.Close()
	if b := id(t, fd2); b != a {
		t.Errorf("two pidfds of pid %d: IDs %v and %v", c.PID(), a, b)
	}
	if same, err := SameProcess(c, fd2); err != nil || !same {
		t.Errorf("SameProcess = %v, %v; want true", same, err)
	}
	// Different processes differ.
	s := self(t)
	if id(t, s) == a {
		t.Errorf("self and child share ID %v", a)
	}
	if same, err := SameProcess(c, s); err != nil || same {
		t.Errorf("SameProcess(child, self) = %v, %v; want false", same, err)
	}
	// The inode is the ID (64-bit) or its low 32 bits (32-bit).
	var st syscall.Stat_t
	rc, _ := c.SyscallConn()
	rc.Control(func(fd uintptr) { err = syscall.Fstat(int(fd), &st) })
	if err != nil {
		t.Fatal(err)
	}
	if uint32(st.Ino) != uint32(a) {
		t.Errorf("st_ino %d does not match ID %v", st.Ino, a)
	}
	if a.String() == "" || a.String()[0] == '-' {
		t.Errorf("ID.String() = %q", a.String())
	}
}

// The ID survives the process: it keeps naming the reaped process, and a
// new process never gets it.
func TestIDAfterReap(t *testing.T) {
	_, c := child(t, "/bin/sh", "-c", "exit 0")
	before := id(t, c)
	c.id.Store(0)
	wait(t, c)
	after, err := c.ID()
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("ID changed after reap: %v -> %v", before, after)
	}
	_, n := sleeper(t)
	if id(t, n) == before {
		t.Error("a new process got the ID of a reaped one")
	}
}
