package fanotify

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"syscall"

	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// Decision answers a permission event.
type Decision uint32

const (
	Allow Decision = sys.FAN_ALLOW
	Deny  Decision = sys.FAN_DENY
)

// String returns the kernel's name: "FAN_ALLOW", "FAN_DENY".
func (d Decision) String() string {
	switch d {
	case Allow:
		return "FAN_ALLOW"
	case Deny:
		return "FAN_DENY"
	}
	return "Decision(" + strconv.FormatUint(uint64(d), 10) + ")"
}

// Trust is a subject or object trust value of an AuditRule.
type Trust uint32

const (
	TrustNo      Trust = 0
	TrustYes     Trust = 1
	TrustUnknown Trust = 2
)

// AuditRule is the extra information of a response
// (struct fanotify_response_info_audit_rule, FAN_INFO, Linux 6.3): the
// number of the rule that decided, and whether the subject and the object
// are trusted, for the audit record.
type AuditRule struct {
	Rule         uint32
	SubjectTrust Trust
	ObjectTrust  Trust
}

// ResponseOptions modify Respond. nil means none.
type ResponseOptions struct {
	// Audit asks for an audit record of the decision (FAN_AUDIT); the
	// group needs EnableAudit.
	Audit bool
	// Errno, with Deny in a PreContent group, is the error the denied
	// access gets instead of EPERM (FAN_DENY_ERRNO, Linux 6.14): EIO,
	// EPERM, EBUSY, ETXTBSY, EAGAIN, ENOSPC or EDQUOT.
	Errno syscall.Errno
	// AuditRule, if not nil, is attached to the audit record (FAN_INFO,
	// Linux 6.3).
	AuditRule *AuditRule
}

// Respond answers a permission event (OpenPerm, AccessPerm, OpenExecPerm,
// PreAccess) by writing struct fanotify_response to the group. The
// process that caused the event waits until then. ev must still be open:
// the response names the event by its descriptor. An event not answered
// before the group is closed is allowed.
//
// Errors: ENOENT (ev is not a pending permission event of this group),
// EINVAL (a response the kernel refuses: an errno in a group that is not
// PreContent or one it does not allow, Audit without EnableAudit). On a
// kernel older than Errno (6.14) or AuditRule (6.3) need, the EINVAL is
// a *kernel.FeatureError naming the option, and the event is still
// pending: answer it again without the option.
func (g *Group) Respond(ev Event, d Decision, opts *ResponseOptions) error {
	var o ResponseOptions
	if opts != nil {
		o = *opts
	}
	if ev.file == nil {
		return errors.New("fanotify respond: event has no file descriptor")
	}
	if o.Errno > sys.FAN_ERRNO_MASK {
		return fmt.Errorf("fanotify respond: errno %d out of range (at most %d)", uint64(o.Errno), sys.FAN_ERRNO_MASK)
	}
	resp := uint32(d) | uint32(o.Errno)<<sys.FAN_ERRNO_SHIFT
	if o.Audit {
		resp |= sys.FAN_AUDIT
	}
	var b [8 + 16]byte
	n := 8
	binary.NativeEndian.PutUint32(b[4:], resp)
	if o.AuditRule != nil {
		binary.NativeEndian.PutUint32(b[4:], resp|sys.FAN_INFO)
		b[8] = sys.FAN_RESPONSE_INFO_AUDIT_RULE
		binary.NativeEndian.PutUint16(b[10:], 16)
		binary.NativeEndian.PutUint32(b[12:], o.AuditRule.Rule)
		binary.NativeEndian.PutUint32(b[16:], uint32(o.AuditRule.SubjectTrust))
		binary.NativeEndian.PutUint32(b[20:], uint32(o.AuditRule.ObjectTrust))
		n = len(b)
	}
	_, err := poll.ControlT(g.pfd, "write", func(fd int) (struct{}, error) {
		return struct{}{}, sys.Control(ev.file, func(efd int) error {
			binary.NativeEndian.PutUint32(b[0:], uint32(int32(efd)))
			_, err := sys.Write(fd, b[:n])
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("fanotify respond %s: %w", d, respondFeature(o, err))
	}
	return nil
}

// respondFeature names what an older kernel refused with EINVAL: the
// audit rule record (Linux 6.3) or an errno in the response (6.14). The
// event is still pending then; answer it again without the option.
func respondFeature(o ResponseOptions, err error) error {
	if sys.Errno(err) != sys.EINVAL {
		return err
	}
	running, verr := kernel.Running()
	switch {
	case verr != nil:
		return err
	case o.Errno != 0 && !running.AtLeast(kernel.V(6, 14)):
		return &kernel.FeatureError{Feature: "FAN_DENY_ERRNO", MinKernel: kernel.V(6, 14), Err: err}
	case o.AuditRule != nil && !running.AtLeast(kernel.V(6, 3)):
		return &kernel.FeatureError{Feature: "FAN_RESPONSE_INFO_AUDIT_RULE", MinKernel: kernel.V(6, 3), Err: err}
	}
	return err
}
