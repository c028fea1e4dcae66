package seccomp

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/kernel"
)

// python is Debian's interpreter, whose python3-seccomp package binds
// libseccomp.
const python = "/usr/bin/python3"

// requireLibseccomp skips the test unless python3-seccomp can be imported.
func requireLibseccomp(t *testing.T) {
	t.Helper()
	cmd := exec.Command(python, "-I", "-c", "import seccomp")
	cmd.Dir = t.TempDir()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("%s cannot import seccomp (Debian's python3-seccomp): %v %s", python, err, out)
	}
}

var libseccompOps = map[Op]string{
	OpEqual: "EQ", OpNotEqual: "NE", OpLess: "LT", OpLessEqual: "LE",
	OpGreater: "GT", OpGreaterEqual: "GE", OpMaskedEqual: "MASKED_EQ",
}

// libseccompProgram builds p's rules with libseccomp through
// testdata/libseccomp_export.py and returns its BPF program and the
// indexes of the rules libseccomp's tables lack on a foreign arch.
func libseccompProgram(t *testing.T, p *Policy) (Program, []int) {
	t.Helper()
	type rule struct {
		Name   string   `json:"name"`
		Nr     Syscall  `json:"nr"`
		Action Action   `json:"action"`
		Args   [][4]any `json:"args"`
	}
	spec := struct {
		Arch    uint32 `json:"arch"`
		Default Action `json:"default"`
		BadArch Action `json:"badarch"`
		Rules   []rule `json:"rules"`
	}{Arch: uint32(p.Arch), Default: p.Default, BadArch: p.badArch()}
	for _, r := range p.Rules {
		name, ok := p.Arch.Name(r.Syscall)
		if !ok {
			t.Fatalf("no name for %d", r.Syscall)
		}
		args := [][4]any{}
		for _, c := range r.Conds {
			a, b := c.Value, uint64(0)
			if c.Op == OpMaskedEqual {
				a, b = c.Mask, c.Value
			}
			args = append(args, [4]any{c.Arg, libseccompOps[c.Op], a, b})
		}
		spec.Rules = append(spec.Rules, rule{name, r.Syscall, r.Action, args})
	}
	in, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("testdata/libseccomp_export.py")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "filter.bpf")
	cmd := exec.Command(python, "-I", script, out)
	cmd.Dir = t.TempDir()
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, stderr.Bytes())
	}
	var dropped []int
	if err := json.Unmarshal(stdout, &dropped); err != nil {
		t.Fatalf("%s: %v: %q", script, err, stdout)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := decodeProgram(raw)
	if err != nil {
		t.Fatal(err)
	}
	return prog, dropped
}

// decodeProgram reads struct sock_filter instructions in the
// little-endian layout of the five architectures.
func decodeProgram(raw []byte) (Program, error) {
	if len(raw)%8 != 0 || len(raw) == 0 {
		return nil, syscall.EINVAL
	}
	prog := make(Program, len(raw)/8)
	for i := range prog {
		b := raw[8*i:]
		prog[i] = Instruction{Op: binary.LittleEndian.Uint16(b), Jt: b[2], Jf: b[3], K: binary.LittleEndian.Uint32(b[4:])}
	}
	return prog, nil
}

// agreementSamples returns calls to compare decisions on: every number
// of p's table and a few past it, x32's and -1 on amd64, another
// architecture, and for the calls with conditions arguments drawn from
// the conditions' values, their neighbours, their high words flipped,
// and random numbers.
func agreementSamples(p *Policy, rng *rand.Rand) []Data {
	a := p.Arch
	var ds []Data
	max, _ := a.MaxSyscall()
	for nr := Syscall(0); nr <= max+3; nr++ {
		ds = append(ds, Data{Nr: nr, Arch: a, Args: [6]uint64{rng.Uint64(), rng.Uint64() >> 32}})
	}
	ds = append(ds, Data{Nr: X32SyscallBit, Arch: a}, Data{Nr: X32SyscallBit + 1, Arch: a}, Data{Nr: skipSyscall, Arch: a}, Data{Nr: 1, Arch: ArchARM64 ^ a ^ ArchAMD64})
	pool := []uint64{0, 1, 2, 0xffffffff, 1 << 32, 1<<32 + 1, 1 << 63, ^uint64(0)}
	calls := map[Syscall]bool{}
	for _, r := range p.Rules {
		if len(r.Conds) == 0 {
			continue
		}
		calls[r.Syscall] = true
		for _, c := range r.Conds {
			for _, v := range []uint64{c.Value, c.Mask, c.Value | c.Mask} {
				pool = append(pool, v, v+1, v-1, v^1<<32, v|0xffffffff<<32, ^v)
			}
		}
	}
	for nr := range calls {
		for range 300 {
			d := Data{Nr: nr, Arch: a}
			for j := range d.Args {
				if rng.IntN(4) == 0 {
					d.Args[j] = rng.Uint64() >> rng.IntN(64)
				} else {
					d.Args[j] = pool[rng.IntN(len(pool))]
				}
			}
			ds = append(ds, d)
		}
	}
	return ds
}

