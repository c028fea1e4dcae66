package spawn_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/spawn"
)

// TestNewNamespaces starts a child in new user, mount, PID, network, UTS
// and IPC namespaces with its own uid as root, which any user may, and
// checks from outside that it is there.
func TestNewNamespaces(t *testing.T) {
	r, w := pipe(t)
	uids := ns.IDMap{{Inside: 0, Outside: uint32(os.Geteuid()), Count: 1}}
	p, err := (&spawn.Command{
		Path:          lookPath(t, "sh"),
		Args:          []string{"sh", "-c", "id -u; id -g; exec sleep 1000"},
		Stdout:        w,
		Stderr:        os.Stderr,
		NewNamespaces: ns.CloneNewUser | ns.CloneNewNS | ns.CloneNewPID | ns.CloneNewNet | ns.CloneNewUTS | ns.CloneNewIPC,
		UIDMap:        uids,
		GIDMap:        ns.IDMap{{Inside: 0, Outside: uint32(os.Getegid()), Count: 1}},
	}).Start()
	testutil.SkipIfUnsupported(t, err, kernel.Version{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reap(p) })
	if got := lines(t, bufio.NewReader(r), 2); got[0] != "0" || got[1] != "0" {
		t.Errorf("ids inside: %q, want uid 0 and gid 0", got)
	}
	self := os.Getpid()
	for _, typ := range []ns.Type{ns.User, ns.Mnt, ns.PID, ns.Net, ns.UTS, ns.IPC} {
		if got, our := nsOf(t, p.PID(), typ), nsOf(t, self, typ); got == our {
			t.Errorf("child is in our %v namespace %d", typ, got)
		}
	}
	for _, typ := range []ns.Type{ns.Cgroup, ns.Time} {
		if got, our := nsOf(t, p.PID(), typ), nsOf(t, self, typ); got != our {
			t.Errorf("child is in %v namespace %d, not ours (%d)", typ, got, our)
		}
	}
	st, err := proc(t, p.PID()).Status()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.NSPID) != 2 || st.NSPID[0] != p.PID() || st.NSPID[1] != 1 {
		t.Errorf("NSpid %v, want [%d 1]", st.NSPID, p.PID())
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/uid_map", p.PID()))
	if err != nil {
		t.Fatal(err)
	}
	if m, err := ns.ParseIDMap(b); err != nil || len(m) != 1 || m[0] != uids[0] {
		t.Errorf("uid_map %q (%v), want %v", b, err, uids)
	}
}

// TestHostname sets the host name of a new UTS namespace, alone and with
// a new user namespace.
func TestHostname(t *testing.T) {
	testutil.WithAdmin(t, func(t *testing.T) {
		for _, flags := range []ns.CloneFlags{ns.CloneNewUTS, ns.CloneNewUTS | ns.CloneNewUser} {
			out, st := output(t, &spawn.Command{
				Path:          lookPath(t, "cat"),
				Args:          []string{"cat", "/proc/sys/kernel/hostname"},
				NewNamespaces: flags,
				Hostname:      "lx-spawn-test",
			})
			if out != "lx-spawn-test\n" || !st.Success() {
				t.Errorf("%v: host name %q (%v)", flags, out, st)
			}
		}
		if h, _ := os.Hostname(); h == "lx-spawn-test" {
			t.Error("the test process's host name changed")
		}
	})
}

// sleeper starts sleep(1) in new namespaces of the kinds in flags; it is
// killed and reaped at the end of the test.
func sleeper(t *testing.T, flags ns.CloneFlags) *spawn.Process {
	t.Helper()
	return start(t, &spawn.Command{Path: lookPath(t, "sleep"), Args: []string{"sleep", "1000"}, NewNamespaces: flags})
}

// joinable are the kinds of namespace a Go program can join.
var joinable = []ns.Type{ns.Cgroup, ns.IPC, ns.Mnt, ns.Net, ns.PID, ns.UTS}

