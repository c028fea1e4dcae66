package seccomp_test

import (
	"fmt"
	"syscall"

	"github.com/lxgo/lx/seccomp"
)

func Example() {
	// The Seccomp line of /proc/PID/status of a sandboxed process.
	m, err := seccomp.Parse("2")
	fmt.Println(m, m == seccomp.ModeFilter, err)
	// Output: filter true <nil>
}

func ExamplePolicy_Compile() {
	// mkdirat fails with EPERM; write is allowed to fds 0..2 and logged
	// beyond; everything else is allowed.
	arch := seccomp.ArchAMD64 // seccomp.NativeArch() for the running program
	mkdirat, err := arch.Lookup("mkdirat")
	if err != nil {
		fmt.Println(err)
		return
	}
	write, _ := arch.Lookup("write")
	eperm, _ := seccomp.RetErrno(syscall.EPERM)
	p := &seccomp.Policy{Arch: arch, Default: seccomp.RetAllow, Rules: []seccomp.Rule{
		{Syscall: mkdirat, Action: eperm},
		{Syscall: write, Action: seccomp.RetAllow, Conds: []seccomp.Cond{{Arg: 0, Op: seccomp.OpLessEqual, Value: 2}}},
		{Syscall: write, Action: seccomp.RetLog},
	}}
	prog, err := p.Compile()
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := prog.Run(seccomp.Data{Nr: mkdirat, Arch: arch})
	fmt.Println(len(prog), "instructions; mkdirat:", a, err)
	a, _ = prog.Run(seccomp.Data{Nr: write, Arch: arch, Args: [6]uint64{7}})
	fmt.Println("write(7, ...):", a, "as the policy says:", p.Evaluate(seccomp.Data{Nr: write, Arch: arch, Args: [6]uint64{7}}))
	a, _ = prog.Run(seccomp.Data{Nr: write, Arch: seccomp.Arch386})
	fmt.Println("a 386 call:", a)
	// Output:
	// 17 instructions; mkdirat: errno(1) <nil>
	// write(7, ...): log as the policy says: log
	// a 386 call: kill-process
}

func ExampleArch_Lookup() {
	nr, err := seccomp.ArchARM64.Lookup("openat")
	fmt.Println(nr, err)
	name, ok := seccomp.ArchAMD64.Name(257)
	fmt.Println(name, ok)
	_, err = seccomp.ArchARM64.Lookup("open")
	fmt.Println(err)
	// Output:
	// 56 <nil>
	// openat true
	// seccomp: unknown system call "open" on arm64: invalid argument
}

func ExampleParseAction() {
	a, err := seccomp.ParseAction("errno(13)")
	fmt.Println(a, a.Kind(), a.Data(), err)
	// Output: errno(13) errno(0) 13 <nil>
}
