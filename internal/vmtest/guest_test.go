package vmtest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// The tests in this file boot guests; they run only with LX_VMTEST=1 (and
// then fail when qemu, busybox-static or a kernel is missing). They are
// parallel with each other: the hung guest idles while the matrix runs.

// TestHungGuest: a guest whose test never returns is killed at its
// timeout, and the error carries the console log and the unfinished
// package's output.
func TestHungGuest(t *testing.T) {
	ks := Require(t)
	t.Parallel()
	// Long enough to boot on a busy machine; the guest idles meanwhile.
	const timeout = 2 * time.Minute
	res, err := Run(context.Background(), []string{"internal/vmtest/testdata/hang"}, &Options{
		Kernel:      ks[0],
		Timeout:     timeout,
		TestTimeout: time.Hour, // longer than the guest lives: the guest hangs, not just the test
	})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Run = %v, want ErrTimeout", err)
	}
	var ge *GuestError
	if !errors.As(err, &ge) {
		t.Fatalf("error %T is not a *GuestError", err)
	}
	msg := err.Error()
	for _, want := range []string{"guest console", "lxvm init: running", "lxvmtest fixture: hanging now", "unfinished"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if res == nil || len(res.Console) == 0 {
		t.Fatal("no console log in the result")
	}
	if res.Elapsed > timeout+30*time.Second {
		t.Errorf("Run took %v with a timeout of %v: the guest was not killed", res.Elapsed, timeout)
	}
	p := res.Package("internal/vmtest/testdata/hang")
	if p == nil || p.Status != Fail {
		t.Fatalf("hang package result = %+v, want Fail", p)
	}
	if tr := p.Test("TestHang"); tr == nil || tr.Status != Fail {
		t.Errorf("TestHang = %+v, want Fail (started, never finished)", tr)
	}
}

// TestGuestMatrix boots every group of Packages on every kernel, building
// each group's binaries once, and replays the guest results as subtests:
// TestGuestMatrix/<kernel>/<group>/<package>/<test>.
func TestGuestMatrix(t *testing.T) {
	ks := Require(t)
	t.Parallel()
	ctx := context.Background()
	for _, g := range Groups(Selected()) {
		present, missing, err := Present(ctx, g.Packages)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range missing {
			t.Run(g.Name()+"/"+m, func(t *testing.T) { t.Skipf("package %s is not in the tree yet", m) })
		}
		if len(present) == 0 {
			continue
		}
		im, err := Build(ctx, present)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range ks {
			t.Run(k.Name+"/"+g.Name(), func(t *testing.T) {
				res, err := im.BootAgain(ctx, g.Options(k, 5*time.Minute), t.Logf)
				Report(t, res, err)
			})
		}
		if err := im.Close(); err != nil {
			t.Error(err)
		}
	}
}

// TestFailingGuest: failing, skipped and passing tests come back with
// their status and output, the host-side error carries the failing
// output, and marker lines printed by a test do not cut the results.
func TestFailingGuest(t *testing.T) {
	ks := Require(t)
	t.Parallel()
	res, err := Run(context.Background(), []string{"internal/vmtest/testdata/fail"}, &Options{Kernel: ks[0], Timeout: 5 * time.Minute})
	if !errors.Is(err, ErrTestsFailed) {
		t.Fatalf("Run = %v, want ErrTestsFailed", err)
	}
	msg := err.Error()
	for _, want := range []string{"lxvmtest fixture output 4242", "lxvmtest fixture subtest failure", "TestFail/sub"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "guest console") {
		t.Errorf("a plain test failure should not carry the console:\n%s", msg)
	}
	p := res.Package("internal/vmtest/testdata/fail")
	if p == nil {
		t.Fatal("no result for the fail package")
	}
	if p.Status != Fail || p.ExitCode != 1 {
		t.Errorf("package status %v exit %d, want fail exit 1", p.Status, p.ExitCode)
	}
	want := map[string]Status{
		"TestPass": Pass, "TestSkip": Skip, "TestForge": Pass,
		"TestFail": Fail, "TestFail/sub": Fail, "TestAfterFail": Pass,
	}
	for name, st := range want {
		tr := p.Test(name)
		if tr == nil {
			t.Errorf("%s: no result (output cut by a forged marker?)", name)
			continue
		}
		if tr.Status != st {
			t.Errorf("%s: status %v, want %v\n%s", name, tr.Status, st, tr.Output)
		}
	}
	if tr := p.Test("TestSkip"); tr != nil && tr.SkipReason() != "lxvmtest fixture skip reason" {
		t.Errorf("skip reason %q", tr.SkipReason())
	}
	if got := res.Info["release"]; !strings.HasPrefix(got, ks[0].Name+".") {
		t.Errorf("guest release %q, want %s.x", got, ks[0].Name)
	}
}
