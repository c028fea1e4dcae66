package seccomp

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/internal/thread"
	"github.com/lxgo/lx/kernel"
)

func lookup(t *testing.T, a Arch, name string) Syscall {
	t.Helper()
	nr, err := a.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return nr
}

func TestParseOCIProfile(t *testing.T) {
	a := ArchAMD64
	read, write, open, clone, getpid := lookup(t, a, "read"), lookup(t, a, "write"), lookup(t, a, "open"), lookup(t, a, "clone"), lookup(t, a, "getpid")
	eacces := mustErrno(t, syscall.EACCES)
	eperm := mustErrno(t, syscall.EPERM)
	for _, tc := range []struct {
		name, json string
		opts       OCIOptions
		want       OCIProfile
	}{{
		name: "actions",
		json: `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13, "syscalls": [
			{"names": ["read"], "action": "SCMP_ACT_KILL"},
			{"names": ["write"], "action": "SCMP_ACT_KILL_PROCESS"},
			{"names": ["open"], "action": "SCMP_ACT_TRACE", "errnoRet": 7},
			{"names": ["clone"], "action": "SCMP_ACT_ERRNO"},
			{"name": "getpid", "action": "SCMP_ACT_NOTIFY"}]}`,
		want: OCIProfile{Policy: Policy{Arch: a, Default: eacces, Rules: []Rule{
			{Syscall: read, Action: RetKillThread},
			{Syscall: write, Action: RetKillProcess},
			{Syscall: open, Action: RetTrace(7)},
			{Syscall: clone, Action: eperm},
			{Syscall: getpid, Action: RetUserNotif},
		}}},
	}, {
		name: "args",
		json: `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
			{"names": ["read", "write"], "action": "SCMP_ACT_LOG", "args": [
				{"index": 0, "value": 3, "op": "SCMP_CMP_GE"},
				{"index": 2, "value": 255, "valueTwo": 16, "op": "SCMP_CMP_MASKED_EQ"}]},
			{"names": ["open"], "action": "SCMP_ACT_TRAP", "args": [
				{"index": 1, "value": 1, "op": "SCMP_CMP_EQ"},
				{"index": 1, "value": 2, "op": "SCMP_CMP_NE"}]}]}`,
		want: OCIProfile{Policy: Policy{Arch: a, Default: RetAllow, Rules: []Rule{
			{Syscall: read, Action: RetLog, Conds: []Cond{{Arg: 0, Op: OpGreaterEqual, Value: 3}, {Arg: 2, Op: OpMaskedEqual, Mask: 255, Value: 16}}},
			{Syscall: write, Action: RetLog, Conds: []Cond{{Arg: 0, Op: OpGreaterEqual, Value: 3}, {Arg: 2, Op: OpMaskedEqual, Mask: 255, Value: 16}}},
			// runc: an index named twice is one rule per arg.
			{Syscall: open, Action: RetTrap, Conds: []Cond{{Arg: 1, Op: OpEqual, Value: 1}}},
			{Syscall: open, Action: RetTrap, Conds: []Cond{{Arg: 1, Op: OpNotEqual, Value: 2}}},
		}}},
	}, {
		name: "order",
		json: `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
			{"names": ["read"], "action": "SCMP_ACT_LOG", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
			{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["write"], "action": "SCMP_ACT_LOG"},
			{"names": ["open"], "action": "SCMP_ACT_ERRNO"},
			{"names": ["open"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 5, "op": "SCMP_CMP_LT"}]},
			{"names": ["open"], "action": "SCMP_ACT_LOG", "args": [{"index": 0, "value": 9, "op": "SCMP_CMP_LE"}]},
			{"names": ["open"], "action": "SCMP_ACT_KILL", "args": [{"index": 0, "value": 9, "op": "SCMP_CMP_GT"}]}]}`,
		// read's rule with args gives way to its rule without; write keeps
		// its first action; the rule with the default action goes.
		want: OCIProfile{Policy: Policy{Arch: a, Default: eperm, Rules: []Rule{
			{Syscall: read, Action: RetAllow},
			{Syscall: write, Action: RetAllow},
			{Syscall: open, Action: RetAllow, Conds: []Cond{{Arg: 0, Op: OpLess, Value: 5}}},
			{Syscall: open, Action: RetLog, Conds: []Cond{{Arg: 0, Op: OpLessEqual, Value: 9}}},
			{Syscall: open, Action: RetKillThread, Conds: []Cond{{Arg: 0, Op: OpGreater, Value: 9}}},
		}}},
	}, {
		name: "unknown names",
		json: `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
			{"names": ["no_such_call", "read", "_llseek"], "action": "SCMP_ACT_LOG"},
			{"names": ["_llseek"], "action": "SCMP_ACT_TRAP"}]}`,
		want: OCIProfile{Policy: Policy{Arch: a, Default: RetAllow, Rules: []Rule{
			{Syscall: read, Action: RetLog},
		}}, Skipped: []string{"no_such_call", "_llseek"}},
	}, {
		name: "docker filters",
		json: `{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [
				{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
				{"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
			"syscalls": [
			{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_CHOWN", "CAP_KILL"]}},
			{"names": ["write"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_CHOWN", "CAP_SETUID"]}},
			{"names": ["open"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_SETUID", "CAP_KILL"]}},
			{"names": ["clone"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm64", "amd64"], "minKernel": "5.10"}},
			{"names": ["getpid"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "5.11"}},
			{"names": ["getpid"], "action": "SCMP_ACT_LOG", "excludes": {"arches": ["x86"], "minKernel": "5.11"}},
			{"names": ["read"], "action": "SCMP_ACT_TRAP", "excludes": {"arches": ["amd64"]}}]}`,
		opts: OCIOptions{Caps: capability.Set(1<<capability.Chown | 1<<capability.Kill), Kernel: kernel.Version{Major: 5, Minor: 10, Patch: 200}},
		want: OCIProfile{Policy: Policy{Arch: a, Default: eperm, Rules: []Rule{
			{Syscall: read, Action: RetAllow},
			{Syscall: clone, Action: RetAllow},
			{Syscall: getpid, Action: RetLog},
		}}, OtherArches: []string{"SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
	}, {
		name: "architectures",
		json: `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]}`,
		want: OCIProfile{Policy: Policy{Arch: a, Default: RetAllow}, OtherArches: []string{"SCMP_ARCH_X86"}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Arch = a
			got, err := ParseOCIProfile([]byte(tc.json), &opts)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

func TestParseOCIProfileBad(t *testing.T) {
	for _, tc := range []struct{ json, arch, want string }{
		{`{"defaultAction": "SCMP_ACT_ALLOW"`, "", "unexpected end of JSON input"},
		{`[]`, "", "cannot unmarshal array"},
		{`{}`, "", "defaultAction: missing"},
		{`{"defaultAction": "SCMP_ACT_NOPE"}`, "", `defaultAction: unknown action "SCMP_ACT_NOPE"`},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1}`, "", "defaultAction: errnoRet with SCMP_ACT_ALLOW"},
		{`{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 4096}`, "", "defaultAction: errno 4096"},
		{`{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -1}`, "", "cannot unmarshal number -1"},
		{`{"defaultAction": "SCMP_ACT_TRACE", "defaultErrnoRet": 65536}`, "", "defaultAction: message 65536"},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["X86"]}`, "", `architectures[0]: unknown architecture "X86"`},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86"], "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]}`, "", "archMap: both"},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_"]}]}`, "", `archMap[0].subArchitectures[0]: unknown architecture "SCMP_ARCH_"`},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"]}]}`, "", "syscalls[0].action: missing"},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_KILL", "errnoRet": 1}]}`, "", "syscalls[0].action: errnoRet with SCMP_ACT_KILL"},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"name": "read", "names": ["read"], "action": "SCMP_ACT_KILL"}]}`, "", "syscalls[0]: both name and names"},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": "read", "action": "SCMP_ACT_KILL"}]}`, "", "syscalls[0]: json: cannot unmarshal string"},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_KILL"}, {"names": ["read"], "action": "SCMP_ACT_LOG", "args": [{"index": 0, "op": "SCMP_CMP_FOO"}]}]}`, "", `syscalls[1].args[0].op: unknown operator "SCMP_CMP_FOO"`},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG", "args": [{"index": 6, "op": "SCMP_CMP_EQ"}]}]}`, "", "syscalls[0].args[0].index: 6 is not 0..5"},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG", "args": [{"op": "SCMP_CMP_EQ"}]}]}`, "", "syscalls[0].args[0].index: missing"},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG", "args": [{"index": 0}]}]}`, "", "syscalls[0].args[0].op: missing"},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG", "args": [{"index": 0, "value": 18446744073709551616, "op": "SCMP_CMP_EQ"}]}]}`, "", "syscalls[0].args[0]: json: cannot unmarshal number 18446744073709551616"},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG", "args": [{"index": 0, "value": 4294967296, "op": "SCMP_CMP_EQ"}]}]}`, "386", "syscalls[0].args[0]: arg0 == 0x100000000 is wider than 386's 32-bit arguments"},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG", "includes": {"minKernel": "5"}}]}`, "", `syscalls[0].includes.minKernel: kernel version "5" is not`},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG", "excludes": {"minKernel": "0.0"}}]}`, "", `syscalls[0].excludes.minKernel: kernel version "0.0" is not`},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG", "excludes": {"minKernel": 5.1}}]}`, "", `syscalls[0]: json: cannot unmarshal number`},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read", "nope"], "action": "SCMP_ACT_LOG"}]}`, "reject", `syscalls[0].names[1]: unknown system call "nope" on amd64`},
	} {
		opts := OCIOptions{Arch: ArchAMD64, Kernel: kernel.V(6, 1)}
		switch tc.arch {
		case "386":
			opts.Arch = Arch386
		case "reject":
			opts.Unknown = RejectUnknown
		}
		got, err := ParseOCIProfile([]byte(tc.json), &opts)
		if err == nil || !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "seccomp: OCI profile: ") {
			t.Errorf("ParseOCIProfile(%s) error = %v, want one wrapping fs.ErrInvalid with %q", tc.json, err, tc.want)
		}
		if !reflect.DeepEqual(got, OCIProfile{}) {
			t.Errorf("ParseOCIProfile(%s) = %+v with its error, want nothing", tc.json, got)
		}
	}
	if _, err := ParseOCIProfile([]byte(`{"defaultAction": "SCMP_ACT_ALLOW"}`), &OCIOptions{Arch: Arch(0x1234)}); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("unknown Arch: error = %v, want fs.ErrInvalid", err)
	}
}

