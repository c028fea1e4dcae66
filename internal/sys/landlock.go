package sys

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// landlock_create_ruleset(2).

// ProbeLandlockABI returns the highest Landlock ABI version the kernel
// supports: landlock_create_ruleset(NULL, 0,
// LANDLOCK_CREATE_RULESET_VERSION) (Linux 5.13). When Landlock is built in
// but was not enabled at boot (the "lsm=" list) the kernel answers
// EOPNOTSUPP, and the error says so.
func ProbeLandlockABI() (int, error) {
	r, err := Syscall6("landlock_create_ruleset", unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0,
		unix.LANDLOCK_CREATE_RULESET_VERSION, 0, 0, 0)
	if Errno(err) == unix.EOPNOTSUPP {
		return 0, fmt.Errorf("landlock is built in but was not enabled at boot (lsm= kernel parameter): %w", err)
	}
	if err != nil {
		return 0, err
	}
	return int(r), nil
}
