package procfs

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/lxgo/lx/internal/parse"
)

// LockClass is the kind of a file lock in /proc/locks.
type LockClass uint8

// Lock classes.
const (
	LockClassUnknown LockClass = iota // "UNKNOWN" or a class lx does not know
	LockFlock                         // "FLOCK": flock(2)
	LockPOSIX                         // "POSIX": fcntl(2) F_SETLK, lockf(3); owned by a process
	LockOFD                           // "OFDLCK": fcntl(2) F_OFD_SETLK (3.15); owned by an open file description
	LockLease                         // "LEASE": fcntl(2) F_SETLEASE
	LockDeleg                         // "DELEG": an NFS server delegation
	LockClassAccess                   // "ACCESS": a transient check for mandatory locking (before 5.15)
)

// lockClassNames are the kernel's names of the lock classes, by value.
var lockClassNames = [...]string{"UNKNOWN", "FLOCK", "POSIX", "OFDLCK", "LEASE", "DELEG", "ACCESS"}

// String returns the kernel's name; "UNKNOWN" for a value that is no
// LockClass.
func (c LockClass) String() string { return lockName(lockClassNames[:], c) }

// MarshalText returns the kernel's name; a value that is no LockClass
// is an error.
func (c LockClass) MarshalText() ([]byte, error) { return enumText(lockClassNames[:], c, "lock class") }

// UnmarshalText sets *c from a name MarshalText returns, exactly
// ("POSIX", or "UNKNOWN" for LockClassUnknown); any other text is an
// error wrapping strconv.ErrSyntax.
func (c *LockClass) UnmarshalText(text []byte) error {
	return enumUnmarshal(lockClassNames[:], c, text, "lock class")
}

// LockMode is the second column of /proc/locks: the enforcement of a lock,
// or the state of a lease.
type LockMode uint8

// Lock modes.
const (
	LockModeUnknown   LockMode = iota // "UNKNOWN" or a mode lx does not know
	LockAdvisory                      // "ADVISORY"
	LockMandatory                     // "MANDATORY" (mandatory locking was removed in 5.15)
	LockNoInode                       // "*NOINODE*": a POSIX lock without an inode
	LockLeaseActive                   // "ACTIVE": a lease held by an open file
	LockLeaseBreaking                 // "BREAKING": a lease being broken
	LockLeaseBreaker                  // "BREAKER": the request breaking a lease
)

// lockModeNames are the kernel's names of the lock modes, by value.
var lockModeNames = [...]string{"UNKNOWN", "ADVISORY", "MANDATORY", "*NOINODE*", "ACTIVE", "BREAKING", "BREAKER"}

// String returns the kernel's name; "UNKNOWN" for a value that is no
// LockMode.
func (m LockMode) String() string { return lockName(lockModeNames[:], m) }

// MarshalText returns the kernel's name; a value that is no LockMode is
// an error.
func (m LockMode) MarshalText() ([]byte, error) { return enumText(lockModeNames[:], m, "lock mode") }

// UnmarshalText sets *m from a name MarshalText returns, exactly
// ("ADVISORY", or "UNKNOWN" for LockModeUnknown); any other text is an
// error wrapping strconv.ErrSyntax.
func (m *LockMode) UnmarshalText(text []byte) error {
	return enumUnmarshal(lockModeNames[:], m, text, "lock mode")
}

// LockAccess says whether a lock is shared or exclusive.
type LockAccess uint8

// Lock access types.
const (
	LockAccessUnknown LockAccess = iota
	LockRead                     // "READ": a shared (read) lock or lease
	LockWrite                    // "WRITE": an exclusive (write) lock or lease
	LockUnlock                   // "UNLCK": a lease being broken down to no lease
)

// lockAccessNames are the kernel's names of the access types, by value.
var lockAccessNames = [...]string{"UNKNOWN", "READ", "WRITE", "UNLCK"}

// String returns the kernel's name; "UNKNOWN" for a value that is no
// LockAccess.
func (a LockAccess) String() string { return lockName(lockAccessNames[:], a) }

// MarshalText returns the kernel's name; a value that is no LockAccess
// is an error.
func (a LockAccess) MarshalText() ([]byte, error) {
	return enumText(lockAccessNames[:], a, "lock access")
}

// UnmarshalText sets *a from a name MarshalText returns, exactly
// ("WRITE", or "UNKNOWN" for LockAccessUnknown); any other text is an
// error wrapping strconv.ErrSyntax.
func (a *LockAccess) UnmarshalText(text []byte) error {
	return enumUnmarshal(lockAccessNames[:], a, text, "lock access")
}

// lockName returns the name of v in names, or names[0] ("UNKNOWN").
func lockName[T ~uint8](names []string, v T) string {
	if int(v) < len(names) {
		return names[v]
	}
	return names[0]
}

// LockEOF is Lock.End for a lock that extends to the end of the file,
// however far it grows ("EOF" in /proc/locks).
const LockEOF int64 = -1

// Lock is one line of /proc/locks: a file lock or lease that is held, or a
// request blocked waiting for one (proc(5) "/proc/locks").
type Lock struct {
	// ID is the ordinal the kernel gives the held lock; waiters share the
	// ID of the lock at the root of their chain.
	ID     int64
	Class  LockClass
	Mode   LockMode
	Access LockAccess
	// PID owns the lock: the process that took a POSIX lock, or that
	// opened the file of a FLOCK lock or lease. It is -1 for OFD locks,
	// which open file descriptions own. The kernel shows PIDs as seen from
	// the pid namespace of the procfs mount and hides locks held in other
	// namespaces it cannot name.
	PID int
	// Dev and Inode identify the locked file (Dev in st_dev terms). Both
	// are zero when the kernel printed "<none>".
	Dev   Dev
	Inode uint64
	// Start and End are the locked byte range, inclusive. End is LockEOF
	// when the range extends to the end of the file. FLOCK locks and
	// leases cover the whole file (0 to LockEOF).
	Start, End int64
	// Blocked is true for a request ("->" lines) waiting for the lock at
	// index Blocker of the same result.
	Blocked bool
	Blocker int
}