func TestUnknownSyscallsString(t *testing.T) {
	for u, want := range map[UnknownSyscalls]string{SkipUnknown: "skip", RejectUnknown: "reject", 9: "unknown-syscalls(9)"} {
		if got := u.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", uint8(u), got, want)
		}
	}
}

// dockerSamples returns calls to check the Docker default profile's
// program on: every number of the table (and a few past it) with zero
// arguments, and the calls with argument rules with their interesting
// values and random ones.
func dockerSamples(a Arch, rng *rand.Rand) []Data {
	var ds []Data
	max, _ := a.MaxSyscall()
	for nr := Syscall(0); nr <= max+3; nr++ {
		ds = append(ds, Data{Nr: nr, Arch: a})
	}
	values := []uint64{0, 1, 8, 37, 38, 39, 40, 41, 0x20000, 0x20008, 0xffffffff, 0x1_0000_0000, 0x7e020000, 0x10000000, 0x11, 1 << 63}
	for _, name := range []string{"socket", "personality", "clone", "clone3", "ptrace", "unshare"} {
		nr, err := a.Lookup(name)
		if err != nil {
			continue
		}
		for i := range 64 {
			var d Data
			d.Nr, d.Arch = nr, a
			for j := range d.Args {
				if i%2 == 0 {
					d.Args[j] = values[rng.IntN(len(values))]
				} else {
					d.Args[j] = rng.Uint64() >> rng.IntN(64)
				}
			}
			ds = append(ds, d)
		}
	}
	ds = append(ds, Data{Nr: 1, Arch: Arch(0x1234)})
	return ds
}

