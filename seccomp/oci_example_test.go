package seccomp_test

import (
	"fmt"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/seccomp"
)

func ExampleParseOCIProfile() {
	profile := []byte(`{
		"defaultAction": "SCMP_ACT_ERRNO",
		"defaultErrnoRet": 1,
		"syscalls": [
			{"names": ["read", "write", "_llseek"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["personality"], "action": "SCMP_ACT_ALLOW",
			 "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}
		]}`)
	// Arch is NativeArch when zero; amd64 here for a fixed output.
	prof, err := seccomp.ParseOCIProfile(profile, &seccomp.OCIOptions{Arch: seccomp.ArchAMD64})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(prof.Policy.Default, len(prof.Policy.Rules), "rules; skipped:", prof.Skipped)
	for _, r := range prof.Policy.Rules {
		name, _ := prof.Policy.Arch.Name(r.Syscall)
		fmt.Println(name, r.Action, r.Conds)
	}
	// Output:
	// errno(1) 3 rules; skipped: [_llseek]
	// read allow []
	// write allow []
	// personality allow [arg0 == 0x8]
}

func ExampleDockerDefaultProfile() {
	// Docker's default profile for a container with CAP_SYS_ADMIN, on a
	// 6.1 kernel (zero: the running kernel).
	prof, err := seccomp.ParseOCIProfile(seccomp.DockerDefaultProfile(), &seccomp.OCIOptions{
		Arch:   seccomp.ArchAMD64,
		Caps:   1 << capability.SysAdmin,
		Kernel: kernel.V(6, 1),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	prog, err := prof.Policy.Compile()
	if err != nil {
		fmt.Println(err)
		return
	}
	unshare, _ := seccomp.ArchAMD64.Lookup("unshare")
	keyctl, _ := seccomp.ArchAMD64.Lookup("keyctl")
	for _, nr := range []seccomp.Syscall{unshare, keyctl} {
		a, _ := prog.Run(seccomp.Data{Nr: nr, Arch: seccomp.ArchAMD64})
		name, _ := seccomp.ArchAMD64.Name(nr)
		fmt.Println(name, a)
	}
	fmt.Println("other architectures:", prof.OtherArches)
	// Output:
	// unshare allow
	// keyctl errno(1)
	// other architectures: [SCMP_ARCH_X86 SCMP_ARCH_X32]
}
