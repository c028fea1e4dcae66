package bench

// The cost of an allowed getpid(2) under a seccomp filter, lx's compiled
// program against libseccomp's for the same policy (exported with
// Debian's python3-seccomp by ../seccomp/testdata/libseccomp_export.py),
// and against no filter:
//
//   - policy=docker: Docker's default profile for a container without
//     capabilities, where getpid is allowed whatever its arguments, so
//     that from Linux 5.11 the kernel's action cache skips the filter;
//   - policy=rules400: 400 rules: every system call of the table allowed
//     but ioctl, allowed for a list of requests, and getpid, allowed with
//     a condition on its first argument (!= 0xdead), which keeps it out
//     of the action cache: the filter runs on every call.
//
//	./run SeccompGetpid
//
// A filter cannot be removed, so each measurement installs its program
// on a thread of its own, locked to a goroutine that ends without
// unlocking it: the Go runtime then ends the thread, and no other
// goroutine ever runs under the filter. (./run also runs each top-level
// benchmark in a process of its own.)
//
// Each sub-benchmark also reports the BPF instructions its program
// executes, counted by the interpreter below: bpf-insns/op for getpid,
// bpf-avg-insns for the average over the system calls the policy allows
// unconditionally (zero arguments), each once.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"

	"github.com/lxgo/lx/seccomp"
)

