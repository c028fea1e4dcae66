// Package guesttest is internal/vmtest's self-test inside the guest: its
// tests assert the guest's kernel version, mounts, cgroup v2 controllers,
// CPUs, NUMA nodes and block device against what the host asked for. They
// run only in a vmtest guest (LX_VMTEST_GUEST=1) and skip everywhere else.
package guesttest
