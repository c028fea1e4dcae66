package spawn

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/thread"
	"github.com/lxgo/lx/ns"
)

// Capabilities is the capability state a child starts its program with
// (capabilities(7)). Every field is the child's whole set, not a change:
// the zero value, &Capabilities{}, leaves the child no capability at all
// after execve(2), whatever its uid, and none its descendants can regain.
//
// How execve(2) turns the sets into the program's, for a program without
// file capabilities and not set-user-ID (P is the set before execve, P'
// after):
//
//   - a child whose uid is not 0 (see Command.Credentials), or any child
//     under capability.SecbitNoRoot: permitted' = effective' = ambient'
//     = Ambient. Ambient capabilities are the way a program running as an
//     ordinary user keeps one, such as cap_net_bind_service;
//   - a child running as root: permitted' = effective' = Bounding
//     (root's programs get every capability the bounding set allows,
//     which includes Inheritable and Ambient);
//   - a program with file capabilities instead gets (Inheritable ∩ its
//     file inheritable set) ∪ (its file permitted set ∩ Bounding), and
//     no ambient set;
//   - inheritable' = Inheritable in every case.
//
// The bounding set, inheritable set and securebits are set on the
// forking thread, which the child inherits them from: an unchanged set
// costs no system call, so a caller without CAP_SETPCAP may pass the sets
// it already has. The ambient set is raised in the child, after the
// credentials change: setuid(2) from uid 0 to another clears the ambient
// set (and the permitted and effective sets, which is why the standard
// library keeps them with PR_SET_KEEPCAPS until then), so spawn gives
// Ambient to syscall.SysProcAttr.AmbientCaps, which raises it after
// setuid(2) and before execve(2).
//
// A new user namespace (NewNamespaces with ns.CloneNewUser) gives the
// child a full bounding set and empty inheritable and ambient sets of its
// own (user_namespaces(7)), which would silently undo these: a Command
// with both is refused.
type Capabilities struct {
	// Bounding is the bounding set the child keeps: every other
	// capability is dropped from the forking thread's (prctl(2)
	// PR_CAPBSET_DROP, which needs CAP_SETPCAP). It limits what
	// execve(2) may ever grant the child and its descendants, through
	// root or file capabilities.
	Bounding capability.Set
	// Inheritable is the child's inheritable set (capset(2) on the
	// forking thread; a capability outside the caller's permitted set
	// needs CAP_SETPCAP). It must be within Bounding.
	Inheritable capability.Set
	// Ambient is the child's ambient set (Linux 4.3), which its program
	// keeps as permitted and effective capabilities (see above). Each
	// capability must be in the caller's permitted set and in Bounding;
	// spawn adds them to the child's inheritable set, as the kernel
	// requires of an ambient capability.
	Ambient capability.Set
	// Securebits are the child's securebits (prctl(2)
	// PR_SET_SECUREBITS on the forking thread, which needs CAP_SETPCAP
	// unless they are the caller's already). SecbitNoCapAmbientRaise
	// cannot go with an Ambient set. SecbitKeepCaps is cleared by
	// execve(2).
	Securebits capability.Securebits
}

// allSecurebits are the securebits the kernel knows.
const allSecurebits = capability.SecbitNoRoot | capability.SecbitNoRootLocked |
	capability.SecbitNoSetuidFixup | capability.SecbitNoSetuidFixupLocked |
	capability.SecbitKeepCaps | capability.SecbitKeepCapsLocked |
	capability.SecbitNoCapAmbientRaise | capability.SecbitNoCapAmbientRaiseLocked

