// Package testutil is the shared harness of lx's tests: skipping for
// missing kernel features without hiding regressions, capability checks,
// re-executing one test in a child process (optionally in fresh
// namespaces), and a TestMain that fails a package whose tests leak file
// descriptors or goroutines.
package testutil

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// SkipIfUnsupported handles an error from trying a kernel interface. It
// does nothing when err is nil or unrelated to support. It skips the test
// when the kernel said "not here" (ENOSYS, EOPNOTSUPP, ENOTTY, EINVAL for a
// flag or ioctl it does not know, a *kernel.FeatureError) on a kernel
// older than the interface, or said "not allowed" (EPERM, EACCES), which
// depends on the caller and the sandbox. It FAILS the test when the kernel
// said "not here" although it is new enough: that is a bug in lx, not a
// skip.
//
// The minimum kernel is the one a *kernel.FeatureError in err carries;
// minKernel is used only when err carries none (a raw errno), so callers
// whose errors come from lx's probes pass kernel.Version{}. Without either,
// a "not here" error skips.
func SkipIfUnsupported(t testing.TB, err error, minKernel kernel.Version) {
	t.Helper()
	if err == nil {
		return
	}
	switch sys.Errno(err) {
	case sys.EPERM, sys.EACCES:
		t.Skipf("not permitted here (uid %d): %v", os.Getuid(), err)
	}
	notHere := errors.Is(err, errors.ErrUnsupported)
	switch sys.Errno(err) {
	case sys.ENOSYS, sys.EOPNOTSUPP, sys.ENOTTY, sys.EINVAL:
		// EINVAL is how older kernels reject an unknown flag or ioctl;
		// the caller passes only valid input, so on a kernel that should
		// know the flag it is still a failure.
		notHere = true
	}
	if !notHere {
		return
	}
	var fe *kernel.FeatureError
	if errors.As(err, &fe) && !fe.MinKernel.IsZero() {
		minKernel = fe.MinKernel
	}
	running, verr := kernel.Running()
	if verr == nil && !minKernel.IsZero() && running.AtLeast(minKernel) {
		t.Fatalf("kernel %s should support this (needs %s): %v", running, minKernel, err)
	}
	t.Skipf("kernel %s lacks it (needs %s): %v", running, minKernel, err)
}

// HasCap reports whether the calling process has capability c in its
// effective set, read from /proc/self/status.
func HasCap(c capability.Cap) bool {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "CapEff:"); ok {
			set, err := capability.ParseHex(strings.TrimSpace(v))
			return err == nil && set.Has(c)
		}
	}
	return false
}

// RequireCap skips the test unless the process has capability c.
func RequireCap(t testing.TB, c capability.Cap) {
	t.Helper()
	if !HasCap(c) {
		t.Skipf("needs %v (uid %d)", c, os.Getuid())
	}
}

// RequireRoot skips the test unless it runs as uid 0.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skipf("needs root (uid %d)", os.Getuid())
	}
}
