package testutil

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/kernel"
)

func TestMain(m *testing.M) { Main(m) }

// fakeTB records what SkipIfUnsupported, RequireCap and RequireRoot do to
// a test. testing.TB has an unexported method, so it embeds the real T;
// Skipf and Fatalf end the calling goroutine as the real ones do.
type fakeTB struct {
	testing.TB
	outcome string // "", "skip" or "fatal"
	msg     string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.outcome, f.msg = "skip", fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.outcome, f.msg = "fatal", fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls fn with a fakeTB on its own goroutine and returns the outcome.
func run(t *testing.T, fn func(tb testing.TB)) (string, string) {
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f.outcome, f.msg
}

func TestSkipIfUnsupported(t *testing.T) {
	running, err := kernel.Running()
	if err != nil {
		t.Fatal(err)
	}
	older := kernel.V(2, 6)                           // the running kernel has everything from here
	newer := kernel.Version{Major: running.Major + 1} // the running kernel predates this
	sysErr := func(e syscall.Errno) error { return os.NewSyscallError("probe", e) }
	for _, c := range []struct {
		name string
		err  error
		min  kernel.Version
		want string
	}{
		{"nil", nil, older, ""},
		{"unrelated error", errors.New("boom"), older, ""},
		{"ENOENT", sysErr(syscall.ENOENT), newer, ""},
		{"EINVAL on an old kernel", sysErr(syscall.EINVAL), newer, "skip"},
		{"EINVAL on a new kernel", sysErr(syscall.EINVAL), older, "fatal"},
		{"EPERM on an old kernel", sysErr(syscall.EPERM), newer, "skip"},
		{"EPERM on a new kernel", sysErr(syscall.EPERM), older, "skip"},
		{"EACCES", sysErr(syscall.EACCES), older, "skip"},
		{"ENOSYS on an old kernel", sysErr(syscall.ENOSYS), newer, "skip"},
		{"ENOSYS on a new kernel", sysErr(syscall.ENOSYS), older, "fatal"},
		{"EOPNOTSUPP on a new kernel", sysErr(syscall.EOPNOTSUPP), older, "fatal"},
		{"ENOTTY on an old kernel", sysErr(syscall.ENOTTY), newer, "skip"},
		{"ENOTTY on a new kernel", sysErr(syscall.ENOTTY), older, "fatal"},
		{"FeatureError on an old kernel", &kernel.FeatureError{Feature: "x", MinKernel: newer}, newer, "skip"},
		{"FeatureError on a new kernel", &kernel.FeatureError{Feature: "x", MinKernel: older}, older, "fatal"},
		{"wrapped ErrUnsupported", fmt.Errorf("thing: %w", errors.ErrUnsupported), older, "fatal"},
		{"no minimum kernel", sysErr(syscall.ENOSYS), kernel.Version{}, "skip"},
		// The minimum kernel of a FeatureError wins over the argument,
		// which may then be zero.
		{"FeatureError on an old kernel, no argument", &kernel.FeatureError{Feature: "x", MinKernel: newer}, kernel.Version{}, "skip"},
		{"FeatureError on a new kernel, no argument", &kernel.FeatureError{Feature: "x", MinKernel: older}, kernel.Version{}, "fatal"},
		{"wrapped FeatureError on a new kernel, no argument",
			fmt.Errorf("thing: %w", &kernel.FeatureError{Feature: "x", MinKernel: older, Err: sysErr(syscall.ENOSYS)}), kernel.Version{}, "fatal"},
		{"FeatureError newer than the argument", &kernel.FeatureError{Feature: "x", MinKernel: newer}, older, "skip"},
		{"FeatureError older than the argument", &kernel.FeatureError{Feature: "x", MinKernel: older}, newer, "fatal"},
		{"FeatureError without a kernel uses the argument", &kernel.FeatureError{Feature: "x"}, older, "fatal"},
		{"FeatureError without a kernel, no argument", &kernel.FeatureError{Feature: "x"}, kernel.Version{}, "skip"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, msg := run(t, func(tb testing.TB) { SkipIfUnsupported(tb, c.err, c.min) })
			if got != c.want {
				t.Errorf("SkipIfUnsupported(%v, %v) did %q (%s), want %q", c.err, c.min, got, msg, c.want)
			}
			if got == "fatal" && !strings.Contains(msg, running.String()) {
				t.Errorf("failure message %q does not name the kernel %s", msg, running)
			}
		})
	}
}

