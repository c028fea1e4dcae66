package cpu

import (
	"fmt"

	"github.com/lxgo/lx/internal/sys"
)

// Current returns the CPU the calling thread is running on and that CPU's
// NUMA node (0 on a kernel without NUMA).
//
// The answer is only stable for a goroutine locked to its thread
// (runtime.LockOSThread) whose affinity allows one CPU: otherwise the
// scheduler may move the thread to another CPU, and the runtime the
// goroutine to another thread, at any moment, even before Current
// returns. It is still useful as a hint, to pick a per-CPU shard or
// NUMA-local memory, as glibc's sched_getcpu(3) is.
//
// On amd64 Current reads the IA32_TSC_AUX register, into which Linux
// writes (node << 12 | cpu) for each CPU, with the RDPID instruction, or
// RDTSCP where the CPU lacks RDPID (CPUID tells; the vDSO's getcpu reads
// the same register). The first call checks that the register agrees
// with the getcpu(2) system call on up to two CPUs, on a throw-away
// thread pinned to each in turn, and uses getcpu(2) from then on if it
// does not (a hypervisor that does not pass the register through, a
// kernel that does not set it), if the machine may have more than 4096
// CPUs (the register has 12 bits for the CPU), or if the CPU has neither
// instruction. Elsewhere Current makes the getcpu(2) system call (Linux
// 2.6.19). CurrentMethod says which is used.
//
// Current allocates nothing. The only error is getcpu(2)'s, when a
// seccomp filter denies it.
func Current() (cpu, node int, err error) {
	return current()
}

// Method is how Current finds the CPU it runs on.
type Method uint8

// The methods of Current, fastest first.
const (
	MethodRDPID  Method = iota + 1 // the RDPID instruction (amd64)
	MethodRDTSCP                   // the RDTSCP instruction (amd64)
	MethodGetcpu                   // the getcpu(2) system call
)

var methodNames = [...]string{MethodRDPID: "rdpid", MethodRDTSCP: "rdtscp", MethodGetcpu: "getcpu"}

// String returns the method's name: "rdpid", "rdtscp" or "getcpu"; an
// unknown value is its number.
func (m Method) String() string {
	if int(m) < len(methodNames) && methodNames[m] != "" {
		return methodNames[m]
	}
	return fmt.Sprintf("%d", uint8(m))
}

// MarshalText returns the method's name.
func (m Method) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText accepts what ParseMethod accepts.
func (m *Method) UnmarshalText(b []byte) error {
	v, err := ParseMethod(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseMethod parses a method's name: "rdpid", "rdtscp" or "getcpu".
func ParseMethod(name string) (Method, error) {
	for m, n := range methodNames {
		if n != "" && n == name {
			return Method(m), nil
		}
	}
	return 0, fmt.Errorf("cpu method parse: unknown method %q: %w", name, &invalidError{errUnknownMethod})
}

// CurrentMethod returns the method Current uses on this machine, making
// the first-use check if Current has not run yet.
func CurrentMethod() Method { return currentMethod() }

// getcpu is Current by the system call.
func getcpu() (cpu, node int, err error) {
	cpu, node, err = sys.Getcpu()
	if err != nil {
		return 0, 0, fmt.Errorf("cpu current: %w", err)
	}
	return cpu, node, nil
}
