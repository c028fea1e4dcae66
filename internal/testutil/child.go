package testutil

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// childEnv marks a re-executed test binary and names the test it runs.
const childEnv = "LX_TESTUTIL_CHILD"

// ChildOptions says how RunInChild starts the child. nil means defaults.
type ChildOptions struct {
	// Cloneflags are CLONE_NEW* flags for the child (see syscall.SysProcAttr).
	Cloneflags uintptr
	// UidMappings and GidMappings map ids when Cloneflags has CLONE_NEWUSER.
	UidMappings, GidMappings []syscall.SysProcIDMap
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
	cmd := exec.CommandContext(ctx, exe, "-test.run="+runPattern(t.Name()), "-test.v", "-test.count=1")
	cmd.Env = append(append(os.Environ(), childEnv+"="+t.Name()), opts.Env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  opts.Cloneflags,
		UidMappings: opts.UidMappings,
		GidMappings: opts.GidMappings,
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

// runPattern builds a -test.run pattern that matches exactly the test (or
// subtest) named name.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}
