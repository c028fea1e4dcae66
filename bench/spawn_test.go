package bench

// Starting /bin/true, from start to reaped exit:
//
//   - into new user, mount, PID, network, UTS and IPC namespaces (its own
//     ids as root inside): lx's spawn against os/exec with the same
//     SysProcAttr, and against util-linux `unshare -Urmpnui --fork`
//     (the whole process, as a user runs it);
//   - into the namespaces of a running sleeper (network, UTS, IPC, mount,
//     cgroup, PID): lx's spawn, which joins them on a disposable thread,
//     against a plain os/exec start of /bin/true in the caller's own
//     namespaces, which is what joining should cost little more than.
//
//	./run Spawn
//
// Each benchmark runs in a process of its own (see ./run): spawn's
// disposable threads end with their work, and the user-namespace forks
// copy the page tables of the whole address space, so neither may skew
// another comparison. For the same reason each implementation starts
// after a garbage collection that returns the freed heap to the kernel
// (spawnFresh): a fork costs more the more memory the parent has touched,
// and the implementation measured second would otherwise pay for the
// first one's garbage.

import (
	"context"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/spawn"
)

// spawnNew are the namespaces of the new-namespaces comparison, with the
// arguments of unshare(1) that make the same ones.
const (
	spawnNew      = ns.CloneNewUser | ns.CloneNewNS | ns.CloneNewPID | ns.CloneNewNet | ns.CloneNewUTS | ns.CloneNewIPC
	spawnUnshare  = "-Urmpnui"
	spawnJoinable = ns.CloneNewNet | ns.CloneNewUTS | ns.CloneNewIPC | ns.CloneNewNS | ns.CloneNewCgroup | ns.CloneNewPID
)

// spawnNewCommand is lx's command for path with args in new namespaces.
func spawnNewCommand(path string, args ...string) *spawn.Command {
	return &spawn.Command{
		Path:          path,
		Args:          append([]string{path}, args...),
		NewNamespaces: spawnNew,
		UIDMap:        ns.IDMap{{Inside: 0, Outside: uint32(os.Geteuid()), Count: 1}},
		GIDMap:        ns.IDMap{{Inside: 0, Outside: uint32(os.Getegid()), Count: 1}},
	}
}

// spawnNewCmd is os/exec's command for the same.
func spawnNewCmd(path string, args ...string) *exec.Cmd {
	cmd := exec.Command(path, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  uintptr(spawnNew),
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}},
	}
	return cmd
}

// spawnRun starts c and waits for it.
func spawnRun(tb testing.TB, c *spawn.Command) string {
	p, err := c.Start()
	if err != nil {
		tb.Fatal(err)
	}
	defer p.Close()
	st, err := p.Wait(context.Background())
	if err != nil || !st.Success() {
		tb.Fatalf("%s: %v, %v", c.Path, st, err)
	}
	return st.String()
}

// spawnFresh collects garbage and returns the free heap to the kernel.
func spawnFresh(b *testing.B) {
	b.Helper()
	debug.FreeOSMemory()
	b.ReportAllocs()
}

