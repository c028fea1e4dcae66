package spawn

import (
	"fmt"
	"io/fs"

	"github.com/lxgo/lx/internal/sys"
)

// prepareSession makes the child a session leader, with its controlling
// terminal.
func (p *plan) prepareSession(c *Command) error {
	s := c.Session
	if s == nil {
		return nil
	}
	p.attr.Setsid = true
	if s.Terminal == nil {
		return nil
	}
	fd := -1
	for i, f := range p.files {
		if f == s.Terminal {
			fd = i
			break
		}
	}
	if fd < 0 {
		return fmt.Errorf("session terminal %s is not one of the child's files: %w", s.Terminal.Name(), fs.ErrInvalid)
	}
	if err := sys.Control(s.Terminal, sys.Tcgets); err != nil {
		if sys.Errno(err) == sys.ENOTTY {
			err = fmt.Errorf("%w (%w)", fs.ErrInvalid, err)
		}
		return fmt.Errorf("session terminal %s: not a terminal: %w", s.Terminal.Name(), err)
	}
	p.attr.Setctty = true
	p.attr.Ctty = fd
	return nil
}
