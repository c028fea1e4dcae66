package inotify

import (
	"fmt"
	"math"

	"github.com/lxgo/lx/internal/pseudofs"
)

// FS reads the inotify limits of one system's procfs. The zero value is
// not usable; use Default or NewFS.
type FS struct {
	fs pseudofs.FS
}

// Default returns the FS of the running system: /proc.
func Default() FS { return FS{fs: pseudofs.Default()} }

// NewFS returns the FS of the system whose root directory is root: "/" for
// this machine, /proc/PID/root for a container's view, a testdata tree in
// tests. It checks that root is a directory; the first read finds out
// whether the files exist.
func NewFS(root string) (FS, error) {
	pfs, err := pseudofs.NewRooted(root)
	if err != nil {
		return FS{}, fmt.Errorf("inotify open: %w", err)
	}
	return FS{fs: pfs}, nil
}

// Limits are the inotify limits of /proc/sys/fs/inotify (inotify(7)).
// They are counted per user (per real uid, in every user namespace up to
// the initial one), except MaxQueuedEvents, which bounds each instance.
type Limits struct {
	// MaxUserInstances is how many inotify instances one user may have
	// open (max_user_instances; New fails with EMFILE beyond).
	MaxUserInstances int
	// MaxUserWatches is how many watches one user may have in all of
	// its instances (max_user_watches; Add fails with ENOSPC beyond).
	MaxUserWatches int
	// MaxQueuedEvents is how many events one instance queues before it
	// drops the newer ones and reports ErrOverflow (max_queued_events).
	// The kernel reads it when an instance is created.
	MaxQueuedEvents int
}

// UserLimits reads the limits of the running system (Default).
func UserLimits() (Limits, error) { return Default().UserLimits() }

// UserLimits reads max_user_instances, max_user_watches and
// max_queued_events from /proc/sys/fs/inotify. The values of the initial
// user namespace are shown; a user namespace has its own
// max_user_instances and max_user_watches, in
// /proc/sys/user/max_inotify_instances and max_inotify_watches.
func (fs FS) UserLimits() (Limits, error) {
	var l Limits
	for _, f := range [...]struct {
		name string
		v    *int
	}{
		{"max_user_instances", &l.MaxUserInstances},
		{"max_user_watches", &l.MaxUserWatches},
		{"max_queued_events", &l.MaxQueuedEvents},
	} {
		v, err := fs.fs.ReadSysctl(math.MaxInt32, "fs", "inotify", f.name)
		if err != nil {
			return Limits{}, fmt.Errorf("inotify limits: %w", err)
		}
		*f.v = int(v)
	}
	return l, nil
}