// checkAgreement compiles p with lx and with libseccomp and checks that
// both programs, run by lx's interpreter, decide as p.Evaluate does.
func checkAgreement(t *testing.T, p Policy, rng *rand.Rand) {
	t.Helper()
	lib, dropped := libseccompProgram(t, &p)
	if len(dropped) != 0 {
		// libseccomp's table lacks these calls on a foreign arch: leave
		// them out of lx's policy too.
		var rules []Rule
		for i, r := range p.Rules {
			if !slices.Contains(dropped, i) {
				rules = append(rules, r)
			}
		}
		t.Logf("%v: %d rules on calls libseccomp does not know left out", p.Arch, len(dropped))
		p.Rules = rules
	}
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range agreementSamples(&p, rng) {
		want := p.Evaluate(d)
		got, err := prog.Run(d)
		if err != nil || got != want {
			t.Fatalf("%v %+v: lx's program %v, %v; policy %v", p.Arch, d, got, err, want)
		}
		libGot, err := lib.Run(d)
		if err != nil || libGot != want {
			name, _ := p.Arch.Name(d.Nr)
			t.Fatalf("%v %s %+v: libseccomp's program %v, %v; lx's and the policy %v", p.Arch, name, d, libGot, err, want)
		}
		n++
	}
	t.Logf("%v: %d rules, %d calls agree; lx %d instructions, libseccomp %d", p.Arch, len(p.Rules), n, len(prog), len(lib))
}

// TestLibseccompAgreement builds one policy with each rule kind for each
// architecture and checks that lx's program and libseccomp's decide
// alike.
func TestLibseccompAgreement(t *testing.T) {
	requireLibseccomp(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, a := range Arches() {
		nr := func(name string) Syscall { return lookup(t, a, name) }
		big := uint64(0x1_0000_0000) // the high word matters on a 64-bit arch
		if !a.Is64Bit() {
			big = 0x8000_0000
		}
		p := Policy{Arch: a, Default: mustErrno(t, syscall.EPERM), Rules: []Rule{
			// An allow list.
			{Syscall: nr("read"), Action: RetAllow},
			{Syscall: nr("write"), Action: RetAllow},
			{Syscall: nr("close"), Action: RetAllow},
			{Syscall: nr("getpid"), Action: RetAllow},
			{Syscall: nr("exit_group"), Action: RetAllow},
			// errno for a call, and the other actions.
			{Syscall: nr("mkdirat"), Action: mustErrno(t, syscall.EACCES)},
			{Syscall: nr("reboot"), Action: RetKillThread},
			{Syscall: nr("acct"), Action: RetKillProcess},
			{Syscall: nr("pivot_root"), Action: RetTrap},
			{Syscall: nr("setns"), Action: RetTrace(5)},
			{Syscall: nr("unshare"), Action: RetLog},
			{Syscall: nr("swapon"), Action: RetUserNotif},
			// ==, !=, <, >=, masked ==, and two conditions.
			{Syscall: nr("ioctl"), Action: RetAllow, Conds: []Cond{{Arg: 1, Op: OpEqual, Value: 0x5401}}},
			{Syscall: nr("ioctl"), Action: RetLog, Conds: []Cond{{Arg: 1, Op: OpEqual, Value: big | 0x5402}}},
			{Syscall: nr("fcntl"), Action: RetAllow, Conds: []Cond{{Arg: 1, Op: OpNotEqual, Value: 4}}},
			{Syscall: nr("lseek"), Action: RetAllow, Conds: []Cond{{Arg: 2, Op: OpLess, Value: 3}}},
			{Syscall: nr("kill"), Action: mustErrno(t, syscall.EINVAL), Conds: []Cond{{Arg: 1, Op: OpGreaterEqual, Value: 32}}},
			{Syscall: nr("kill"), Action: RetAllow, Conds: []Cond{{Arg: 0, Op: OpGreaterEqual, Value: big + 7}}},
			{Syscall: nr("madvise"), Action: RetLog, Conds: []Cond{{Arg: 2, Op: OpMaskedEqual, Mask: 0xf0, Value: 0x10}}},
			{Syscall: nr("mprotect"), Action: RetAllow, Conds: []Cond{{Arg: 2, Op: OpMaskedEqual, Mask: big | 0xf, Value: big | 0x1}}},
			{Syscall: nr("openat"), Action: mustErrno(t, syscall.EROFS), Conds: []Cond{{Arg: 2, Op: OpMaskedEqual, Mask: 3, Value: 1}, {Arg: 3, Op: OpLess, Value: 0o645}}},
			{Syscall: nr("openat"), Action: RetAllow, Conds: []Cond{{Arg: 2, Op: OpMaskedEqual, Mask: 3, Value: 0}}},
		}}
		checkAgreement(t, p, rng)
	}
}

// TestLibseccompAgreementDocker compares lx's and libseccomp's programs
// for Docker's default profile on each architecture.
func TestLibseccompAgreementDocker(t *testing.T) {
	requireLibseccomp(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, a := range Arches() {
		for _, caps := range []capability.Set{0, 1 << capability.SysAdmin} {
			prof, err := ParseOCIProfile(DockerDefaultProfile(), &OCIOptions{Arch: a, Caps: caps, Kernel: kernel.V(6, 1)})
			if err != nil {
				t.Fatal(err)
			}
			checkAgreement(t, prof.Policy, rng)
		}
	}
}
