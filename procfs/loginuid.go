package procfs

import (
	"errors"
	"io/fs"
	"os"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/kernel"
)

// LoginUID is the audit login uid of a process (/proc/PID/loginuid): the
// uid of the user who logged in, kept across su and sudo. It is set once
// by the login path (pam_loginuid) and inherited.
type LoginUID uint32

// LoginUIDUnset is the value of a process that never went through a
// login (AUDIT_UID_UNSET, (uid_t)-1): daemons and their children.
const LoginUIDUnset LoginUID = 1<<32 - 1

// UID returns the login uid, and ok=false when it is unset.
func (u LoginUID) UID() (uid uint32, ok bool) { return uint32(u), u != LoginUIDUnset }

// String returns the uid in decimal, or "unset".
func (u LoginUID) String() string {
	if u == LoginUIDUnset {
		return "unset"
	}
	return strconv.FormatUint(uint64(u), 10)
}

// SessionID is the audit session id of a process (/proc/PID/sessionid),
// assigned when the login uid is set.
type SessionID uint32

// SessionIDUnset is the value of a process outside any audit session
// (AUDIT_SID_UNSET, (unsigned int)-1).
const SessionIDUnset SessionID = 1<<32 - 1

// ID returns the session id, and ok=false when it is unset.
func (s SessionID) ID() (id uint32, ok bool) { return uint32(s), s != SessionIDUnset }

// String returns the id in decimal, or "unset".
func (s SessionID) String() string {
	if s == SessionIDUnset {
		return "unset"
	}
	return strconv.FormatUint(uint64(s), 10)
}

// LoginUID reads /proc/PID/loginuid. No privilege is needed. A kernel
// built without CONFIG_AUDIT has no such file; the error then matches
// errors.ErrUnsupported.
func (p Proc) LoginUID() (LoginUID, error) {
	v, err := p.readAuditID("loginuid")
	return LoginUID(v), err
}

// SessionID reads /proc/PID/sessionid. No privilege is needed. Without
// CONFIG_AUDIT the error matches errors.ErrUnsupported.
func (p Proc) SessionID() (SessionID, error) {
	v, err := p.readAuditID("sessionid")
	return SessionID(v), err
}

// readAuditID reads a decimal uint32 file of the audit subsystem.
func (p Proc) readAuditID(name string) (uint32, error) {
	var v uint32
	err := readInto(p, name, &v, parseAuditID)
	if errors.Is(err, fs.ErrNotExist) && !errors.Is(err, os.ErrProcessDone) {
		return 0, &kernel.FeatureError{Feature: "/proc/PID/" + name + " (CONFIG_AUDIT)", Err: err}
	}
	return v, err
}

// parseAuditID parses a loginuid or sessionid file: a decimal uint32.
func parseAuditID(b []byte, v *uint32) error {
	b = parse.Trim(b)
	n, err := parse.Uint(b)
	if err == nil && n > 1<<32-1 {
		err = errRange("uint32", b)
	}
	*v = uint32(n)
	return err
}
