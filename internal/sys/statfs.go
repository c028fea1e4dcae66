package sys

import "golang.org/x/sys/unix"

// statfs(2) and fstatfs(2).

// Filesystem magic numbers, statfs(2) f_type, from include/uapi/linux/magic.h.
const (
	CGROUP_SUPER_MAGIC  = unix.CGROUP_SUPER_MAGIC  // cgroup v1 hierarchy
	CGROUP2_SUPER_MAGIC = unix.CGROUP2_SUPER_MAGIC // cgroup v2 (unified) hierarchy
	TMPFS_MAGIC         = unix.TMPFS_MAGIC
	SYSFS_MAGIC         = unix.SYSFS_MAGIC
	PID_FS_MAGIC        = unix.PID_FS_MAGIC     // pidfs, where pidfds live (6.9)
	PROC_SUPER_MAGIC    = unix.PROC_SUPER_MAGIC // procfs
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

// FstatfsType returns the filesystem magic number (statfs(2) f_type) of the
// filesystem holding fd.
func FstatfsType(fd int) (int64, error) {
	var st unix.Statfs_t
	if err := retry(func() error { return unix.Fstatfs(fd, &st) }); err != nil {
		return 0, wrap("fstatfs", err)
	}
	return int64(st.Type), nil
}
