package abi

// From include/uapi/linux/sched.h (clone3(2)).

// CloneArgs is struct clone_args, the argument of clone3(2) (Linux 5.3),
// as of CLONE_ARGS_SIZE_VER2 (5.7; x/sys has the size constants).
// Pointer-valued fields carry addresses as uint64 on every architecture.
type CloneArgs struct {
	Flags      uint64 // CLONE_* flags; no CSIGNAL bits
	Pidfd      uint64 // with CLONE_PIDFD: where the kernel stores the pidfd (an int)
	ChildTID   uint64 // with CLONE_CHILD_SETTID: where the child's tid goes
	ParentTID  uint64 // with CLONE_PARENT_SETTID: where the parent gets the tid
	ExitSignal uint64 // signal sent to the parent when the child exits
	Stack      uint64 // lowest address of the child's stack
	StackSize  uint64
	TLS        uint64 // with CLONE_SETTLS
	SetTID     uint64 // array of pids to request, one per pid namespace level (5.5)
	SetTIDSize uint64
	Cgroup     uint64 // with CLONE_INTO_CGROUP: a cgroup v2 directory fd (5.7)
}
