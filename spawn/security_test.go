package spawn_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/landlock"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/rlimit"
	"github.com/lxgo/lx/spawn"
)

// threadState is what /proc/self/task/TID/status says about a thread's
// capabilities and no_new_privs: the state spawn changes on its forking
// thread only.
func threadState(tid string) (string, error) {
	b, err := os.ReadFile("/proc/self/task/" + tid + "/status")
	if err != nil {
		return "", err
	}
	var keep []string
	for l := range strings.Lines(string(b)) {
		if strings.HasPrefix(l, "Cap") || strings.HasPrefix(l, "NoNewPrivs:") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, ""), nil
}

// processState returns the state every thread of the test process shares,
// failing the test if two threads differ.
func processState(t *testing.T) string {
	t.Helper()
	states := threadStates(t)
	var want string
	for tid, s := range states {
		if want == "" {
			want = s
		} else if s != want {
			t.Fatalf("thread %s differs before the test:\n%s\nfrom\n%s", tid, s, want)
		}
	}
	return want
}

// threadStates maps each thread of the test process to its threadState.
// A thread that ends while being read is left out.
func threadStates(t *testing.T) map[string]string {
	t.Helper()
	tids, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string)
	for _, d := range tids {
		s, err := threadState(d.Name())
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out[d.Name()] = s
	}
	return out
}