func TestRequireCapAndRoot(t *testing.T) {
	got, _ := run(t, func(tb testing.TB) { RequireCap(tb, capability.SysAdmin) })
	if want := map[bool]string{true: "", false: "skip"}[HasCap(capability.SysAdmin)]; got != want {
		t.Errorf("RequireCap(CAP_SYS_ADMIN) did %q, want %q", got, want)
	}
	got, _ = run(t, func(tb testing.TB) { RequireRoot(tb) })
	if want := map[bool]string{true: "", false: "skip"}[os.Getuid() == 0]; got != want {
		t.Errorf("RequireRoot did %q, want %q", got, want)
	}
	// On this kind of machine root has every capability but
	// CAP_SYS_RESOURCE, and other users have none.
	if os.Getuid() == 0 && (!HasCap(capability.SysAdmin) || !HasCap(capability.Chown)) {
		t.Error("root lacks CAP_SYS_ADMIN or CAP_CHOWN")
	}
	if os.Getuid() != 0 && os.Geteuid() != 0 && HasCap(capability.SysAdmin) {
		t.Log("an unprivileged user with CAP_SYS_ADMIN (ambient or file capabilities?)")
	}
	if HasCap(63) {
		t.Error("HasCap(63): no such capability exists")
	}
}

const parentPIDEnv = "LX_TESTUTIL_PARENT_PID"

// TestRunInChild: the body runs in another process, a child of this one,
// with the environment it was given.
func TestRunInChild(t *testing.T) {
	parent := os.Getpid()
	RunInChild(t, &ChildOptions{Env: []string{parentPIDEnv + "=" + strconv.Itoa(parent)}}, func(t *testing.T) {
		if !InChild() {
			t.Error("InChild is false in the child")
		}
		want, err := strconv.Atoi(os.Getenv(parentPIDEnv))
		if err != nil {
			t.Fatalf("child did not get the environment: %v", err)
		}
		if os.Getpid() == want {
			t.Error("the body ran in the parent process")
		}
		if os.Getppid() != want {
			t.Errorf("child's parent is %d, want %d", os.Getppid(), want)
		}
	})
}

// TestRunInChildCredential: with Credential, the child runs as that user
// and group, from a copy of the test binary it may execute, in a
// directory it may read.
func TestRunInChildCredential(t *testing.T) {
	RunInChild(t, &ChildOptions{Credential: &syscall.Credential{Uid: 65534, Gid: 65533}}, func(t *testing.T) {
		if !InChild() {
			t.Error("InChild is false in the child")
		}
		if os.Getuid() != 65534 || os.Geteuid() != 65534 || os.Getgid() != 65533 || os.Getegid() != 65533 {
			t.Errorf("child runs as uid %d/%d, gid %d/%d; want 65534, 65533",
				os.Getuid(), os.Geteuid(), os.Getgid(), os.Getegid())
		}
		if groups, err := os.Getgroups(); err != nil || len(groups) != 0 {
			t.Errorf("supplementary groups %v, %v; want none", groups, err)
		}
		if _, err := os.ReadDir("."); err != nil {
			t.Errorf("working directory: %v", err)
		}
	})
}

// TestRunInChildNamespaces: with Cloneflags, the child gets a UTS
// namespace of its own, and its hostname change does not reach the parent.
func TestRunInChildNamespaces(t *testing.T) {
	RequireCap(t, capability.SysAdmin)
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	ns, err := os.Readlink("/proc/self/ns/uts")
	if err != nil {
		t.Fatal(err)
	}
	RunInChild(t, &ChildOptions{
		Cloneflags: syscall.CLONE_NEWUTS | syscall.CLONE_NEWNS,
		Env:        []string{"LX_PARENT_UTS=" + ns},
	}, func(t *testing.T) {
		mine, err := os.Readlink("/proc/self/ns/uts")
		if err != nil {
			t.Fatal(err)
		}
		if mine == os.Getenv("LX_PARENT_UTS") {
			t.Fatalf("child is in the parent's UTS namespace %s", mine)
		}
		if err := syscall.Sethostname([]byte("lx-testutil-child")); err != nil {
			t.Fatal(err)
		}
	})
	if InChild() {
		return // the child changed its own hostname
	}
	if now, _ := os.Hostname(); now != host {
		t.Errorf("parent hostname changed from %q to %q", host, now)
	}
}

