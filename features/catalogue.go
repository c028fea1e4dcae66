package features

import (
	"bytes"
	"fmt"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
)

// catalogue is the list of features, in display order. Each row reuses the
// probe declared in internal/feature/probes.go, whose name and minimum
// kernel it shows.
var catalogue = []*entry{
	{probe: feature.PidfdOpen,
		desc: "process file descriptors immune to pid reuse: pidfd_open(2), pidfd_send_signal(2), pidfd_getfd(2)"},
	{probe: feature.Pidfs,
		desc: "pidfds on pidfs, whose 64-bit inode number names a process for the life of the system: fstatfs(2), name_to_handle_at(2)"},
	{probe: feature.PidfdInfo,
		desc: "pid, credentials, cgroup and exit status of a process through its pidfd: ioctl_pidfd(2)"},
	{probe: feature.Clone3,
		desc: "process creation with extensible arguments, a pidfd and a target cgroup: clone3(2)"},
	{probe: feature.Openat2,
		desc: "opening files with limits on path resolution (RESOLVE_BENEATH, RESOLVE_NO_SYMLINKS, ...): openat2(2)"},
	{probe: feature.Statmount,
		desc: "mount information by 64-bit mount id instead of /proc/PID/mountinfo: statmount(2), listmount(2)"},
	{probe: feature.IOUring,
		desc:    "asynchronous I/O through rings shared with the kernel: io_uring(7), io_uring_setup(2)",
		explain: ioUringExplain},
	{probe: feature.Landlock,
		desc: "unprivileged access control a process applies to itself: landlock(7), landlock_create_ruleset(2)"},
	{probe: feature.SeccompNotify,
		desc: "a supervisor that handles another process's system calls: seccomp_unotify(2), seccomp(2)"},
	{probe: feature.Userfaultfd,
		desc: "page faults of a memory range handled in user space: userfaultfd(2)"},
	{probe: feature.MemfdSecret,
		desc: "memory removed from the kernel's direct map, out of reach of the kernel itself: memfd_secret(2) (5.14 with secretmem.enable=1)"},
	{probe: feature.MempolicyWeightedInterleave,
		desc: "NUMA interleaving by per-node weights, for memory tiers of unequal bandwidth (CXL): set_mempolicy(2), mbind(2)"},
	{probe: feature.PagemapScan,
		desc: "which pages of a range are present, swapped, written or huge, in one call instead of 8 bytes per page of /proc/PID/pagemap: ioctl_pagemap_scan(2)"},
	{probe: feature.FanotifyFID,
		desc: "filesystem events with file handles and names on files, mounts and whole filesystems, and permission events: fanotify(7) (unprivileged inode marks since 5.13)"},
}

// ioUringExplain gives an EPERM from io_uring_setup the sysctl that
// explains it, when one does.
func ioUringExplain(err error) error {
	if sys.Errno(err) == sys.EPERM {
		return ioUringDenied(pseudofs.Default(), err)
	}
	return err
}

// ioUringDenied explains an EPERM from io_uring_setup with the
// kernel.io_uring_disabled sysctl (Linux 6.6), read from fsys.
func ioUringDenied(fsys pseudofs.FS, err error) error {
	var buf [16]byte
	b, rerr := pseudofs.ReadFile(fsys.ProcPath("sys", "kernel", "io_uring_disabled"), buf[:0])
	if rerr != nil {
		return err
	}
	switch string(bytes.TrimSpace(b)) {
	case "1":
		return fmt.Errorf("io_uring limited to the group in sysctl kernel.io_uring_group (kernel.io_uring_disabled=1): %w", err)
	case "2":
		return fmt.Errorf("io_uring disabled by sysctl kernel.io_uring_disabled=2: %w", err)
	}
	return err
}
