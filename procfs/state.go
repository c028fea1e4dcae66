package procfs

import (
	"fmt"
	"strconv"

	"github.com/lxgo/lx/internal/flagtext"
)

// The task state and flags that /proc/PID/stat and /proc/PID/status
// print.

// State is a task's scheduling state: the letter in /proc/PID/stat and
// /proc/PID/status.
type State byte

// States, from fs/proc/array.c task_state_array (Linux 4.14+; older kernels
// also used K and W, and X/x for dead).
const (
	StateRunning     State = 'R' // running or runnable
	StateSleeping    State = 'S' // interruptible sleep
	StateDiskSleep   State = 'D' // uninterruptible sleep, usually I/O
	StateStopped     State = 'T' // stopped by a job-control signal
	StateTracingStop State = 't' // stopped by a debugger
	StateZombie      State = 'Z' // exited, not yet reaped
	StateDead        State = 'X' // being reaped (rarely seen)
	StateDeadX       State = 'x' // dead (Linux 2.6.33 to 3.13)
	StateWakeKill    State = 'K' // wakekill (Linux 2.6.33 to 3.13)
	StateWaking      State = 'W' // waking (2.6.33 to 3.13); paging before 2.6.0
	StateParked      State = 'P' // parked kernel thread (3.9 to 3.13)
	StateIdle        State = 'I' // idle kernel thread (4.14+)
)

// String returns the kernel's word for the state ("running", "sleeping",
// "disk sleep", ...), or "State(c)" for a letter lx does not know.
func (s State) String() string {
	switch s {
	case StateRunning:
		return "running"
	case StateSleeping:
		return "sleeping"
	case StateDiskSleep:
		return "disk sleep"
	case StateStopped:
		return "stopped"
	case StateTracingStop:
		return "tracing stop"
	case StateZombie:
		return "zombie"
	case StateDead, StateDeadX:
		return "dead"
	case StateWakeKill:
		return "wakekill"
	case StateWaking:
		return "waking"
	case StateParked:
		return "parked"
	case StateIdle:
		return "idle"
	}
	return "State(" + strconv.QuoteRune(rune(s)) + ")"
}

// MarshalText returns the state's letter as the kernel prints it in
// /proc/PID/stat, "S" (String returns the word of /proc/PID/status,
// "sleeping"). Every State has one: a letter lx does not know too.
func (s State) MarshalText() ([]byte, error) { return []byte{byte(s)}, nil }

// UnmarshalText sets *s from MarshalText's form: exactly one byte, the
// letter, which may be one lx does not know. Any other length is an
// error wrapping strconv.ErrSyntax.
func (s *State) UnmarshalText(text []byte) error {
	if len(text) != 1 {
		return fmt.Errorf("procfs: invalid task state %q: want one letter: %w", text, strconv.ErrSyntax)
	}
	*s = State(text[0])
	return nil
}

// TaskFlags is the per-task PF_* flag word (field 9 of /proc/PID/stat). The
// bits are kernel-internal, not ABI: they are listed here as Linux 6.18's
// include/linux/sched.h defines them, and have moved between releases.
type TaskFlags uint32

// PF_* task flags.
const (
	PFVCPU          TaskFlags = 0x00000001 // a virtual CPU
	PFIdle          TaskFlags = 0x00000002 // an idle thread
	PFExiting       TaskFlags = 0x00000004 // getting shut down
	PFPostCoredump  TaskFlags = 0x00000008 // coredumps should ignore this task
	PFIOWorker      TaskFlags = 0x00000010 // an io_uring worker
	PFWQWorker      TaskFlags = 0x00000020 // a workqueue worker
	PFForkNoExec    TaskFlags = 0x00000040 // forked but did not exec
	PFMCEProcess    TaskFlags = 0x00000080 // process policy on MCE errors
	PFSuperPriv     TaskFlags = 0x00000100 // used super-user privileges
	PFDumpCore      TaskFlags = 0x00000200 // dumped core
	PFSignaled      TaskFlags = 0x00000400 // killed by a signal
	PFMemalloc      TaskFlags = 0x00000800 // allocating memory to free memory
	PFNprocExceeded TaskFlags = 0x00001000 // set_user noticed RLIMIT_NPROC was exceeded
	PFUsedMath      TaskFlags = 0x00002000 // the FPU was used
	PFUserWorker    TaskFlags = 0x00004000 // kernel thread cloned from a user thread (6.4+)
	PFNoFreeze      TaskFlags = 0x00008000 // not to be frozen
	PFKcompactd     TaskFlags = 0x00010000 // kcompactd
	PFKswapd        TaskFlags = 0x00020000 // kswapd
	PFMemallocNoFS  TaskFlags = 0x00040000 // allocations inherit GFP_NOFS
	PFMemallocNoIO  TaskFlags = 0x00080000 // allocations inherit GFP_NOIO
	PFLocalThrottle TaskFlags = 0x00100000 // throttle writes only against its own bdi
	PFKthread       TaskFlags = 0x00200000 // a kernel thread
	PFRandomize     TaskFlags = 0x00400000 // randomized virtual address space
	PFNoSetAffinity TaskFlags = 0x04000000 // userland may not change its CPU mask
	PFMCEEarly      TaskFlags = 0x08000000 // early kill for MCE process policy
	PFMemallocPin   TaskFlags = 0x10000000 // allocations limited to pinnable zones
	PFBlockTS       TaskFlags = 0x20000000 // block plug has a timestamp to update
	PFSuspendTask   TaskFlags = 0x80000000 // called freeze_processes
)