// TestDockerDefaultProfile parses and compiles Docker's default profile
// for each architecture, with and without CAP_SYS_ADMIN, and checks the
// program against the policy.
func TestDockerDefaultProfile(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, a := range Arches() {
		for _, caps := range []capability.Set{0, 1<<capability.SysAdmin | 1<<capability.SysPtrace} {
			prof, err := ParseOCIProfile(DockerDefaultProfile(), &OCIOptions{Arch: a, Caps: caps, Kernel: kernel.V(6, 1)})
			if err != nil {
				t.Fatalf("%v: %v", a, err)
			}
			p := &prof.Policy
			if len(p.Rules) < 250 {
				t.Errorf("%v: %d rules, want 250 and more", a, len(p.Rules))
			}
			prog, err := p.Compile()
			if err != nil {
				t.Fatalf("%v: %v", a, err)
			}
			if len(prog) > MaxInstructions {
				t.Errorf("%v: %d instructions", a, len(prog))
			}
			t.Logf("%v caps %v: %d rules, %d instructions, skipped %v, other arches %v", a, caps, len(p.Rules), len(prog), prof.Skipped, prof.OtherArches)
			for _, d := range dockerSamples(a, rng) {
				got, err := prog.Run(d)
				if want := p.Evaluate(d); err != nil || got != want {
					t.Fatalf("%v: %+v: program %v, %v; policy %v", a, d, got, err, want)
				}
			}
			// Docker's decisions, which the policy must keep.
			eperm, enosys := mustErrno(t, syscall.EPERM), mustErrno(t, syscall.ENOSYS)
			check := func(name string, args [6]uint64, want Action) {
				t.Helper()
				nr, err := a.Lookup(name)
				if err != nil {
					t.Fatal(err)
				}
				if got := p.Evaluate(Data{Nr: nr, Arch: a, Args: args}); got != want {
					t.Errorf("%v caps %v: %s%v = %v, want %v", a, caps, name, args, got, want)
				}
			}
			admin := caps != 0
			check("getpid", [6]uint64{}, RetAllow)
			check("add_key", [6]uint64{}, eperm)
			check("keyctl", [6]uint64{}, eperm)
			check("socket", [6]uint64{1}, RetAllow)
			check("socket", [6]uint64{40}, eperm) // AF_VSOCK
			check("personality", [6]uint64{8}, RetAllow)
			check("personality", [6]uint64{9}, eperm)
			if admin {
				check("unshare", [6]uint64{0x10000000}, RetAllow)
				check("clone3", [6]uint64{}, RetAllow)
				check("clone", [6]uint64{0x10000000}, RetAllow)
			} else {
				check("unshare", [6]uint64{0x10000000}, eperm)
				check("clone3", [6]uint64{}, enosys)
				check("clone", [6]uint64{0x10000000 | 0x11}, eperm) // CLONE_NEWUSER|SIGCHLD
				check("clone", [6]uint64{0x11}, RetAllow)
			}
		}
	}
}

