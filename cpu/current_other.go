//go:build !amd64

package cpu

// current is Current: only the system call exists here.
func current() (cpu, node int, err error) { return getcpu() }

func currentMethod() Method { return MethodGetcpu }
