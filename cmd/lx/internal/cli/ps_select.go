package cli

// The selection of lx ps: -p, -u and --comm.

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"strconv"
	"strings"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
)

// psSelection is what -p, -u and --comm select: a process must match each
// kind that is given (nil or empty: any process), and one of its values.
type psSelection struct {
	pids  map[int]bool
	uids  map[cred.UID]bool
	comms []string
}

// active reports whether any selection flag was given.
func (s *psSelection) active() bool { return s.pids != nil || s.uids != nil || s.comms != nil }

func (s *psSelection) pidOK(pid int) bool { return s.pids == nil || s.pids[pid] }

func (s *psSelection) uidOK(uid cred.UID) bool { return s.uids == nil || s.uids[uid] }

func (s *psSelection) commOK(c *procfs.Comm) bool {
	if s.comms == nil {
		return true
	}
	for _, name := range s.comms {
		if c.Equal(name) {
			return true
		}
	}
	return false
}

// selection returns the selection of c's flags, resolving -u's names in
// users.
func (c *psCommand) selection(users *cred.Database) (psSelection, error) {
	sel := psSelection{comms: c.comms}
	if c.pids != nil {
		sel.pids = map[int]bool{}
		for _, pid := range c.pids {
			sel.pids[pid] = true
		}
	}
	if c.users != nil {
		sel.uids = map[cred.UID]bool{}
		for _, u := range c.users {
			uid, err := lookupPSUser(users, u)
			if err != nil {
				return sel, err
			}
			sel.uids[uid] = true
		}
	}
	return sel, nil
}

// lookupPSUser returns the user id that -u's value u names: a decimal
// number is a uid (as procps's parse_uid reads it first), anything else a
// name from the user database.
func lookupPSUser(users *cred.Database, u string) (cred.UID, error) {
	if u != "" && strings.Trim(u, "0123456789") == "" {
		uid, err := cred.ParseUID(u)
		if err != nil {
			return 0, Usagef("-u: user id %s is out of range: want 0..%d", u, uint32(math.MaxUint32))
		}
		return uid, nil
	}
	user, err := users.LookupUser(u)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0, Usagef("-u: unknown user %q (not in /etc/passwd)", u)
	case err != nil:
		return 0, err
	}
	return user.UID, nil
}

// psPIDList is the value of -p: process ids, comma-separated, each
// checked with kernel.CheckPID; the lists of repeated flags joined.
type psPIDList []int

func (l *psPIDList) String() string {
	if l == nil {
		return ""
	}
	s := make([]string, len(*l))
	for i, pid := range *l {
		s[i] = strconv.Itoa(pid)
	}
	return strings.Join(s, ",")
}

func (l *psPIDList) Set(s string) error {
	var pids []int
	for item := range strings.SplitSeq(s, ",") {
		pid, err := strconv.Atoi(item)
		var numErr *strconv.NumError
		switch {
		case errors.As(err, &numErr) && numErr.Err == strconv.ErrRange:
			return fmt.Errorf("invalid pid %s: want 1..%d", item, kernel.MaxPID)
		case err != nil:
			return fmt.Errorf("invalid pid %q: not a decimal number", item)
		}
		if err := kernel.CheckPID(pid); err != nil {
			return err
		}
		pids = append(pids, pid)
	}
	*l = append(*l, pids...)
	return nil
}

// psList is the value of a flag that takes comma-separated words, the
// lists of repeated flags joined.
type psList []string

func (l *psList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

func (l *psList) Set(s string) error {
	for item := range strings.SplitSeq(s, ",") {
		if item == "" {
			return fmt.Errorf("empty item in %q", s)
		}
		*l = append(*l, item)
	}
	return nil
}

// psStrings is the value of a flag that takes one string, any bytes, and
// may be repeated.
type psStrings []string

func (l *psStrings) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, " ")
}

func (l *psStrings) Set(s string) error {
	*l = append(*l, s)
	return nil
}