// TestJoin joins each kind of namespace of a sleeper, alone and all at
// once, through handles and through its pidfd, and checks that the child
// is in the sleeper's namespaces of those kinds and in ours otherwise;
// then that no goroutine of this process runs in any of them.
func TestJoin(t *testing.T) {
	testutil.WithAdmin(t, func(t *testing.T) {
		var all ns.CloneFlags
		for _, typ := range joinable {
			all |= typ.CloneFlag()
		}
		target := sleeper(t, all)
		self := os.Getpid()
		check := func(t *testing.T, p *spawn.Process, joined ns.CloneFlags) {
			t.Helper()
			for _, typ := range joinable {
				got, ours, targets := nsOf(t, p.PID(), typ), nsOf(t, self, typ), nsOf(t, target.PID(), typ)
				switch {
				case joined&typ.CloneFlag() != 0 && got != targets:
					t.Errorf("joined %v: child's %v namespace is %d, not the target's (%d)", joined, typ, got, targets)
				case joined&typ.CloneFlag() == 0 && got != ours && (got == targets || typ != ns.IPC && typ != ns.PID):
					t.Errorf("joined %v: child's %v namespace is %d, not ours (%d)", joined, typ, got, ours)
				}
			}
		}
		for _, typ := range joinable {
			t.Run(typ.String(), func(t *testing.T) {
				h, err := ns.OpenPidFD(target, typ)
				if err != nil {
					t.Fatal(err)
				}
				defer h.Close()
				check(t, sleeperJoining(t, &spawn.Command{Join: []*ns.Handle{h}}), typ.CloneFlag())
				check(t, sleeperJoining(t, &spawn.Command{
					JoinProcess: &spawn.JoinProcess{PidFD: target, Namespaces: typ.CloneFlag()},
				}), typ.CloneFlag())
			})
		}
		t.Run("all", func(t *testing.T) {
			check(t, sleeperJoining(t, &spawn.Command{JoinProcess: &spawn.JoinProcess{PidFD: target, Namespaces: all}}), all)
			check(t, sleeperJoining(t, &spawn.Command{JoinProcess: &spawn.JoinProcess{PID: target.PID(), Namespaces: all}}), all)
			var hs []*ns.Handle
			for _, typ := range joinable {
				h, err := ns.OpenPidFD(target, typ)
				if err != nil {
					t.Fatal(err)
				}
				defer h.Close()
				hs = append(hs, h)
			}
			check(t, sleeperJoining(t, &spawn.Command{Join: hs}), all)
			// Handles and a pidfd together, and new namespaces besides.
			// joinable[0] is cgroup, [2] mnt.
			p := sleeperJoining(t, &spawn.Command{
				Join:          []*ns.Handle{hs[0], hs[2]},
				JoinProcess:   &spawn.JoinProcess{PidFD: target, Namespaces: ns.CloneNewNet | ns.CloneNewUTS},
				NewNamespaces: ns.CloneNewIPC | ns.CloneNewPID,
			})
			check(t, p, ns.CloneNewCgroup|ns.CloneNewNS|ns.CloneNewNet|ns.CloneNewUTS)
			for _, typ := range []ns.Type{ns.IPC, ns.PID} {
				if got := nsOf(t, p.PID(), typ); got == nsOf(t, self, typ) || got == nsOf(t, target.PID(), typ) {
					t.Errorf("child's new %v namespace %d is ours or the target's", typ, got)
				}
			}
		})
		t.Run("threads", func(t *testing.T) { checkThreads(t) })
	})
}

// sleeperJoining starts sleep(1) with c's namespace options.
func sleeperJoining(t *testing.T, c *spawn.Command) *spawn.Process {
	t.Helper()
	c.Path, c.Args = lookPath(t, "sleep"), []string{"sleep", "1000"}
	return start(t, c)
}

