package vmtest

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// Enabled reports whether guest tests were asked for: LX_VMTEST=1.
func Enabled() bool { return os.Getenv("LX_VMTEST") == "1" }

// Require skips t unless LX_VMTEST=1. When it is set (CI sets it), a
// missing qemu, busybox-static or kernel FAILS t with the command that
// fixes it, instead of skipping: CI asked for guest tests. It returns the
// cached kernels.
func Require(t testing.TB) []Kernel {
	t.Helper()
	if !Enabled() {
		t.Skip("guest tests are opt-in: set LX_VMTEST=1 (needs qemu-system-x86, busybox-static and " + FetchCommand + ")")
		return nil
	}
	var problems []string
	if _, err := QemuPath(); err != nil {
		problems = append(problems, err.Error())
	}
	if err := checkBusybox(); err != nil {
		problems = append(problems, err.Error())
	}
	ks, err := Kernels()
	if err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		t.Fatalf("LX_VMTEST=1 but the guest cannot run:\n\t%s", strings.Join(problems, "\n\t"))
		return nil
	}
	return ks
}

// Report replays a guest's results in t: one subtest per package and,
// inside it, one per top-level test, each passing, skipping or failing as
// in the guest with the guest's output in its log. A subtest's own
// results are logged by its top-level test. An error from Boot or Run
// other than failed tests (timeout, crash, qemu) fails t with its message,
// which carries the console log.
func Report(t *testing.T, res *Result, err error) {
	t.Helper()
	if res != nil {
		t.Logf("guest %s (%s): %s in %v", res.Kernel.Name, res.Kernel.Version, strings.Join(res.sortedInfo(), " "), res.Elapsed.Round(100_000_000))
		for _, p := range res.Packages {
			t.Run(strings.TrimPrefix(p.Package, Module+"/"), func(t *testing.T) { reportPackage(t, p) })
		}
	}
	if err != nil && !errors.Is(err, ErrTestsFailed) {
		t.Error(err)
	}
}

func reportPackage(t *testing.T, p *PackageResult) {
	switch p.Status {
	case NotRun:
		t.Fatal("the guest stopped before this package ran")
	case Skip:
		t.Skip(strings.TrimSpace(p.Output))
	}
	top := 0
	for _, tr := range p.Tests {
		if strings.Contains(tr.Name, "/") {
			continue
		}
		top++
		subs := subtests(p, tr.Name)
		t.Run(tr.Name, func(t *testing.T) {
			t.Log("guest output:\n" + tr.Output + subs)
			switch tr.Status {
			case Fail:
				t.Fail()
			case Skip:
				t.SkipNow()
			}
		})
	}
	if p.Status == Fail {
		failedTest := false
		for _, tr := range p.Tests {
			failedTest = failedTest || tr.Status == Fail
		}
		if !failedTest {
			// The binary failed outside any test: a leak check in
			// TestMain, a panic in init, a build for the wrong kernel.
			t.Errorf("test binary exited with status %d:\n%s", p.ExitCode, p.Output)
		}
	}
	if top == 0 && p.Status == Pass {
		t.Log("no tests ran:\n" + p.Output)
	}
}

// subtests returns the output of name's subtests, for the parent's log.
func subtests(p *PackageResult, name string) string {
	var b strings.Builder
	for _, tr := range p.Tests {
		if strings.HasPrefix(tr.Name, name+"/") {
			b.WriteString(tr.Output)
		}
	}
	return b.String()
}
