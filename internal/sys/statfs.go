package sys

import "golang.org/x/sys/unix"

// Filesystem magic numbers, statfs(2) f_type, from include/uapi/linux/magic.h.
const (
	CGROUP_SUPER_MAGIC  = unix.CGROUP_SUPER_MAGIC  // cgroup v1 hierarchy
	CGROUP2_SUPER_MAGIC = unix.CGROUP2_SUPER_MAGIC // cgroup v2 (unified) hierarchy
	TMPFS_MAGIC         = unix.TMPFS_MAGIC
	SYSFS_MAGIC         = unix.SYSFS_MAGIC
)

// StatfsType returns the filesystem magic number (statfs(2) f_type) of the
// filesystem holding path. Errors are *fs.PathError.
func StatfsType(path string) (int64, error) {
	var st unix.Statfs_t
	if err := retry(func() error { return unix.Statfs(path, &st) }); err != nil {
		return 0, wrapPath("statfs", path, err)
	}
	return int64(st.Type), nil
}
