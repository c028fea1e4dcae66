package procfs

import "github.com/lxgo/lx/ns"

// TimeOffsets reads /proc/PID/timens_offsets (time_namespaces(7), Linux
// 5.6): the offsets of CLOCK_MONOTONIC and CLOCK_BOOTTIME in the time
// namespace the process's future children will be in (its
// time_for_children), relative to the initial time namespace. That is
// the process's own time namespace, except after it called
// unshare(CLONE_NEWTIME) and before it started a child: then it is the
// new namespace, whose offsets may still be set (ns.SetTimeOffsets). The
// initial time namespace has zero offsets. A kernel without time
// namespaces has no such file: the error matches fs.ErrNotExist.
//
// Any user may read it; no ptrace access is needed. The time namespace
// for children belongs to a thread (unshare(2) changes the calling
// thread's), but /proc/PID/task/TID has no timens_offsets: a Proc made by
// Thread gets an error matching fs.ErrNotExist, while FS.Proc(tid) reads
// /proc/TID/timens_offsets, that thread's.
func (p Proc) TimeOffsets() (ns.TimeOffsets, error) {
	return read(p, "timens_offsets", ns.ParseTimeOffsets[[]byte])
}