// prepareCapabilities checks Capabilities, adds the thread step that sets
// the bounding and inheritable sets and the securebits, and hands the
// ambient set to the standard library's fork path.
func (p *plan) prepareCapabilities(c *Command) error {
	cs := c.Capabilities
	if cs == nil {
		return nil
	}
	if c.NewNamespaces&ns.CloneNewUser != 0 {
		return fmt.Errorf("capabilities with a new user namespace, which gives the child a full bounding set "+
			"and empty inheritable and ambient sets of its own: %w", fs.ErrInvalid)
	}
	full, err := capability.Full()
	if err != nil {
		return fmt.Errorf("capabilities: %w", err)
	}
	last, _ := capability.Last()
	for _, s := range []struct {
		name string
		set  capability.Set
	}{{"bounding", cs.Bounding}, {"inheritable", cs.Inheritable}, {"ambient", cs.Ambient}} {
		for cp := range (s.set &^ full).All() {
			return fmt.Errorf("capabilities: %s set: capability %v: the running kernel's last capability is %v (%d): %w",
				s.name, cp, last, last, fs.ErrInvalid)
		}
	}
	for _, s := range []struct {
		name string
		set  capability.Set
	}{{"inheritable", cs.Inheritable}, {"ambient", cs.Ambient}} {
		if out := s.set &^ cs.Bounding; out != 0 {
			return fmt.Errorf("capabilities: %s set %v is not within the bounding set %v: %w", s.name, out, cs.Bounding, fs.ErrInvalid)
		}
	}
	if u := cs.Securebits &^ allSecurebits; u != 0 {
		return fmt.Errorf("capabilities: unknown securebits %#x: %w", uint32(u), fs.ErrInvalid)
	}
	if cs.Ambient != 0 && cs.Securebits&capability.SecbitNoCapAmbientRaise != 0 {
		return fmt.Errorf("capabilities: an ambient set with %v: %w", capability.SecbitNoCapAmbientRaise, fs.ErrInvalid)
	}
	for cp := range cs.Ambient.All() {
		p.attr.AmbientCaps = append(p.attr.AmbientCaps, uintptr(cp))
	}
	want := *cs
	p.taint = true
	p.thread = append(p.thread, threadStep{StepCapabilities, func(*thread.Thread) error { return setCapabilities(want) }})
	return nil
}

// setCapabilities is the thread step of prepareCapabilities: it gives the
// calling thread cs's bounding and inheritable sets and securebits, and
// an empty ambient set for the fork path to raise cs.Ambient in. Each
// change is made only if the thread's state differs. The inheritable set
// is set first, while the bounding set still allows raising it.
func setCapabilities(cs Capabilities) error {
	cur, err := capability.Current()
	if err != nil {
		return err
	}
	if missing := cs.Ambient &^ cur.Permitted; missing != 0 {
		return fmt.Errorf("ambient set %v: not in the caller's permitted set %v: %w", missing, cur.Permitted, fs.ErrPermission)
	}
	if cur.Inheritable != cs.Inheritable {
		st := cur.State()
		st.Inheritable = cs.Inheritable
		if err := capability.SetState(capability.ThreadScope, st); err != nil {
			return err
		}
	}
	if cur.Ambient != 0 {
		if err := capability.ClearAmbient(capability.ThreadScope); err != nil {
			return err
		}
	}
	if drop := cur.Bounding &^ cs.Bounding; drop != 0 {
		if err := capability.DropBound(capability.ThreadScope, drop); err != nil {
			return err
		}
	}
	bits, err := capability.CurrentSecurebits()
	if err != nil {
		return err
	}
	if bits != cs.Securebits {
		return capability.SetSecurebits(capability.ThreadScope, cs.Securebits)
	}
	return nil
}

// prepareLandlock adds the thread step that restricts the forking thread
// with the Landlock ruleset, last of the thread steps but a seccomp
// filter's: a restricted thread may be refused what the steps before do
// (opening /proc/TID/timens_offsets, say).
func (p *plan) prepareLandlock(c *Command) error {
	rs := c.Landlock
	if rs == nil {
		return nil
	}
	p.taint, p.landlock = true, true
	p.thread = append(p.thread, threadStep{StepLandlock, func(*thread.Thread) error { return rs.RestrictThread() }})
	return nil
}

// landlockMapError explains the EACCES of writing a new user namespace's
// id maps from a forking thread restricted by Landlock: the standard
// library writes /proc/PID/uid_map, setgroups and gid_map from that
// thread, after the fork.
func landlockMapError(landlocked bool, step Step, err error) error {
	if !landlocked || (step != StepUIDMap && step != StepGIDMap) || !errors.Is(err, fs.ErrPermission) {
		return err
	}
	return fmt.Errorf("%w (the forking thread, restricted by Landlock, writes /proc/PID/%s: the ruleset must allow writing there)",
		err, map[Step]string{StepUIDMap: "uid_map", StepGIDMap: "gid_map"}[step])
}
