package sys

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// kill(2).

// Kill sends sig to process pid. The caller range-checks pid: kill(2)
// gives 0 and negative values meanings of their own.
func Kill(pid int, sig syscall.Signal) error { return wrap("kill", unix.Kill(pid, sig)) }
