package testutil

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/capability"
)

// childEnv marks a re-executed test binary and names the test it runs.
const childEnv = "LX_TESTUTIL_CHILD"

// ChildOptions says how RunInChild starts the child. nil means defaults.
type ChildOptions struct {
	// Cloneflags are CLONE_NEW* flags for the child (see syscall.SysProcAttr).
	Cloneflags uintptr
	// UidMappings and GidMappings map ids when Cloneflags has CLONE_NEWUSER.
	UidMappings, GidMappings []syscall.SysProcIDMap
	// Credential, when set, runs the child as that user and group, with
	// those supplementary groups (see syscall.Credential). Changing them
	// needs CAP_SETUID and CAP_SETGID: without them the test is skipped.
	// The test binary and the package directory need not be open to
	// that user (go test builds in a 0700 directory), so the child runs a
	// copy of the binary in a new temporary directory that anyone may
	// read, which is also its working directory: such a child cannot
	// read testdata by a relative path.
	Credential *syscall.Credential
	// Env is added to the child's environment.
	Env []string
	// Timeout bounds the child; zero means one minute.
	Timeout time.Duration
}

// InChild reports whether this process is a RunInChild child.
func InChild() bool { return os.Getenv(childEnv) != "" }

// RunInChild runs body in a re-executed copy of the test binary that runs
// only the calling test, so that a test can change process-wide state
// (namespaces, seccomp, credentials, rlimits) without touching the test
// binary's own process. In the child, RunInChild calls body(t) directly. In
// the parent it starts the child, relays its output, and passes, skips or
// fails t as the child did. Code after RunInChild runs in both.
func RunInChild(t *testing.T, opts *ChildOptions, body func(t *testing.T)) {
	t.Helper()
	if os.Getenv(childEnv) == t.Name() {
		body(t)
		return
	}
	if opts == nil {
		opts = &ChildOptions{}
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("find test binary: %v", err)
	}
	dir := "" // the child's working directory: the package's
	if opts.Credential != nil {
		RequireCap(t, capability.Setuid)
		RequireCap(t, capability.Setgid)
		dir, err = os.MkdirTemp("", "lx-testutil-child-")
		if err != nil {
			t.Fatalf("copy test binary: %v", err)
		}
		defer os.RemoveAll(dir)
		exe, err = copyExecutable(dir, exe)
		if err != nil {
			t.Fatalf("copy test binary: %v", err)
		}
	}
	cmd := exec.CommandContext(ctx, exe, "-test.run="+runPattern(t.Name()), "-test.v", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), childEnv+"="+t.Name()), opts.Env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  opts.Cloneflags,
		UidMappings: opts.UidMappings,
		GidMappings: opts.GidMappings,
		Credential:  opts.Credential,
		Pdeathsig:   syscall.SIGKILL,
	}
	out, err := cmd.CombinedOutput()
	switch {
	case bytes.Contains(out, []byte("--- SKIP: "+t.Name())):
		t.Skipf("child skipped:\n%s", out)
	case err != nil:
		t.Fatalf("child process for %s failed: %v\n%s", t.Name(), err, out)
	case !bytes.Contains(out, []byte("--- PASS: "+t.Name())):
		t.Fatalf("child process did not run %s:\n%s", t.Name(), out)
	default:
		t.Logf("child output:\n%s", out)
	}
}

// copyExecutable copies the executable exe into dir, as a file anyone
// may read and execute, opens dir to everyone, and returns the copy's
// path.
func copyExecutable(dir, exe string) (string, error) {
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	in, err := os.Open(exe)
	if err != nil {
		return "", err
	}
	defer in.Close()
	path := filepath.Join(dir, filepath.Base(exe))
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return "", err
	}
	return path, out.Close()
}

// runPattern builds a -test.run pattern that matches exactly the test (or
// subtest) named name.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// WithAdmin runs body with CAP_SYS_ADMIN over the namespaces it creates:
// in this process when the test runs with the capability (as root), and
// otherwise through RunInChild in a child created in a new user
// namespace, where an ordinary user has every capability. (The test
// process cannot create a user namespace for itself: it is
// multithreaded.)
func WithAdmin(t *testing.T, body func(t *testing.T)) {
	t.Helper()
	if HasCap(capability.SysAdmin) {
		body(t)
		return
	}
	RunInChild(t, &ChildOptions{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}},
	}, body)
}