// checkThreadStates checks that every thread of the test process still has the
// state want. The forking thread, which Start throws away, may not have
// ended yet when Start returns: a thread that differs must end.
func checkThreadStates(t *testing.T, want string) {
	t.Helper()
	for tid, s := range threadStates(t) {
		if s == want {
			continue
		}
		for start := time.Now(); ; {
			if _, err := os.Stat("/proc/self/task/" + tid); errors.Is(err, fs.ErrNotExist) {
				break
			}
			if time.Since(start) > time.Minute {
				t.Fatalf("thread %s keeps a changed state:\n%s\nwant\n%s", tid, s, want)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// capLines runs grep for the capability sets in the child's
// /proc/self/status and returns them by name (CapBnd: hex).
func capLines(t *testing.T, c *spawn.Command) map[string]string {
	t.Helper()
	c.Path, c.Args = lookPath(t, "grep"), []string{"grep", "^Cap", "/proc/self/status"}
	out, st := output(t, c)
	if !st.Success() {
		t.Fatalf("grep: %v: %s", st, out)
	}
	m := make(map[string]string)
	for l := range strings.Lines(out) {
		k, v, _ := strings.Cut(strings.TrimSpace(l), ":")
		m[k] = strings.TrimSpace(v)
	}
	return m
}

// hex is s as /proc/PID/status shows it.
func hex(s capability.Set) string { return fmt.Sprintf("%016x", uint64(s)) }

// TestCapabilitiesBounding: a child as root keeps only the bounding set
// it is given, and gets exactly that as its permitted and effective sets
// and the inheritable set it is given; no thread of the test process
// changes.
func TestCapabilitiesBounding(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.RequireCap(t, capability.Setpcap)
	want := processState(t)
	keep := capability.SetOf(capability.Chown, capability.NetBindService, capability.Kill)
	inh := capability.SetOf(capability.Kill)
	m := capLines(t, &spawn.Command{Capabilities: &spawn.Capabilities{Bounding: keep, Inheritable: inh}})
	for k, v := range map[string]string{"CapBnd": hex(keep), "CapPrm": hex(keep), "CapEff": hex(keep), "CapInh": hex(inh), "CapAmb": hex(0)} {
		if m[k] != v {
			t.Errorf("child's %s %s, want %s", k, m[k], v)
		}
	}
	checkThreadStates(t, want)

	// Nothing: no capability, with SECBIT_NOROOT none even for root.
	m = capLines(t, &spawn.Command{Capabilities: &spawn.Capabilities{Securebits: capability.SecbitNoRoot}})
	for _, k := range []string{"CapBnd", "CapPrm", "CapEff", "CapInh", "CapAmb"} {
		if m[k] != hex(0) {
			t.Errorf("child's %s %s, want none", k, m[k])
		}
	}
	checkThreadStates(t, want)
}

// TestCapabilitiesAmbient: a child running as nobody keeps
// cap_net_bind_service through its ambient set, and can bind port 80 (in
// a network namespace of its own, where the port is free). Without the
// ambient set it has nothing.
func TestCapabilitiesAmbient(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.RequireCap(t, capability.Setpcap)
	want := processState(t)
	bind := capability.SetOf(capability.NetBindService)
	nobody := &spawn.Credentials{UID: 65534, GID: 65534}
	c := &spawn.Command{Credentials: nobody, Capabilities: &spawn.Capabilities{Bounding: bind, Ambient: bind}}
	m := capLines(t, c)
	for _, k := range []string{"CapBnd", "CapPrm", "CapEff", "CapAmb"} {
		if m[k] != hex(bind) {
			t.Errorf("child's %s %s, want %s", k, m[k], hex(bind))
		}
	}
	checkThreadStates(t, want)
	m = capLines(t, &spawn.Command{Credentials: nobody, Capabilities: &spawn.Capabilities{Bounding: bind}})
	if m["CapEff"] != hex(0) || m["CapPrm"] != hex(0) {
		t.Errorf("child without ambient set: %v, want no capability", m)
	}

	// Binding port 80 for real, with the test binary as the child.
	exe := helperCopy(t)
	for _, amb := range []capability.Set{bind, 0} {
		out, st := output(t, &spawn.Command{
			Path:          exe,
			Args:          []string{exe, "-test.run=^TestBindHelper$"},
			Env:           []string{"LX_SPAWN_BIND_HELPER=1"},
			Dir:           "/",
			Credentials:   nobody,
			NewNamespaces: ns.CloneNewNet,
			Capabilities:  &spawn.Capabilities{Bounding: bind, Ambient: amb},
		})
		switch {
		case amb != 0 && (!st.Success() || !strings.Contains(out, "bound 80")):
			t.Errorf("bind with %v: %v: %s", amb, st, out)
		case amb == 0 && (!st.Success() || !strings.Contains(out, "permission denied")):
			t.Errorf("bind without ambient capabilities: %v: %s", st, out)
		}
	}
	checkThreadStates(t, want)
}

// helperCopy copies the test binary where nobody may run it, for a child
// that drops its uid.
func helperCopy(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	// Not in t.TempDir(), whose parent only root may enter.
	dir, err := os.MkdirTemp("", "lx-spawn-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "spawn.test")
	if err := os.WriteFile(path, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBindHelper, in a child started by TestCapabilitiesAmbient, binds TCP
// port 80 on the loopback address of its network namespace and says how
// that went.
func TestBindHelper(t *testing.T) {
	if os.Getenv("LX_SPAWN_BIND_HELPER") == "" {
		t.Skip("helper for TestCapabilitiesAmbient")
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	err = syscall.Bind(fd, &syscall.SockaddrInet4{Port: 80})
	switch {
	case err == nil:
		fmt.Println("bound 80")
	case errors.Is(err, syscall.EACCES):
		fmt.Println("bind 80: permission denied")
	default:
		t.Fatal(err)
	}
}

// TestCapabilitiesStepErrors: what the kernel refuses on the forking
// thread or in the child is an *Error at the step, nothing started.
func TestCapabilitiesStepErrors(t *testing.T) {
	t.Run("unprivileged", func(t *testing.T) {
		asUnprivileged(t, func(t *testing.T) {
			cur, err := capability.Current()
			if err != nil {
				t.Fatal(err)
			}
			bits, err := capability.CurrentSecurebits()
			if err != nil {
				t.Fatal(err)
			}
			// The caller's own sets need no privilege; another securebit
			// needs CAP_SETPCAP, and so does an ambient capability the
			// caller does not have.
			same := spawn.Capabilities{Bounding: cur.Bounding, Inheritable: cur.Inheritable & cur.Bounding}
			if _, st := output(t, &spawn.Command{Path: "/bin/true", Capabilities: &same}); !st.Success() {
				t.Errorf("the caller's own sets: %v", st)
			}
			other := same
			other.Securebits = bits ^ capability.SecbitNoRoot
			ambient := same
			ambient.Ambient = capability.SetOf(capability.NetBindService) & cur.Bounding &^ cur.Permitted
			for name, cs := range map[string]spawn.Capabilities{"securebits": other, "ambient": ambient} {
				if name == "ambient" && ambient.Ambient == 0 {
					continue
				}
				_, err := (&spawn.Command{Path: "/bin/true", Capabilities: &cs}).Start()
				var e *spawn.Error
				if !errors.As(err, &e) || e.Step != spawn.StepCapabilities || !errors.Is(err, fs.ErrPermission) {
					t.Errorf("%s: %v, want a permission error at %v", name, err, spawn.StepCapabilities)
				}
			}
		})
	})
	t.Run("keep caps locked", func(t *testing.T) {
		// The standard library sets PR_SET_KEEPCAPS in the child for an
		// ambient set, which a locked SECBIT_KEEP_CAPS refuses.
		testutil.RequireRoot(t)
		testutil.RequireCap(t, capability.Setpcap)
		want := processState(t)
		bind := capability.SetOf(capability.NetBindService)
		_, err := (&spawn.Command{
			Path:         "/bin/true",
			Credentials:  &spawn.Credentials{UID: 65534, GID: 65534},
			Capabilities: &spawn.Capabilities{Bounding: bind, Ambient: bind, Securebits: capability.SecbitKeepCapsLocked},
		}).Start()
		var e *spawn.Error
		if !errors.As(err, &e) || e.Step != spawn.StepAmbient || !errors.Is(err, fs.ErrPermission) {
			t.Errorf("%v, want a permission error at %v", err, spawn.StepAmbient)
		}
		checkThreadStates(t, want)
	})
}

// TestCapabilitiesInvalid: bad input is refused before anything starts.
func TestCapabilitiesInvalid(t *testing.T) {
	last, err := capability.Last()
	if err != nil {
		t.Fatal(err)
	}
	beyond := last + 1
	bind := capability.SetOf(capability.NetBindService)
	for name, c := range map[string]struct {
		cs   spawn.Capabilities
		user bool
		want string
	}{
		"bounding beyond last":  {cs: spawn.Capabilities{Bounding: capability.SetOf(beyond)}, want: fmt.Sprintf("capability %v", beyond)},
		"ambient beyond last":   {cs: spawn.Capabilities{Ambient: capability.SetOf(beyond)}, want: fmt.Sprintf("capability %v", beyond)},
		"inheritable not bound": {cs: spawn.Capabilities{Inheritable: bind}, want: "inheritable set cap_net_bind_service"},
		"ambient not bound":     {cs: spawn.Capabilities{Ambient: bind}, want: "ambient set cap_net_bind_service"},
		"unknown securebit":     {cs: spawn.Capabilities{Securebits: 1 << 20}, want: "securebits"},
		"ambient raise refused": {cs: spawn.Capabilities{Bounding: bind, Ambient: bind, Securebits: capability.SecbitNoCapAmbientRaise}, want: "no_cap_ambient_raise"},
		"new user namespace":    {cs: spawn.Capabilities{}, user: true, want: "new user namespace"},
	} {
		cmd := &spawn.Command{Path: "/bin/true", Capabilities: &c.cs}
		if c.user {
			cmd.NewNamespaces = ns.CloneNewUser
		}
		_, err := cmd.Start()
		if !errors.Is(err, fs.ErrInvalid) || !strings.Contains(strings.ToLower(err.Error()), c.want) {
			t.Errorf("%s: %v, want fs.ErrInvalid naming %q", name, err, c.want)
		}
	}
}

// requireLandlock skips without Landlock (not built, or not enabled at
// boot, which Debian's 6.1 does not do), and fails on a kernel new enough
// that lacks it.
func requireLandlock(t *testing.T) {
	t.Helper()
	_, err := landlock.CurrentABI()
	if errors.Is(err, syscall.EOPNOTSUPP) {
		t.Skip(err)
	}
	testutil.SkipIfUnsupported(t, err, kernel.Version{})
	if err != nil {
		t.Fatal(err)
	}
}

// landlockRuleset builds a ruleset that handles reading files and allows
// it only beneath dir and where programs and their libraries live. It
// returns the ruleset and a file under /etc that it denies.
func landlockRuleset(t *testing.T, dir string) (*landlock.Ruleset, string) {
	t.Helper()
	var denied string
	for _, p := range []string{"/etc/hostname", "/etc/passwd", "/etc/os-release"} {
		if f, err := os.Open(p); err == nil {
			f.Close()
			denied = p
			break
		}
	}
	if denied == "" {
		t.Skip("no readable file in /etc")
	}
	cat := lookPath(t, "cat")
	real, err := filepath.EvalSymlinks(cat)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(real, "/etc/") {
		t.Skipf("cat is %s", real)
	}
	rules := []landlock.PathRule{{Path: dir, Access: landlock.ReadFile}, {Path: filepath.Dir(real), Access: landlock.ReadFile}}
	for _, p := range []string{"/usr", "/lib", "/lib64", "/etc/ld.so.cache"} {
		if _, err := os.Stat(p); err == nil {
			rules = append(rules, landlock.PathRule{Path: p, Access: landlock.ReadFile})
		}
	}
	rs, err := landlock.New(&landlock.Options{HandledFS: landlock.ReadFile, Paths: rules})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rs.Close() })
	return rs, denied
}

// TestLandlock: a child under a ruleset cannot read a file in /etc and can
// read one the ruleset allows; the test process itself is not restricted,
// and no thread of it has no_new_privs. With Rlimits the child is traced
// by the restricted thread, which Landlock allows (same domain).
func TestLandlock(t *testing.T) {
	requireLandlock(t)
	want := processState(t)
	dir := t.TempDir()
	allowed := filepath.Join(dir, "allowed")
	if err := os.WriteFile(allowed, []byte("allowed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, denied := landlockRuleset(t, dir)
	cat := lookPath(t, "cat")
	for name, c := range map[string]*spawn.Command{
		"plain":   {},
		"rlimits": {Rlimits: map[rlimit.Resource]rlimit.Limit{rlimit.NoFile: {Soft: 64, Hard: 64}}},
	} {
		t.Run(name, func(t *testing.T) {
			c.Landlock = rs
			c.Path, c.Args = cat, []string{"cat", allowed}
			if out, st := output(t, c); !st.Success() || out != "allowed\n" {
				t.Errorf("cat %s: %v: %q", allowed, st, out)
			}
			r, w := pipe(t)
			c.Args, c.Stderr = []string{"cat", denied}, w
			if out, st := output(t, c); st.Success() || out != "" {
				t.Errorf("cat %s: %v: %q, want refused", denied, st, out)
			}
			w.Close()
			msg := make([]byte, 4096)
			n, _ := r.Read(msg)
			if !strings.Contains(string(msg[:n]), "denied") {
				t.Errorf("cat %s said %q, want permission denied", denied, msg[:n])
			}
		})
	}
	if _, err := os.ReadFile(denied); err != nil {
		t.Errorf("the test process is restricted: %v", err)
	}
	checkThreadStates(t, want)
}

// TestLandlockUserNamespace: the standard library writes a new user
// namespace's uid_map from the forking thread, after the restriction: a
// ruleset that handles writing files and does not allow /proc makes
// Start fail at StepUIDMap, with the reason.
func TestLandlockUserNamespace(t *testing.T) {
	requireLandlock(t)
	rs, err := landlock.New(&landlock.Options{HandledFS: landlock.WriteFile})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	c := &spawn.Command{
		Path:          "/bin/true",
		NewNamespaces: ns.CloneNewUser,
		UIDMap:        ns.IDMap{{Inside: 0, Outside: uint32(os.Geteuid()), Count: 1}},
		Landlock:      rs,
	}
	_, err = c.Start()
	var e *spawn.Error
	if !errors.As(err, &e) || e.Step != spawn.StepUIDMap || !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), "Landlock") {
		testutil.SkipIfUnsupported(t, errors.Unwrap(err), kernel.Version{})
		t.Fatalf("%v, want a permission error at %v that names Landlock", err, spawn.StepUIDMap)
	}
	allowProc, err := landlock.New(&landlock.Options{HandledFS: landlock.WriteFile, Paths: []landlock.PathRule{{Path: "/proc", Access: landlock.WriteFile}}})
	if err != nil {
		t.Fatal(err)
	}
	defer allowProc.Close()
	c.Landlock = allowProc
	if _, st := output(t, c); !st.Success() {
		t.Errorf("with /proc writable: %v", st)
	}
}

// TestLandlockInvalid: a closed ruleset fails Start at StepLandlock,
// before the fork.
func TestLandlockInvalid(t *testing.T) {
	requireLandlock(t)
	rs, err := landlock.New(&landlock.Options{HandledFS: landlock.ReadFile})
	if err != nil {
		t.Fatal(err)
	}
	rs.Close()
	_, err = (&spawn.Command{Path: "/bin/true", Landlock: rs}).Start()
	var e *spawn.Error
	if !errors.As(err, &e) || e.Step != spawn.StepLandlock || !errors.Is(err, os.ErrClosed) {
		t.Errorf("closed ruleset: %v, want os.ErrClosed at %v", err, spawn.StepLandlock)
	}
	// A nil ruleset restricts nothing.
	if _, st := output(t, &spawn.Command{Path: "/bin/true", Landlock: nil}); !st.Success() {
		t.Errorf("nil ruleset: %v", st)
	}
}
