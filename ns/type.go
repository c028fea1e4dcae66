// Package ns works with Linux namespaces (namespaces(7)): their kinds and
// CLONE_NEW* flags, handles on them, joining and creating them from a Go
// program, and the id maps and clock offsets that configure user and time
// namespaces.
//
// A [Handle] is an open namespace file (nsfs): of the calling thread
// ([Current]), of a process by PID ([OpenPID]) or race-free through a
// pidfd ([OpenPidFD]), from a path or bind mount ([Open]), or adopted
// ([FromFile]). It has an identity ([Handle.ID]) and the relations the
// NS_GET_* ioctls report (type, owning user namespace, parent, creator,
// mount namespace id); [MountNamespaces] walks the mount namespaces of the
// system.
//
// Namespaces belong to threads, and Go runs goroutines on a pool of
// threads. So [Do] and [DoPidFD] join namespaces with setns(2) on a
// disposable thread that is thrown away afterwards, and [Unshare] creates
// namespaces on one and returns handles to them: nothing a caller does here
// moves the calling thread or any other. Every function says whether it
// affects the calling thread (none does, except through the thread [Do]
// lends to its function), the whole process, or a disposable thread. A
// user namespace can be neither joined nor created by a multithreaded
// process, which a Go program always is; [NewUser] makes one in a stopped
// helper child and keeps a handle to it, for idmapped mounts and the like.
//
// The text forms of /proc/PID/uid_map and gid_map ([IDMap]), setgroups
// ([Setgroups]) and timens_offsets ([TimeOffsets]) are parsed and
// formatted here, and written to a process ([WriteUIDMap], [WriteGIDMap],
// [WriteSetgroups], [SetTimeOffsets]). ns parses no /proc file: procfs
// reads those files (and /proc/PID/ns, and every process's namespaces for
// a listing like lsns(8)) with these parsers.
//
// Go constants are the /proc/PID/ns entry names in Go's mixed caps
// (mnt is ns.Mnt, pid_for_children ns.PIDForChildren); the CLONE_NEW*
// flags drop nothing, since CLONE_ is not this package's name
// (CLONE_NEWNET is ns.CloneNewNet).
package ns

import (
	"fmt"
	"strconv"

	"github.com/lxgo/lx/internal/flagtext"
)

// Type is a kind of namespace: an entry of /proc/PID/ns. The zero Type
// is no namespace.
//
// The _for_children types are not namespaces of their own kind: they
// name the namespace of that kind the process's future children will be
// in (set by unshare(2) or setns(2); the process itself stays in its
// own), and their link shows the base kind ("pid:[4026531836]"). Base
// maps them to it.
type Type uint8

// The namespace types, with the kernel that added each (namespaces(7)).
// /proc/PID/ns has net, ipc and uts since Linux 3.0, mnt, pid and user
// since 3.8.
const (
	Cgroup          Type = iota + 1 // cgroup: cgroup root directory (Linux 4.6)
	IPC                             // ipc: System V IPC, POSIX message queues (Linux 2.6.19)
	Mnt                             // mnt: mount points (Linux 2.4.19)
	Net                             // net: network devices, stacks, ports (Linux 2.6.24, complete in 2.6.29)
	PID                             // pid: process ids (Linux 2.6.24)
	PIDForChildren                  // pid_for_children: the PID namespace of future children (the entry: Linux 4.12)
	Time                            // time: boot and monotonic clocks (Linux 5.6)
	TimeForChildren                 // time_for_children: the time namespace of future children (Linux 5.6)
	User                            // user: user and group ids, capabilities (Linux 2.6.23, complete in 3.8)
	UTS                             // uts: host name and NIS domain name (Linux 2.6.19)

	numTypes = iota
)

var names = [numTypes + 1]string{
	Cgroup: "cgroup", IPC: "ipc", Mnt: "mnt", Net: "net", PID: "pid",
	PIDForChildren: "pid_for_children", Time: "time",
	TimeForChildren: "time_for_children", User: "user", UTS: "uts",
}

// Types returns every Type in a fixed order, the alphabetical order of
// /proc/PID/ns: cgroup, ipc, mnt, net, pid, pid_for_children, time,
// time_for_children, user, uts.
func Types() []Type {
	t := make([]Type, numTypes)
	for i := range t {
		t[i] = Type(i + 1)
	}
	return t
}

func (t Type) known() bool { return t >= 1 && t <= numTypes }