// TestDockerDefaultProfileSkipped checks what Docker's profile makes for
// amd64: the 32-bit calls it lists for 386 are skipped, amd64's own
// calls are allowed, and the sub-architectures are reported.
func TestDockerDefaultProfileSkipped(t *testing.T) {
	prof, err := ParseOCIProfile(DockerDefaultProfile(), &OCIOptions{Arch: ArchAMD64, Kernel: kernel.V(6, 1)})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"_llseek", "ugetrlimit", "socketcall", "mmap2"} {
		if !slices.Contains(prof.Skipped, name) {
			t.Errorf("%q not skipped: %v", name, prof.Skipped)
		}
	}
	for _, name := range []string{"read", "openat", "getpid", "arch_prctl", "modify_ldt"} {
		nr := lookup(t, ArchAMD64, name)
		if got := prof.Policy.Evaluate(Data{Nr: nr, Arch: ArchAMD64}); got != RetAllow {
			t.Errorf("%s = %v, want allow", name, got)
		}
	}
	if !reflect.DeepEqual(prof.OtherArches, []string{"SCMP_ARCH_X86", "SCMP_ARCH_X32"}) {
		t.Errorf("other arches %v", prof.OtherArches)
	}
}

// TestDockerDefaultProfileKernel installs Docker's default profile (for a
// container without capabilities) on a thread of a child and checks the
// kernel's answers there.
func TestDockerDefaultProfileKernel(t *testing.T) {
	prof, err := ParseOCIProfile(DockerDefaultProfile(), nil)
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	prog, err := prof.Policy.Compile()
	if err != nil {
		t.Fatal(err)
	}
	a := prof.Policy.Arch
	call := func(name string, args ...uintptr) syscall.Errno {
		var v [6]uintptr
		copy(v[:], args)
		_, _, e := syscall.RawSyscall6(uintptr(lookup(t, a, name)), v[0], v[1], v[2], v[3], v[4], v[5])
		return e
	}
	testutil.RunInChild(t, nil, func(t *testing.T) {
		err := thread.Run(func(th *thread.Thread) error {
			th.Taint()
			if err := Install(prog, nil); err != nil {
				return err
			}
			if e := call("getpid"); e != 0 {
				t.Errorf("getpid: %v", e)
			}
			if _, err := os.ReadFile("/proc/self/status"); err != nil {
				t.Errorf("read a file: %v", err)
			}
			for _, c := range []struct {
				name string
				args []uintptr
				want syscall.Errno
			}{
				{"add_key", nil, syscall.EPERM},
				{"keyctl", nil, syscall.EPERM},
				{"unshare", []uintptr{syscall.CLONE_NEWUSER}, syscall.EPERM},
				{"unshare", []uintptr{syscall.CLONE_NEWNS}, syscall.EPERM},
				{"socket", []uintptr{40, syscall.SOCK_STREAM}, syscall.EPERM}, // AF_VSOCK
				{"clone3", nil, syscall.ENOSYS},
				{"personality", []uintptr{0x1234}, syscall.EPERM},
			} {
				if got := call(c.name, c.args...); got != c.want {
					t.Errorf("%s%v = %v, want %v", c.name, c.args, got, c.want)
				}
			}
			return nil
		})
		testutil.SkipIfUnsupported(t, err, kernel.V(4, 14))
		if err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseOCIProfile(f *testing.F) {
	f.Add([]byte(`{"defaultAction": "SCMP_ACT_ALLOW"}`))
	f.Add([]byte(`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG", "args": [{"index": 5, "value": 3, "valueTwo": 1, "op": "SCMP_CMP_MASKED_EQ"}, {"index": 5, "op": "SCMP_CMP_NE"}], "includes": {"caps": ["CAP_CHOWN"], "minKernel": "4.8"}, "excludes": {"arches": ["x86"]}}]}`))
	f.Add(DockerDefaultProfile())
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, a := range []Arch{ArchAMD64, ArchARM} {
			prof, err := ParseOCIProfile(data, &OCIOptions{Arch: a, Caps: 1 << capability.Chown, Kernel: kernel.V(5, 10)})
			if err != nil {
				if !errors.Is(err, fs.ErrInvalid) || !reflect.DeepEqual(prof, OCIProfile{}) {
					t.Fatalf("ParseOCIProfile(%q) = %+v, %v", data, prof, err)
				}
				continue
			}
			if err := prof.Policy.Validate(); err != nil {
				t.Fatalf("ParseOCIProfile(%q) = an invalid policy: %v", data, err)
			}
		}
	})
}
