package vm

import (
	"fmt"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// ClearSoftDirty clears the soft-dirty bit of every page of process pid
// (os.Getpid() for the calling process) by writing "4" to
// /proc/PID/clear_refs (soft-dirty.rst, Linux 3.11 with
// CONFIG_MEM_SOFT_DIRTY): from then on Entry.SoftDirty and PageSoftDirty
// report exactly the pages written since. The kernel write-protects the
// pages to notice the next write, so the first write to each page costs
// a fault. The whole process is affected. A kernel built without
// CONFIG_MEM_SOFT_DIRTY accepts the write and never sets the bit (a page
// of a new mapping is soft-dirty where the kernel tracks it). Writing needs the file's
// owner (the process's uid) or CAP_DAC_OVERRIDE, and ptrace access to
// the process. With opts.PidFD the process is checked to be alive after
// the file is opened.
func ClearSoftDirty(pid int, opts *PagemapOptions) error {
	if err := kernel.CheckPID(pid); err != nil {
		return fmt.Errorf("soft-dirty clear: %w", err)
	}
	fd, err := openProcFile(pid, "clear_refs", sys.O_WRONLY, opts.pidfd())
	if err != nil {
		return fmt.Errorf("soft-dirty clear: %w", err)
	}
	defer fd.Close()
	if _, err := sys.Write(fd.Int(), []byte("4")); err != nil {
		return fmt.Errorf("soft-dirty clear of %d: %w", pid, err)
	}
	return nil
}