// checkThreads runs thousands of goroutines over every P and checks that
// each sees the process's own namespaces on its thread, and no
// no_new_privs: none of spawn's prepared threads went back to the pool.
func checkThreads(t *testing.T) {
	want := map[ns.Type]uint64{}
	for _, typ := range append(joinable, ns.PIDForChildren, ns.TimeForChildren) {
		want[typ] = nsOf(t, os.Getpid(), typ)
	}
	var mu sync.Mutex
	var bad []string
	var wg sync.WaitGroup
	for i := range 4000 {
		wg.Go(func() {
			if i%50 == 0 {
				runtime.GC()
			}
			runtime.Gosched()
			for typ, id := range want {
				if got, err := threadNS(typ); err != nil || got != id {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("%v %d (%v)", typ, got, err))
					mu.Unlock()
				}
			}
			if b, err := os.ReadFile("/proc/thread-self/status"); err != nil || !strings.Contains(string(b), "\nNoNewPrivs:\t0\n") {
				mu.Lock()
				bad = append(bad, fmt.Sprintf("no_new_privs set (%v)", err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Errorf("%d goroutines ran on a thread in other namespaces (GOMAXPROCS %d), first: %s", len(bad), runtime.GOMAXPROCS(0), bad[0])
	}
}

// TestJoinRefused: user and time namespaces cannot be joined, and a
// namespace cannot be both joined and new.
func TestJoinRefused(t *testing.T) {
	for _, typ := range []ns.Type{ns.User, ns.Time} {
		h, err := ns.Current(typ)
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		// The refusal is ns's, shared with ns.Do.
		var me *ns.MultithreadedError
		_, err = (&spawn.Command{Path: "/bin/true", Join: []*ns.Handle{h}}).Start()
		if !errors.Is(err, errors.ErrUnsupported) || !errors.As(err, &me) || me.Type != typ {
			t.Errorf("join %v: %v, want a *ns.MultithreadedError (ErrUnsupported)", typ, err)
		}
		_, err = (&spawn.Command{Path: "/bin/true", JoinProcess: &spawn.JoinProcess{PID: os.Getpid(), Namespaces: typ.CloneFlag()}}).Start()
		if !errors.Is(err, errors.ErrUnsupported) || !errors.As(err, &me) || me.Type != typ {
			t.Errorf("join process's %v: %v, want a *ns.MultithreadedError (ErrUnsupported)", typ, err)
		}
	}
}

// uptime reads /proc/uptime, which a time namespace offsets by its
// boottime offset.
func uptime(t *testing.T, text string) time.Duration {
	t.Helper()
	f := strings.Fields(text)
	if len(f) != 2 {
		t.Fatalf("uptime %q", text)
	}
	s, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		t.Fatal(err)
	}
	return time.Duration(s * float64(time.Second))
}

// TestTimeNamespace starts a child in a new time namespace, with offsets
// and without, and reads its /proc/uptime between two of ours.
func TestTimeNamespace(t *testing.T) {
	testutil.WithAdmin(t, func(t *testing.T) {
		cat := lookPath(t, "cat")
		cases := []*ns.TimeOffsets{nil, {Monotonic: 48 * time.Hour, Boottime: 240 * time.Hour}}
		// Before 6.3 no child can start in a new time namespace with
		// offsets: Start says so with a *kernel.FeatureError.
		p, err := (&spawn.Command{Path: cat, Args: []string{"cat", "/dev/null"}, NewNamespaces: ns.CloneNewTime, TimeOffsets: &ns.TimeOffsets{}}).Start()
		if fe := (*kernel.FeatureError)(nil); errors.As(err, &fe) && fe.MinKernel == kernel.V(6, 3) {
			t.Logf("only without offsets: %v", err)
			cases = cases[:1]
		} else if err != nil {
			t.Fatal(err)
		} else {
			_, err = p.Wait(context.Background())
			p.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, offsets := range cases {
			b, err := os.ReadFile("/proc/uptime")
			if err != nil {
				t.Fatal(err)
			}
			before := uptime(t, string(b))
			out, st := output(t, &spawn.Command{Path: cat, Args: []string{"cat", "/proc/uptime"}, NewNamespaces: ns.CloneNewTime, TimeOffsets: offsets})
			if b, err = os.ReadFile("/proc/uptime"); err != nil {
				t.Fatal(err)
			}
			after := uptime(t, string(b))
			var off time.Duration
			if offsets != nil {
				off = offsets.Boottime
			}
			// /proc/uptime has a resolution of 10ms.
			if got := uptime(t, out); !st.Success() || got < before+off-10*time.Millisecond || got > after+off+10*time.Millisecond {
				t.Errorf("offsets %v: child's uptime %v, want %v + %v .. %v + %v", offsets, got, before, off, after, off)
			}
		}
	})
}
