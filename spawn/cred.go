package spawn

import (
	"fmt"
	"io/fs"
	"syscall"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/thread"
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
	groups := make([]uint32, len(cr.Groups))
	for i, g := range cr.Groups {
		if g == cred.InvalidGID {
			return fmt.Errorf("credentials: group %d is not a group id: %w", g, fs.ErrInvalid)
		}
		groups[i] = uint32(g)
	}
	p.attr.Credential = &syscall.Credential{Uid: uint32(cr.UID), Gid: uint32(cr.GID), Groups: groups, NoSetGroups: cr.KeepGroups}
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
