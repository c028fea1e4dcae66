package vm

import (
	"fmt"

	"github.com/lxgo/lx/internal/sys"
)

// SyncOptions are the optional arguments of Sync. nil means write the
// dirty pages and wait (MS_SYNC).
type SyncOptions struct {
	// Async schedules the writes and returns (MS_ASYNC; since Linux
	// 2.6.19 a no-op, the kernel tracks dirty pages itself).
	Async bool
	// Invalidate asks other mappings of the same file to see the new
	// data (MS_INVALIDATE); fails with EBUSY on locked pages.
	Invalidate bool
}

// Sync writes b's dirty pages of a shared file mapping back to the file,
// msync(2). b must start on a page boundary. For private and anonymous
// mappings there is nothing to write.
func Sync(b []byte, opts *SyncOptions) error {
	if err := checkAligned(b); err != nil {
		return fmt.Errorf("vm msync: %w", err)
	}
	flags := sys.MS_SYNC
	if opts != nil {
		if opts.Async {
			flags = sys.MS_ASYNC
		}
		if opts.Invalidate {
			flags |= sys.MS_INVALIDATE
		}
	}
	if err := sys.Msync(b, flags); err != nil {
		return fmt.Errorf("vm msync: %w", err)
	}
	return nil
}

// Sync is the package-level Sync for the whole region.
func (r *Region) Sync(opts *SyncOptions) error {
	if err := r.checkOpen("msync"); err != nil {
		return err
	}
	return Sync(r.b, opts)
}
