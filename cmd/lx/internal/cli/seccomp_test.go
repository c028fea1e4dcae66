package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/seccomp"
)

func TestSeccompCompileDefault(t *testing.T) {
	out, stderr, code := runLX(t, "seccomp", "compile", "--default", "--arch", "amd64", "--kernel", "6.1")
	if code != ExitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"profile       default\n", "arch          amd64\n", "default       errno(1)\n", "rules         315\n", "instructions  ", "skipped       61: chown32 ", "other arches  2: SCMP_ARCH_X86 SCMP_ARCH_X32\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "0000: ") {
		t.Errorf("program without --disasm:\n%s", out)
	}
	// With CAP_SYS_ADMIN Docker's profile allows mount, unshare, ... too.
	admin, _, code := runLX(t, "seccomp", "compile", "--default", "--arch", "amd64", "--kernel", "6.1", "--caps", "CAP_SYS_ADMIN,CAP_SYS_BOOT")
	if code != ExitOK || !strings.Contains(admin, "rules         339\n") {
		t.Errorf("--caps: exit %d:\n%s", code, admin)
	}
}

func TestSeccompCompileJSON(t *testing.T) {
	out, stderr, code := runLX(t, "--json", "seccomp", "compile", "--default", "--arch", "arm64", "--kernel", "6.1", "--disasm")
	if code != ExitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var r seccompCompileReport
	if err := decodeOne(out, &r); err != nil {
		t.Fatal(err)
	}
	prof, err := seccomp.ParseOCIProfile(seccomp.DockerDefaultProfile(), &seccomp.OCIOptions{Arch: seccomp.ArchARM64, Kernel: kernel.V(6, 1)})
	if err != nil {
		t.Fatal(err)
	}
	prog, err := prof.Policy.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if r.Profile != "default" || r.Arch != seccomp.ArchARM64 || r.Default != prof.Policy.Default || r.Rules != len(prof.Policy.Rules) ||
		r.Instructions != len(prog) || len(r.Program) != len(prog) || strings.Join(r.Program, "\n")+"\n" != prog.String() ||
		strings.Join(r.Skipped, " ") != strings.Join(prof.Skipped, " ") || strings.Join(r.OtherArches, " ") != "SCMP_ARCH_ARM" {
		t.Errorf("--json = %+v", r)
	}
	out, _, _ = runLX(t, "--json", "seccomp", "compile", "--default", "--arch", "riscv64")
	if !strings.Contains(out, `"other_arches": []`) || !strings.Contains(out, `"program": null`) {
		t.Errorf("riscv64 --json:\n%s", out)
	}
}

func TestSeccompCompileFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good\nprofile.json")
	if err := os.WriteFile(good, []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdirat", "mkdir", "no_such_call"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runLX(t, "seccomp", "compile", "--arch", "amd64", "--disasm", good)
	if code != ExitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"default       allow\n", "rules         2\n", "skipped       1: no_such_call\n", "other arches  none\n", "\n0000: ld [4]", "ret errno(13)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG", "args": [{"index": 9, "op": "SCMP_CMP_EQ"}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{bad}, ExitError, `lx seccomp compile: "` + bad + `": seccomp: OCI profile: syscalls[0].args[0].index: 9 is not 0..5`},
		{[]string{filepath.Join(dir, "none.json")}, ExitError, "no such file or directory"},
		{nil, ExitUsage, "want one profile file or --default, got 0 arguments"},
		{[]string{"--default", bad}, ExitUsage, "--default takes no profile"},
		{[]string{bad, bad}, ExitUsage, "got 2 arguments"},
		{[]string{"--default", "--arch", "s390x"}, ExitUsage, `--arch: seccomp: unknown architecture "s390x"`},
		{[]string{"--default", "--kernel", "six"}, ExitUsage, "--kernel: "},
	} {
		_, stderr, code := runLX(t, append([]string{"seccomp", "compile"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("lx seccomp compile %q: exit %d, stderr %q; want %d, %q", tc.args, code, stderr, tc.code, tc.stderr)
		}
	}
}

// TestSeccompSelf runs lx seccomp in a child under a filter on every
// thread.
func TestSeccompSelf(t *testing.T) {
	out, _, code := runLX(t, "seccomp", "--json")
	var before seccompReport
	if err := decodeOne(out, &before); err != nil || code != ExitOK || before.PID != os.Getpid() {
		t.Fatalf("exit %d, %v: %+v", code, err, before)
	}
	testutil.RunInChild(t, nil, func(t *testing.T) {
		a, err := seccomp.NativeArch()
		if err != nil {
			t.Skip(err)
		}
		prog, err := (&seccomp.Policy{Arch: a, Default: seccomp.RetAllow}).Compile()
		if err != nil {
			t.Fatal(err)
		}
		err = seccomp.Install(prog, &seccomp.InstallOptions{AllThreads: true})
		testutil.SkipIfUnsupported(t, err, kernel.V(3, 17))
		if err != nil {
			t.Fatal(err)
		}
		out, stderr, code := runLX(t, "seccomp")
		if code != ExitOK || !strings.Contains(out, "mode          filter\n") || !strings.Contains(out, "no_new_privs  true\n") {
			t.Errorf("exit %d, stderr %q:\n%s", code, stderr, out)
		}
		out, _, _ = runLX(t, "seccomp", "--json", "1")
		if !strings.Contains(out, `"pid": 1,`) {
			t.Errorf("pid 1:\n%s", out)
		}
	})
	for _, args := range [][]string{{"seccomp", "1", "2"}, {"seccomp", "-3"}} {
		if _, stderr, code := runLX(t, args...); code != ExitUsage || !strings.Contains(stderr, "usage: lx seccomp") {
			t.Errorf("lx %v: exit %d, stderr %q", args, code, stderr)
		}
	}
}