// String returns the /proc/PID/ns entry name, "net" or
// "pid_for_children", or "Type(N)" for a value that is no Type.
func (t Type) String() string {
	if t.known() {
		return names[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// MarshalText returns String's text (which ParseType rejects for a
// value that is no Type).
func (t Type) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText sets *t from text ParseType accepts.
func (t *Type) UnmarshalText(text []byte) error {
	v, err := ParseType(string(text))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// ParseType returns the Type whose /proc/PID/ns entry is named text:
// "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time",
// "time_for_children", "user" or "uts", exactly (a namespace link's
// kind, "net" of "net:[4026531840]", is one of them). Any other text is
// an error wrapping strconv.ErrSyntax.
func ParseType(text string) (Type, error) {
	for t := Cgroup; t <= numTypes; t++ {
		if text == names[t] {
			return t, nil
		}
	}
	return 0, fmt.Errorf("ns: invalid namespace type %q: %w", text, strconv.ErrSyntax)
}

// Base returns the kind of namespace t refers to: PID for
// PIDForChildren, Time for TimeForChildren, t itself otherwise.
func (t Type) Base() Type {
	switch t {
	case PIDForChildren:
		return PID
	case TimeForChildren:
		return Time
	}
	return t
}

// CloneFlag returns the CLONE_NEW* flag of t's kind, as unshare(2),
// clone3(2) and setns(2) take it and NS_GET_NSTYPE reports it; the
// _for_children types have their base kind's flag. It is 0 for a value
// that is no Type.
func (t Type) CloneFlag() CloneFlags {
	switch t.Base() {
	case Cgroup:
		return CloneNewCgroup
	case IPC:
		return CloneNewIPC
	case Mnt:
		return CloneNewNS
	case Net:
		return CloneNewNet
	case PID:
		return CloneNewPID
	case Time:
		return CloneNewTime
	case User:
		return CloneNewUser
	case UTS:
		return CloneNewUTS
	}
	return 0
}

// CloneFlags is a set of CLONE_NEW* flags (include/uapi/linux/sched.h):
// the namespaces unshare(2) and clone3(2) create, the nstype setns(2)
// checks, what NS_GET_NSTYPE reports. Other CLONE_* bits are not
// namespaces and have no name here.
type CloneFlags uint64

// The namespace flags.
const (
	CloneNewTime   CloneFlags = 0x00000080 // CLONE_NEWTIME (Linux 5.6; clone3, unshare and setns only)
	CloneNewNS     CloneFlags = 0x00020000 // CLONE_NEWNS: mount namespace
	CloneNewCgroup CloneFlags = 0x02000000 // CLONE_NEWCGROUP (Linux 4.6)
	CloneNewUTS    CloneFlags = 0x04000000 // CLONE_NEWUTS
	CloneNewIPC    CloneFlags = 0x08000000 // CLONE_NEWIPC
	CloneNewUser   CloneFlags = 0x10000000 // CLONE_NEWUSER
	CloneNewPID    CloneFlags = 0x20000000 // CLONE_NEWPID
	CloneNewNet    CloneFlags = 0x40000000 // CLONE_NEWNET
)

// cloneText is the text form of CloneFlags: the flags in increasing bit
// order.
var cloneText = flagtext.Format[CloneFlags]{
	Flags: []flagtext.Flag[CloneFlags]{
		{Bits: CloneNewTime, Name: "CLONE_NEWTIME"}, {Bits: CloneNewNS, Name: "CLONE_NEWNS"},
		{Bits: CloneNewCgroup, Name: "CLONE_NEWCGROUP"}, {Bits: CloneNewUTS, Name: "CLONE_NEWUTS"},
		{Bits: CloneNewIPC, Name: "CLONE_NEWIPC"}, {Bits: CloneNewUser, Name: "CLONE_NEWUSER"},
		{Bits: CloneNewPID, Name: "CLONE_NEWPID"}, {Bits: CloneNewNet, Name: "CLONE_NEWNET"},
	},
	Sep:  '|',
	None: "0",
}

// String lists the flags in increasing bit order separated by "|",
// "CLONE_NEWNS|CLONE_NEWPID", with any other bits as one hexadecimal
// number at the end ("CLONE_NEWNET|0x100"); no flags is "0".
func (f CloneFlags) String() string { return cloneText.String(f) }

// MarshalText returns String's text.
func (f CloneFlags) MarshalText() ([]byte, error) { return cloneText.Append(nil, f), nil }

// UnmarshalText sets *f from text ParseCloneFlags accepts, with its
// errors.
func (f *CloneFlags) UnmarshalText(text []byte) error {
	return cloneText.Unmarshal(f, text, "ns: invalid clone flags")
}

// ParseCloneFlags parses String's form: "0", or "|"-separated kernel
// names ("CLONE_NEWNS", exactly) and hexadecimal numbers ("0x100"), in
// any order. Anything else is an error wrapping strconv.ErrSyntax, a
// number beyond 64 bits one wrapping strconv.ErrRange.
func ParseCloneFlags(text string) (CloneFlags, error) {
	f, err := cloneText.Parse(text)
	if err != nil {
		return 0, fmt.Errorf("ns: invalid clone flags %q: %w", text, err)
	}
	return f, nil
}