// seccompPolicies returns the two policies of the comparison for the
// native architecture.
func seccompPolicies(tb testing.TB) map[string]*seccomp.Policy {
	tb.Helper()
	prof, err := seccomp.ParseOCIProfile(seccomp.DockerDefaultProfile(), nil)
	if errors.Is(err, errors.ErrUnsupported) {
		tb.Skip(err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	a := prof.Policy.Arch
	getpid, err := a.Lookup("getpid")
	if err != nil {
		tb.Fatal(err)
	}
	eperm, err := seccomp.RetErrno(syscall.EPERM)
	if err != nil {
		tb.Fatal(err)
	}
	ioctl, err := a.Lookup("ioctl")
	if err != nil {
		tb.Fatal(err)
	}
	rules400 := &seccomp.Policy{Arch: a, Default: eperm, Rules: []seccomp.Rule{
		{Syscall: getpid, Action: seccomp.RetAllow, Conds: []seccomp.Cond{{Arg: 0, Op: seccomp.OpNotEqual, Value: 0xdead}}},
	}}
	max, _ := a.MaxSyscall()
	for nr := seccomp.Syscall(0); nr <= max && len(rules400.Rules) < 400; nr++ {
		if _, ok := a.Name(nr); ok && nr != getpid && nr != ioctl {
			rules400.Rules = append(rules400.Rules, seccomp.Rule{Syscall: nr, Action: seccomp.RetAllow})
		}
	}
	// The architectures have fewer than 400 calls: an allow list of
	// ioctl requests makes up the rest.
	for req := uint64(0x5401); len(rules400.Rules) < 400; req++ {
		rules400.Rules = append(rules400.Rules, seccomp.Rule{Syscall: ioctl, Action: seccomp.RetAllow, Conds: []seccomp.Cond{{Arg: 1, Op: seccomp.OpEqual, Value: req}}})
	}
	return map[string]*seccomp.Policy{"docker": &prof.Policy, "rules400": rules400}
}

// libseccompOps are libseccomp's names of the comparisons.
var libseccompOps = map[seccomp.Op]string{
	seccomp.OpEqual: "EQ", seccomp.OpNotEqual: "NE", seccomp.OpLess: "LT", seccomp.OpLessEqual: "LE",
	seccomp.OpGreater: "GT", seccomp.OpGreaterEqual: "GE", seccomp.OpMaskedEqual: "MASKED_EQ",
}

// libseccompProgram builds p with libseccomp; it skips tb where
// /usr/bin/python3 cannot import seccomp.
func libseccompProgram(tb testing.TB, p *seccomp.Policy) seccomp.Program {
	tb.Helper()
	dir := tb.TempDir()
	check := exec.Command("/usr/bin/python3", "-I", "-c", "import seccomp")
	check.Dir = dir
	if out, err := check.CombinedOutput(); err != nil {
		tb.Skipf("/usr/bin/python3 cannot import seccomp (python3-seccomp): %v %s", err, out)
	}
	type rule struct {
		Name   string          `json:"name"`
		Nr     seccomp.Syscall `json:"nr"`
		Action seccomp.Action  `json:"action"`
		Args   [][4]any        `json:"args"`
	}
	bad := seccomp.RetKillProcess
	if p.BadArch != nil {
		bad = *p.BadArch
	}
	spec := struct {
		Arch    uint32         `json:"arch"`
		Default seccomp.Action `json:"default"`
		BadArch seccomp.Action `json:"badarch"`
		Rules   []rule         `json:"rules"`
	}{Arch: uint32(p.Arch), Default: p.Default, BadArch: bad}
	for _, r := range p.Rules {
		name, _ := p.Arch.Name(r.Syscall)
		args := [][4]any{}
		for _, c := range r.Conds {
			x, y := c.Value, uint64(0)
			if c.Op == seccomp.OpMaskedEqual {
				x, y = c.Mask, c.Value
			}
			args = append(args, [4]any{c.Arg, libseccompOps[c.Op], x, y})
		}
		spec.Rules = append(spec.Rules, rule{name, r.Syscall, r.Action, args})
	}
	in, err := json.Marshal(spec)
	if err != nil {
		tb.Fatal(err)
	}
	script, err := filepath.Abs("../seccomp/testdata/libseccomp_export.py")
	if err != nil {
		tb.Fatal(err)
	}
	out := filepath.Join(dir, "filter.bpf")
	cmd := exec.Command("/usr/bin/python3", "-I", script, out)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		tb.Fatalf("%s: %v\n%s", script, err, stderr.Bytes())
	}
	if string(stdout) != "[]" {
		tb.Fatalf("%s left out rules %s on the native architecture", script, stdout)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	if len(raw)%8 != 0 || len(raw) == 0 {
		tb.Fatalf("%s: %d bytes of BPF", script, len(raw))
	}
	prog := make(seccomp.Program, len(raw)/8)
	for i := range prog {
		b := raw[8*i:]
		prog[i] = seccomp.Instruction{Op: binary.LittleEndian.Uint16(b), Jt: b[2], Jf: b[3], K: binary.LittleEndian.Uint32(b[4:])}
	}
	return prog
}

// steps runs prog over d as seccomp.Program.Run does, for the
// instructions lx's and libseccomp's programs use (word loads of
// seccomp_data, and, or, jumps on a constant, returns of a constant),
// and counts the instructions executed: seccomp.Program.Run does not
// report that.
func steps(prog seccomp.Program, d seccomp.Data) (seccomp.Action, int, error) {
	word := func(off uint32) (uint32, bool) {
		switch {
		case off == 0:
			return uint32(d.Nr), true
		case off == 4:
			return uint32(d.Arch), true
		case off >= 16 && off < 64 && off%4 == 0:
			return uint32(d.Args[(off-16)/8] >> (8 * ((off - 16) % 8))), true
		}
		return 0, false
	}
	var acc uint32
	n := 0
	for pc := 0; pc < len(prog); pc++ {
		n++
		in := prog[pc]
		switch in.Op {
		case 0x20: // ld [k]
			v, ok := word(in.K)
			if !ok {
				return 0, n, fmt.Errorf("instruction %d: load of offset %d", pc, in.K)
			}
			acc = v
		case 0x54: // and #k
			acc &= in.K
		case 0x44: // or #k
			acc |= in.K
		case 0x05: // ja
			pc += int(in.K)
		case 0x15, 0x25, 0x35, 0x45: // jeq, jgt, jge, jset #k
			var ok bool
			switch in.Op {
			case 0x15:
				ok = acc == in.K
			case 0x25:
				ok = acc > in.K
			case 0x35:
				ok = acc >= in.K
			default:
				ok = acc&in.K != 0
			}
			if ok {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case 0x06: // ret #k
			return seccomp.Action(in.K), n, nil
		default:
			return 0, n, fmt.Errorf("instruction %d: opcode %#x", pc, in.Op)
		}
	}
	return 0, n, errors.New("the program runs off its end")
}

// pathLengths returns the instructions prog executes for getpid with
// zero arguments and on average over the calls p allows whatever their
// arguments, after checking each decision against seccomp.Program.Run.
func pathLengths(tb testing.TB, p *seccomp.Policy, prog seccomp.Program) (getpidSteps, avg float64) {
	tb.Helper()
	getpid, _ := p.Arch.Lookup("getpid")
	total, count := 0, 0
	max, _ := p.Arch.MaxSyscall()
	for nr := seccomp.Syscall(0); nr <= max; nr++ {
		d := seccomp.Data{Nr: nr, Arch: p.Arch}
		a, n, err := steps(prog, d)
		want, runErr := prog.Run(d)
		if err != nil || runErr != nil || a != want {
			tb.Fatalf("%v: counting interpreter %v, %v; Program.Run %v, %v", d, a, err, want, runErr)
		}
		if nr == getpid {
			getpidSteps = float64(n)
		}
		if len(p.Rules) > 0 && a == seccomp.RetAllow && unconditional(p, nr) {
			total += n
			count++
		}
	}
	if count == 0 {
		tb.Fatal("no call allowed")
	}
	return getpidSteps, float64(total) / float64(count)
}

// unconditional reports whether p's first rule on nr has no conditions.
func unconditional(p *seccomp.Policy, nr seccomp.Syscall) bool {
	for _, r := range p.Rules {
		if r.Syscall == nr {
			return len(r.Conds) == 0
		}
	}
	return false
}

// TestSeccompPrograms is the answer check: lx's and libseccomp's
// programs allow getpid and agree with the policy on every system call
// number, as the counting interpreter and seccomp.Program.Run see them.
func TestSeccompPrograms(t *testing.T) {
	for name, p := range seccompPolicies(t) {
		lx, err := p.Compile()
		if err != nil {
			t.Fatal(err)
		}
		lib := libseccompProgram(t, p)
		getpid, _ := p.Arch.Lookup("getpid")
		max, _ := p.Arch.MaxSyscall()
		for nr := seccomp.Syscall(0); nr <= max+1; nr++ {
			d := seccomp.Data{Nr: nr, Arch: p.Arch}
			if nr == getpid {
				d.Args[0] = 7
			}
			want := p.Evaluate(d)
			for impl, prog := range map[string]seccomp.Program{"lx": lx, "libseccomp": lib} {
				if got, _, err := steps(prog, d); err != nil || got != want {
					t.Errorf("%s %s %+v: %v, %v; want %v", name, impl, d, got, err, want)
				}
			}
		}
		lxGetpid, lxAvg := pathLengths(t, p, lx)
		libGetpid, libAvg := pathLengths(t, p, lib)
		t.Logf("%s: lx %d instructions, getpid %.0f, average %.1f; libseccomp %d, getpid %.0f, average %.1f",
			name, len(lx), lxGetpid, lxAvg, len(lib), libGetpid, libAvg)
	}
}

// getpidLoop makes b.N getpid calls on a new thread under prog (none for
// nil), which ends with the goroutine.
func getpidLoop(b *testing.B, prog seccomp.Program) {
	var wg sync.WaitGroup
	var err error
	wg.Go(func() {
		runtime.LockOSThread() // never unlocked: the filtered thread ends here
		if prog != nil {
			if err = seccomp.Install(prog, nil); err != nil {
				return
			}
		}
		b.ResetTimer()
		for range b.N {
			if _, _, e := syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0); e != 0 {
				err = e
				return
			}
		}
		b.StopTimer()
	})
	wg.Wait()
	if err != nil {
		b.Fatal(err)
	}
}

func BenchmarkSeccompGetpid(b *testing.B) {
	b.Run("policy=none/impl=none", func(b *testing.B) { getpidLoop(b, nil) })
	for _, name := range []string{"docker", "rules400"} {
		p := seccompPolicies(b)[name]
		lx, err := p.Compile()
		if err != nil {
			b.Fatal(err)
		}
		var lib seccomp.Program
		progs := []struct {
			impl string
			prog func(b *testing.B) seccomp.Program
		}{
			{"lx", func(*testing.B) seccomp.Program { return lx }},
			{"libseccomp", func(b *testing.B) seccomp.Program {
				// b.Run calls the function once per b.N tried: build once.
				if lib == nil {
					lib = libseccompProgram(b, p)
				}
				return lib
			}},
		}
		for _, pr := range progs {
			b.Run("policy="+name+"/impl="+pr.impl, func(b *testing.B) {
				prog := pr.prog(b)
				getpid, avg := pathLengths(b, p, prog)
				getpidLoop(b, prog)
				b.ReportMetric(getpid, "bpf-insns/op")
				b.ReportMetric(avg, "bpf-avg-insns")
			})
		}
	}
}
