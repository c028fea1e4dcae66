// Package cred holds the value types of process credentials
// (credentials(7)): user and group ids, the four ids of each kind a
// process has, its supplementary groups, and a loaded user and group
// database (/etc/passwd and /etc/group) for naming them.
//
// The ids are the kernel's numbers as the caller's user namespace sees
// them. procfs (the Uid, Gid and Groups lines of /proc/PID/status) and
// pidfd (PIDFD_GET_INFO) report them in these types.
//
// Current reads the calling process's credentials by system calls;
// SetResUID, SetResGID, SetGroups and Database.InitGroups change them
// for every thread of the process.
//
// The database is read from files only, in pure Go: passwd(5) and
// group(5). Users and groups that come from other NSS sources (LDAP,
// sssd, systemd's dynamic users) are not in it, as they are not in
// os/user without cgo.
package cred

import (
	"fmt"
	"math"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
)

// UID is a user id. It has no MarshalText, so that encoding/json writes
// it as a number.
type UID uint32

// GID is a group id. It has no MarshalText, so that encoding/json writes
// it as a number.
type GID uint32

const (
	// InvalidUID is (uid_t)-1: not an id. setresuid(2) and chown(2) take
	// it as "leave unchanged"; no process or file has it.
	InvalidUID UID = math.MaxUint32
	// InvalidGID is (gid_t)-1, as InvalidUID.
	InvalidGID GID = math.MaxUint32
	// OverflowUID is the default overflow user id (65534,
	// /proc/sys/kernel/overflowuid): what the kernel reports for a user
	// id that has no mapping in the reader's user namespace. The sysctl
	// may change it.
	OverflowUID UID = 65534
	// OverflowGID is the default overflow group id (65534,
	// /proc/sys/kernel/overflowgid), as OverflowUID.
	OverflowGID GID = 65534
)

// String returns the id in decimal.
func (u UID) String() string { return strconv.FormatUint(uint64(u), 10) }

// String returns the id in decimal.
func (g GID) String() string { return strconv.FormatUint(uint64(g), 10) }

// ParseUID parses a user id in decimal, 0..4294967295, as /proc and
// passwd(5) print it. The error wraps strconv.ErrSyntax, or
// strconv.ErrRange for a larger number.
func ParseUID(text string) (UID, error) {
	n, err := parseID(text)
	if err != nil {
		return 0, fmt.Errorf("cred: invalid user id %q: %w", text, err)
	}
	return UID(n), nil
}

// ParseGID parses a group id in decimal, 0..4294967295, as /proc and
// group(5) print it. The error wraps strconv.ErrSyntax, or
// strconv.ErrRange for a larger number.
func ParseGID(text string) (GID, error) {
	n, err := parseID(text)
	if err != nil {
		return 0, fmt.Errorf("cred: invalid group id %q: %w", text, err)
	}
	return GID(n), nil
}

// parseID parses a decimal 32-bit id.
func parseID(text string) (uint32, error) {
	n, err := parse.Uint([]byte(text))
	if err == nil && n > math.MaxUint32 {
		err = strconv.ErrRange
	}
	if err != nil {
		return 0, err
	}
	return uint32(n), nil
}

// UIDs are the four user ids of a process (credentials(7)).
type UIDs struct {
	Real      UID // who the process belongs to: signals and RLIMIT_NPROC count against it
	Effective UID // what permission checks use
	Saved     UID // what the effective id may return to
	FS        UID // what file system permission checks use (follows Effective unless setfsuid(2) changed it)
}

// GIDs are the four group ids of a process, as UIDs.
type GIDs struct {
	Real, Effective, Saved, FS GID
}

// Creds are a process's credentials: its user and group ids and its
// supplementary groups. Groups is nil where the source does not report
// them (PIDFD_GET_INFO). Creds is not comparable with == because of
// Groups; compare UID and GID, and Groups with slices.Equal.
type Creds struct {
	UID    UIDs
	GID    GIDs
	Groups []GID
}
