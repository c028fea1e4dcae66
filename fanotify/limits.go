package fanotify

import (
	"fmt"
	"math"

	"github.com/lxgo/lx/internal/pseudofs"
)

// FS reads the fanotify limits of one system's procfs. The zero value is
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
		return FS{}, fmt.Errorf("fanotify open: %w", err)
	}
	return FS{fs: pfs}, nil
}

// Limits are the fanotify limits of /proc/sys/fs/fanotify (Linux 5.13;
// before, the same limits were fixed: 128 groups, 8192 marks per group,
// 16384 queued events). They are counted per user (per real uid, in
// every user namespace up to the initial one), except MaxQueuedEvents,
// which bounds each group.
type Limits struct {
	// MaxUserGroups is how many groups one user may have
	// (max_user_groups; New fails with EMFILE beyond).
	MaxUserGroups int
	// MaxUserMarks is how many marks one user may have in all of its
	// groups (max_user_marks; AddMark fails with ENOSPC beyond), except
	// those of groups with UnlimitedMarks.
	MaxUserMarks int
	// MaxQueuedEvents is how many events a group without UnlimitedQueue
	// queues before it drops newer ones (max_queued_events). The kernel
	// reads it when a group is created.
	MaxQueuedEvents int
}

// UserLimits reads the limits of the running system (Default).
func UserLimits() (Limits, error) { return Default().UserLimits() }

// UserLimits reads max_user_groups, max_user_marks and max_queued_events
// from /proc/sys/fs/fanotify. The values of the initial user namespace are
// shown; a user namespace has its own max_user_groups and max_user_marks,
// in /proc/sys/user/max_fanotify_groups and max_fanotify_marks. Before
// Linux 5.13 the files do not exist (fs.ErrNotExist).
func (fs FS) UserLimits() (Limits, error) {
	var l Limits
	for _, f := range [...]struct {
		name string
		v    *int
	}{
		{"max_user_groups", &l.MaxUserGroups},
		{"max_user_marks", &l.MaxUserMarks},
		{"max_queued_events", &l.MaxQueuedEvents},
	} {
		v, err := fs.fs.ReadSysctl(math.MaxInt32, "fs", "fanotify", f.name)
		if err != nil {
			return Limits{}, fmt.Errorf("fanotify limits: %w", err)
		}
		*f.v = int(v)
	}
	return l, nil
}
