package procfs

import (
	"encoding/json"
	"errors"
	"fmt"
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
func (u LoginUID) String() string { return string(appendAuditID(nil, uint32(u))) }

// MarshalText returns String's text.
func (u LoginUID) MarshalText() ([]byte, error) { return appendAuditID(nil, uint32(u)), nil }

// UnmarshalText sets *u from String's text, or from the file's: "unset"
// or a decimal number 0..4294967295, where 4294967295 (as
// /proc/PID/loginuid prints the unset value) is LoginUIDUnset. Anything
// else is an error wrapping strconv.ErrSyntax or strconv.ErrRange.
func (u *LoginUID) UnmarshalText(text []byte) error {
	v, err := parseAuditIDText(text, "login uid")
	if err != nil {
		return err
	}
	*u = LoginUID(v)
	return nil
}

// MarshalJSON returns the uid as a JSON number, or the string "unset".
func (u LoginUID) MarshalJSON() ([]byte, error) { return marshalAuditIDJSON(uint32(u)), nil }

// UnmarshalJSON sets *u from a JSON number 0..4294967295, or a string
// UnmarshalText accepts.
func (u *LoginUID) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil // as encoding/json leaves a value for null
	}
	v, err := unmarshalAuditIDJSON(b, "login uid")
	if err != nil {
		return err
	}
	*u = LoginUID(v)
	return nil
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
func (s SessionID) String() string { return string(appendAuditID(nil, uint32(s))) }

// MarshalText returns String's text.
func (s SessionID) MarshalText() ([]byte, error) { return appendAuditID(nil, uint32(s)), nil }

// UnmarshalText sets *s from String's text, or from the file's: "unset"
// or a decimal number 0..4294967295, where 4294967295 (as
// /proc/PID/sessionid prints the unset value) is SessionIDUnset.
// Anything else is an error wrapping strconv.ErrSyntax or
// strconv.ErrRange.
func (s *SessionID) UnmarshalText(text []byte) error {
	v, err := parseAuditIDText(text, "session id")
	if err != nil {
		return err
	}
	*s = SessionID(v)
	return nil
}

// MarshalJSON returns the id as a JSON number, or the string "unset".
func (s SessionID) MarshalJSON() ([]byte, error) { return marshalAuditIDJSON(uint32(s)), nil }

// UnmarshalJSON sets *s from a JSON number 0..4294967295, or a string
// UnmarshalText accepts.
func (s *SessionID) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil // as encoding/json leaves a value for null
	}
	v, err := unmarshalAuditIDJSON(b, "session id")
	if err != nil {
		return err
	}
	*s = SessionID(v)
	return nil
}

// auditUnset is the unset value of the audit ids, (uint32)-1: both
// AUDIT_UID_UNSET and AUDIT_SID_UNSET.
const auditUnset = 1<<32 - 1

// appendAuditID appends the text of an audit id: "unset" or decimal.
func appendAuditID(b []byte, v uint32) []byte {
	if v == auditUnset {
		return append(b, "unset"...)
	}
	return strconv.AppendUint(b, uint64(v), 10)
}

// parseAuditIDText parses the text of an audit id: "unset" or a decimal
// uint32. what names the id in the error.
func parseAuditIDText(text []byte, what string) (uint32, error) {
	if string(text) == "unset" {
		return auditUnset, nil
	}
	n, err := parse.Uint(text) // digits only
	if err == nil && n > auditUnset {
		err = strconv.ErrRange
	}
	if err != nil {
		return 0, fmt.Errorf("procfs: invalid %s %q: %w", what, text, err)
	}
	return uint32(n), nil
}

// marshalAuditIDJSON returns an audit id as a JSON number, or "unset".
func marshalAuditIDJSON(v uint32) []byte {
	if v == auditUnset {
		return []byte(`"unset"`)
	}
	return strconv.AppendUint(nil, uint64(v), 10)
}

// unmarshalAuditIDJSON parses a JSON number or string as an audit id.
func unmarshalAuditIDJSON(b []byte, what string) (uint32, error) {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, fmt.Errorf("procfs: invalid %s %s: %w", what, b, err)
		}
		return parseAuditIDText([]byte(s), what)
	}
	return parseAuditIDText(b, what)
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