// Locks reads /proc/locks: every file lock and lease on the system, and
// the requests blocked on them. Any user can read it. The file is
// generated under a global lock; on hosts with very many locks reading it
// is expensive.
func (fs FS) Locks() ([]Lock, error) { return readFS(fs, "locks", parseLocks) }

var (
	errLocksLine  = errors.New("want \"ID: CLASS MODE ACCESS PID MAJ:MIN:INODE START END\"")
	errLockWaiter = errors.New("waiter without a lock to wait for")
)

// parseLocks parses /proc/locks (fs/locks.c lock_get_status):
//
//	1: POSIX  ADVISORY  WRITE 7784 fe:00:398607 0 EOF
//	1: -> POSIX  ADVISORY  WRITE 7790 fe:00:398607 0 EOF
//	2: OFDLCK ADVISORY  READ  -1 00:2d:12 100 199
//	2:  -> OFDLCK ADVISORY  WRITE -1 00:2d:12 0 EOF
//
// A waiter's "->" is indented by one space per level below the first: it
// waits for the nearest earlier entry one level up.
func parseLocks(b []byte) ([]Lock, error) {
	var list []Lock
	var chain []int // chain[level] = index of the latest entry at that level
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		if len(parse.Trim(line)) == 0 {
			continue
		}
		l, level, err := parseLockLine(line)
		if err != nil {
			return nil, parseErr(n, "", err)
		}
		if level > 0 {
			if level > len(chain) || list[chain[level-1]].ID != l.ID {
				return nil, parseErr(n, "", errLockWaiter)
			}
			l.Blocked, l.Blocker = true, chain[level-1]
		}
		chain = append(chain[:level], len(list))
		list = append(list, l)
	}
	return list, nil
}

// parseLockLine parses one line and returns its waiter level (0 for a
// held lock).
func parseLockLine(line []byte) (l Lock, level int, err error) {
	id, rest, ok := bytes.Cut(line, []byte{':'})
	if !ok {
		return l, 0, errLocksLine
	}
	if l.ID, err = parse.Int(parse.Trim(id)); err != nil {
		return l, 0, errLocksLine
	}
	// "ID: " then, for waiters, level-1 spaces and "-> ".
	rest = bytes.TrimPrefix(rest, []byte{' '})
	spaces := 0
	for spaces < len(rest) && rest[spaces] == ' ' {
		spaces++
	}
	if bytes.HasPrefix(rest[spaces:], []byte("->")) {
		level = spaces + 1
		rest = rest[spaces+2:]
	}
	var f [7][]byte
	for i := range f {
		f[i], rest = parse.Field(rest)
		if len(f[i]) == 0 {
			return l, 0, errLocksLine
		}
	}
	if len(parse.Trim(rest)) != 0 {
		return l, 0, errLocksLine
	}
	// A name lx does not know is the UNKNOWN value, 0.
	l.Class = LockClass(max(nameIndex(lockClassNames[:], f[0]), 0))
	l.Mode = LockMode(max(nameIndex(lockModeNames[:], f[1]), 0))
	l.Access = LockAccess(max(nameIndex(lockAccessNames[:], f[2]), 0))
	pid, err := parse.Int(f[3])
	if err != nil || pid < -1<<31 || pid > 1<<31-1 {
		return l, 0, fmt.Errorf("bad pid %q", f[3])
	}
	l.PID = int(pid)
	if l.Dev, l.Inode, err = parseLockInode(f[4]); err != nil {
		return l, 0, err
	}
	if l.Start, err = parse.Int(f[5]); err != nil {
		return l, 0, fmt.Errorf("bad start %q", f[5])
	}
	if string(f[6]) == "EOF" {
		l.End = LockEOF
	} else if l.End, err = parse.Int(f[6]); err != nil {
		return l, 0, fmt.Errorf("bad end %q", f[6])
	}
	return l, level, nil
}

// parseLockInode parses "fe:00:398607" (major and minor in hex, inode in
// decimal) or "<none>:0".
func parseLockInode(b []byte) (Dev, uint64, error) {
	i := bytes.LastIndexByte(b, ':')
	if i < 0 {
		return Dev{}, 0, fmt.Errorf("bad inode %q", b)
	}
	ino, err := parse.Uint(b[i+1:])
	if err != nil {
		return Dev{}, 0, fmt.Errorf("bad inode %q", b)
	}
	if string(b[:i]) == "<none>" {
		return Dev{}, ino, nil
	}
	ma, mi, ok := bytes.Cut(b[:i], []byte{':'})
	if !ok {
		return Dev{}, 0, fmt.Errorf("bad device %q", b)
	}
	major, err1 := parse.Hex(ma)
	minor, err2 := parse.Hex(mi)
	if err1 != nil || err2 != nil || major > 1<<32-1 || minor > 1<<32-1 {
		return Dev{}, 0, fmt.Errorf("bad device %q", b)
	}
	return Dev{Major: uint32(major), Minor: uint32(minor)}, ino, nil
}
