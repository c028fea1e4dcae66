package seccomp_test

import (
	"fmt"

	"github.com/lxgo/lx/seccomp"
)

func Example() {
	// The Seccomp line of /proc/PID/status of a sandboxed process.
	m, err := seccomp.Parse("2")
	fmt.Println(m, m == seccomp.ModeFilter, err)
	// Output: filter true <nil>
}
