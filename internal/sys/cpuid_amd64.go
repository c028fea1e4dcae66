package sys

// CPUID executes the CPUID instruction with EAX = leaf and ECX = sub,
// for the assembly paths that need an instruction set extension
// (cpu.Current's RDPID, procfs's stat parser) to check for it first.
//
// Implemented in cpuid_amd64.s.
func CPUID(leaf, sub uint32) (eax, ebx, ecx, edx uint32)