func BenchmarkSpawnNewNamespaces(b *testing.B) {
	unshare := spawnLook(b, "unshare")
	b.Run("impl=lx", func(b *testing.B) {
		spawnFresh(b)
		c := spawnNewCommand("/bin/true")
		for b.Loop() {
			spawnRun(b, c)
		}
	})
	b.Run("impl=osexec", func(b *testing.B) {
		spawnFresh(b)
		for b.Loop() {
			if err := spawnNewCmd("/bin/true").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=unshare", func(b *testing.B) {
		spawnFresh(b)
		for b.Loop() {
			if err := exec.Command(unshare, spawnUnshare, "--fork", "/bin/true").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSpawnJoin(b *testing.B) {
	target := spawnSleeper(b)
	b.Run("impl=lx", func(b *testing.B) {
		spawnFresh(b)
		c := &spawn.Command{Path: "/bin/true", JoinProcess: &spawn.JoinProcess{PidFD: target, Namespaces: spawnJoinable}}
		for b.Loop() {
			spawnRun(b, c)
		}
	})
	b.Run("impl=osexec-plain", func(b *testing.B) {
		spawnFresh(b)
		for b.Loop() {
			if err := exec.Command("/bin/true").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// spawnLook finds a program or skips.
func spawnLook(tb testing.TB, name string) string {
	path, err := exec.LookPath(name)
	if err != nil {
		tb.Skipf("no %s: %v", name, err)
	}
	return path
}

// spawnSleeper starts sleep(1) in new namespaces of every kind a Go
// program can join (CAP_SYS_ADMIN needed, else the test skips); it is
// killed and reaped when tb ends.
func spawnSleeper(tb testing.TB) *spawn.Process {
	p, err := (&spawn.Command{Path: spawnLook(tb, "sleep"), Args: []string{"sleep", "3600"}, NewNamespaces: spawnJoinable}).Start()
	if err != nil {
		tb.Skipf("cannot make namespaces to join: %v", err)
	}
	tb.Cleanup(func() {
		p.Kill()
		p.Wait(context.Background())
		p.Close()
	})
	return p
}

// spawnNSLine is the shell command the answer checks run: the child's
// uid and its network, mount and PID namespaces, and its PID.
const spawnNSLine = `echo $(id -u) $(readlink /proc/self/ns/net /proc/self/ns/mnt /proc/self/ns/pid) $$`

// spawnOutput runs what start starts with its standard output on a pipe.
func spawnOutput(t *testing.T, run func(stdout *os.File) error) []string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	err = run(w)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4096)
	n, _ := r.Read(b)
	return strings.Fields(string(b[:n]))
}

// TestSpawnNewNamespacesAgrees: the three ways put the child in new user,
// network, mount and PID namespaces, as root (its own uid mapped to 0)
// and PID 1.
func TestSpawnNewNamespacesAgrees(t *testing.T) {
	unshare := spawnLook(t, "unshare")
	ours := spawnOutput(t, func(w *os.File) error {
		cmd := exec.Command("sh", "-c", spawnNSLine)
		cmd.Stdout = w
		return cmd.Run()
	})
	for impl, run := range map[string]func(w *os.File) error{
		"lx": func(w *os.File) error {
			c := spawnNewCommand("/bin/sh", "-c", spawnNSLine)
			c.Stdout = w
			spawnRun(t, c)
			return nil
		},
		"osexec": func(w *os.File) error {
			cmd := spawnNewCmd("/bin/sh", "-c", spawnNSLine)
			cmd.Stdout = w
			return cmd.Run()
		},
		"unshare": func(w *os.File) error {
			cmd := exec.Command(unshare, spawnUnshare, "--fork", "/bin/sh", "-c", spawnNSLine)
			cmd.Stdout = w
			return cmd.Run()
		},
	} {
		got := spawnOutput(t, run)
		if len(got) != 5 || got[0] != "0" || got[4] != "1" {
			t.Errorf("%s: child says %q, want uid 0, three namespaces and pid 1", impl, got)
			continue
		}
		for i := 1; i <= 3; i++ {
			if got[i] == ours[i] {
				t.Errorf("%s: child is in our namespace %s", impl, got[i])
			}
		}
	}
}

// TestSpawnJoinAgrees: lx's child is in the sleeper's namespaces, the
// plain os/exec child in ours, and both run /bin/true to success.
func TestSpawnJoinAgrees(t *testing.T) {
	target := spawnSleeper(t)
	var want []string
	for _, typ := range []string{"net", "mnt", "pid"} {
		l, err := os.Readlink("/proc/" + strconv.Itoa(target.PID()) + "/ns/" + typ)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, l)
	}
	got := spawnOutput(t, func(w *os.File) error {
		spawnRun(t, &spawn.Command{
			Path: "/bin/sh", Args: []string{"sh", "-c", spawnNSLine}, Stdout: w,
			JoinProcess: &spawn.JoinProcess{PidFD: target, Namespaces: spawnJoinable},
		})
		return nil
	})
	if len(got) != 5 || got[1] != want[0] || got[2] != want[1] || got[3] != want[2] {
		t.Errorf("lx: child says %q, want the sleeper's namespaces %q", got, want)
	}
	spawnRun(t, &spawn.Command{Path: "/bin/true", JoinProcess: &spawn.JoinProcess{PidFD: target, Namespaces: spawnJoinable}})
	if err := exec.Command("/bin/true").Run(); err != nil {
		t.Errorf("os/exec: %v", err)
	}
}