// TestRunInChildSkipPropagates: a child that skips makes the parent skip.
// The skipping test is a subtest; its cleanup records how it ended.
func TestRunInChildSkipPropagates(t *testing.T) {
	var skipped, after bool
	t.Run("skipper", func(t *testing.T) {
		t.Cleanup(func() { skipped = t.Skipped() })
		RunInChild(t, nil, func(t *testing.T) { t.Skip("skipping in the child") })
		after = true
	})
	if InChild() {
		return // the child runs this test too, with the subtest skipped directly
	}
	if !skipped || after {
		t.Errorf("parent subtest skipped=%v, ran past RunInChild=%v; want skipped and stopped", skipped, after)
	}
}

const metaEnv = "LX_TESTUTIL_META"

// TestHelperChildFails is run by TestRunInChildFailurePropagates in a
// separate test binary process; it is skipped otherwise.
func TestHelperChildFails(t *testing.T) {
	if os.Getenv(metaEnv) == "" {
		t.Skip("helper for TestRunInChildFailurePropagates")
	}
	RunInChild(t, nil, func(t *testing.T) { t.Error("failing in the child on purpose") })
}

// TestRunInChildFailurePropagates: a child that fails makes the parent
// fail. A failing test cannot be asserted from inside, so this runs
// TestHelperChildFails in a fresh copy of the test binary and checks that
// it failed.
func TestRunInChildFailurePropagates(t *testing.T) {
	if InChild() {
		t.Skip("not nested")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestHelperChildFails$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), metaEnv+"=1")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("the test binary did not fail (%v):\n%s", err, out)
	}
	for _, want := range []string{"failing in the child on purpose", "--- FAIL: TestHelperChildFails", "child process for TestHelperChildFails failed"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRunPattern(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"TestA", "^TestA$"},
		{"TestA/sub", "^TestA$/^sub$"},
		{"TestA/a.b(c)+", `^TestA$/^a\.b\(c\)\+$`},
		{"TestA/x/y", "^TestA$/^x$/^y$"},
	} {
		if got := runPattern(c.name); got != c.want {
			t.Errorf("runPattern(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestLeaks checks the leak detector of Main: an fd and a goroutine that
// outlive the baseline are reported, and nothing is reported once they
// are gone.
func TestLeaks(t *testing.T) {
	// Goroutines of earlier tests may still be finishing; wait until the
	// count stops falling so the baseline is not too high.
	goroutines := runtime.NumGoroutine()
	for range 100 {
		time.Sleep(10 * time.Millisecond)
		n := runtime.NumGoroutine()
		if n == goroutines {
			break
		}
		goroutines = n
	}
	fds := openFDs()
	if msg := leaks(fds, goroutines); msg != "" {
		t.Fatalf("leaks reported with nothing leaked: %s", msg)
	}
	f, err := os.CreateTemp(t.TempDir(), "leak")
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	go func() { <-stop }()
	msg := leaks(fds, goroutines)
	if !strings.Contains(msg, "leaked file descriptors") || !strings.Contains(msg, f.Name()) {
		t.Errorf("open file %s not reported: %q", f.Name(), msg)
	}
	if !strings.Contains(msg, "leaked goroutines") || !strings.Contains(msg, "TestLeaks") {
		t.Errorf("blocked goroutine not reported: %.300q", msg)
	}
	f.Close()
	close(stop)
	if msg := leaks(fds, goroutines); msg != "" {
		t.Errorf("leaks reported after cleaning up: %s", msg)
	}
}
