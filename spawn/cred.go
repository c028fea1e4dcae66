package spawn

import (
	"fmt"
	"io/fs"
	"syscall"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/thread"
	"github.com/lxgo/lx/ns"
)

// maxGroups is NGROUPS_MAX, the most supplementary groups a process has.
const maxGroups = 65536

// prepareCredentials checks Credentials and hands them to the standard
// library's fork path.
func (p *plan) prepareCredentials(c *Command) error {
	cr := c.Credentials
	if cr == nil {
		return nil
	}
	switch {
	case cr.UID == cred.InvalidUID:
		return fmt.Errorf("credentials: uid %d means \"no change\" to setuid(2): %w", cr.UID, fs.ErrInvalid)
	case cr.GID == cred.InvalidGID:
		return fmt.Errorf("credentials: gid %d means \"no change\" to setgid(2): %w", cr.GID, fs.ErrInvalid)
	case cr.KeepGroups && len(cr.Groups) > 0:
		return fmt.Errorf("credentials: KeepGroups with Groups: %w", fs.ErrInvalid)
	case len(cr.Groups) > maxGroups:
		return fmt.Errorf("credentials: %d groups, at most %d allowed: %w", len(cr.Groups), maxGroups, fs.ErrInvalid)
	}
	// In a new user namespace the ids are the namespace's, valid only
	// if mapped, and setgroups(2) works only with the policy "allow";
	// with "deny" empty groups mean "leave them".
	keep := cr.KeepGroups
	if c.NewNamespaces&ns.CloneNewUser != 0 {
		if !mapped(c.UIDMap, uint32(cr.UID)) {
			return fmt.Errorf("credentials: uid %d is not mapped by UIDMap in the new user namespace: %w", cr.UID, fs.ErrInvalid)
		}
		for _, g := range append([]cred.GID{cr.GID}, cr.Groups...) {
			if !mapped(c.GIDMap, uint32(g)) {
				return fmt.Errorf("credentials: gid %d is not mapped by GIDMap in the new user namespace: %w", g, fs.ErrInvalid)
			}
		}
		if c.Setgroups != ns.SetgroupsAllow {
			if len(cr.Groups) > 0 {
				return fmt.Errorf("credentials: supplementary groups in a new user namespace need Setgroups ns.SetgroupsAllow: %w", fs.ErrInvalid)
			}
			keep = true
		}
	}
	groups := make([]uint32, len(cr.Groups))
	for i, g := range cr.Groups {
		if g == cred.InvalidGID {
			return fmt.Errorf("credentials: group %d is not a group id: %w", g, fs.ErrInvalid)
		}
		groups[i] = uint32(g)
	}
	p.attr.Credential = &syscall.Credential{Uid: uint32(cr.UID), Gid: uint32(cr.GID), Groups: groups, NoSetGroups: keep}
	return nil
}

// prepareNoNewPrivs sets no_new_privs on the forking thread, which the
// child inherits.
func (p *plan) prepareNoNewPrivs(c *Command) error {
	if !c.NoNewPrivs {
		return nil
	}
	p.taint = true
	p.thread = append(p.thread, threadStep{StepNoNewPrivs, func(*thread.Thread) error { return sys.SetNoNewPrivs() }})
	return nil
}

// mapped reports whether id is inside one of m's ranges.
func mapped(m ns.IDMap, id uint32) bool {
	for _, e := range m {
		if id >= e.Inside && uint64(id) < uint64(e.Inside)+uint64(e.Count) {
			return true
		}
	}
	return false
}
