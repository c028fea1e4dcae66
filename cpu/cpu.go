// Package cpu describes the machine's CPUs as the kernel sees them: which
// CPU numbers can exist, which are present and which are online, read from
// sysfs (/sys/devices/system/cpu).
//
// CPU lists are cpuset.Set values. The package only reads; it never
// changes which CPUs are online.
package cpu

import (
	"fmt"

	"github.com/lxgo/lx/internal/pseudofs"
)

// FS reads the CPU files of one system's sysfs. The zero value is not
// usable; use Default or NewFS.
type FS struct {
	fs pseudofs.FS
}

// Default returns the FS of the running system: /sys.
func Default() FS { return FS{fs: pseudofs.Default()} }

// NewFS returns the FS of the system whose root directory is root: "/" for
// this machine, /proc/PID/root for a container's view, a testdata tree in
// tests. The FS reads root/sys. It checks that root is a directory; the
// first read finds out whether the files exist.
func NewFS(root string) (FS, error) {
	pfs, err := pseudofs.NewRooted(root)
	if err != nil {
		return FS{}, fmt.Errorf("cpu open: %w", err)
	}
	return FS{fs: pfs}, nil
}