// taskFlagText is the text form of TaskFlags, in bit order.
var taskFlagText = flagtext.Format[TaskFlags]{
	Flags: []flagtext.Flag[TaskFlags]{
		{Bits: PFVCPU, Name: "PF_VCPU"}, {Bits: PFIdle, Name: "PF_IDLE"},
		{Bits: PFExiting, Name: "PF_EXITING"}, {Bits: PFPostCoredump, Name: "PF_POSTCOREDUMP"},
		{Bits: PFIOWorker, Name: "PF_IO_WORKER"}, {Bits: PFWQWorker, Name: "PF_WQ_WORKER"},
		{Bits: PFForkNoExec, Name: "PF_FORKNOEXEC"}, {Bits: PFMCEProcess, Name: "PF_MCE_PROCESS"},
		{Bits: PFSuperPriv, Name: "PF_SUPERPRIV"}, {Bits: PFDumpCore, Name: "PF_DUMPCORE"},
		{Bits: PFSignaled, Name: "PF_SIGNALED"}, {Bits: PFMemalloc, Name: "PF_MEMALLOC"},
		{Bits: PFNprocExceeded, Name: "PF_NPROC_EXCEEDED"}, {Bits: PFUsedMath, Name: "PF_USED_MATH"},
		{Bits: PFUserWorker, Name: "PF_USER_WORKER"}, {Bits: PFNoFreeze, Name: "PF_NOFREEZE"},
		{Bits: PFKcompactd, Name: "PF_KCOMPACTD"}, {Bits: PFKswapd, Name: "PF_KSWAPD"},
		{Bits: PFMemallocNoFS, Name: "PF_MEMALLOC_NOFS"}, {Bits: PFMemallocNoIO, Name: "PF_MEMALLOC_NOIO"},
		{Bits: PFLocalThrottle, Name: "PF_LOCAL_THROTTLE"}, {Bits: PFKthread, Name: "PF_KTHREAD"},
		{Bits: PFRandomize, Name: "PF_RANDOMIZE"}, {Bits: PFNoSetAffinity, Name: "PF_NO_SETAFFINITY"},
		{Bits: PFMCEEarly, Name: "PF_MCE_EARLY"}, {Bits: PFMemallocPin, Name: "PF_MEMALLOC_PIN"},
		{Bits: PFBlockTS, Name: "PF_BLOCK_TS"}, {Bits: PFSuspendTask, Name: "PF_SUSPEND_TASK"},
	},
	Sep:  '|',
	None: "0",
}

// Has reports whether all of flags are set.
func (f TaskFlags) Has(flags TaskFlags) bool { return f&flags == flags }

// String lists the set flags in bit order, "PF_KTHREAD|PF_NOFREEZE";
// bits without a name print as one hexadecimal number at the end
// ("PF_KTHREAD|0x800000"); no flags print "0". (/proc/PID/stat prints
// the word in decimal; this is the form of the kernel's names.)
func (f TaskFlags) String() string { return taskFlagText.String(f) }

// MarshalText returns String's text.
func (f TaskFlags) MarshalText() ([]byte, error) { return taskFlagText.Append(nil, f), nil }

// UnmarshalText sets *f from String's form: "0", or "|"-separated PF_*
// names (exactly as String prints them) and hexadecimal numbers
// ("0x800000"), in any order. Anything else is an error wrapping
// strconv.ErrSyntax (strconv.ErrRange for a number beyond 32 bits).
func (f *TaskFlags) UnmarshalText(text []byte) error {
	return taskFlagText.Unmarshal(f, text, "procfs: invalid task flags")
}
