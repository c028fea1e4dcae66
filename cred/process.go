package cred

import (
	"fmt"
	"io/fs"

	"github.com/lxgo/lx/internal/sys"
)

// Current returns the calling process's credentials: the real,
// effective and saved ids from getresuid(2) and getresgid(2), the file
// system ids from setfsuid(2) and setfsgid(2) with -1 (which change
// nothing and return the current id), and the supplementary groups from
// getgroups(2). It needs no privilege and reads no file. The ids are as
// the process's own user namespace sees them.
//
// The kernel keeps credentials per thread; a Go program's threads share
// them because every setter (these, Go's syscall package, os/exec's
// SysProcAttr.Credential in the child) changes every thread. Only
// setfsuid(2), which lx does not offer, changes one thread alone.
func Current() (Creds, error) {
	var c Creds
	r, e, s := sys.Getresuid()
	c.UID = UIDs{Real: UID(r), Effective: UID(e), Saved: UID(s), FS: UID(sys.Getfsuid())}
	rg, eg, sg := sys.Getresgid()
	c.GID = GIDs{Real: GID(rg), Effective: GID(eg), Saved: GID(sg), FS: GID(sys.Getfsgid())}
	groups, err := Groups()
	if err != nil {
		return Creds{}, err
	}
	c.Groups = groups
	return c, nil
}

// Groups returns the calling process's supplementary groups
// (getgroups(2)), in the kernel's order (sorted), never nil.
func Groups() ([]GID, error) {
	gids, err := sys.Getgroups()
	if err != nil {
		return nil, fmt.Errorf("cred: read groups: %w", err)
	}
	out := make([]GID, len(gids))
	for i, g := range gids {
		out[i] = GID(g)
	}
	return out, nil
}

// SetResUID sets the real, effective and saved user ids of the whole
// process (setresuid(2)); InvalidUID leaves one unchanged. The file
// system user id follows the effective one. Without CAP_SETUID each new
// id must be one of the current real, effective and saved ids; else the
// error matches fs.ErrPermission and nothing changed.
//
// It uses Go's syscall.Setresuid, which since Go 1.16 changes every
// thread of the process (by syscall.AllThreadsSyscall, or glibc's
// mechanism in a cgo program). Leaving uid 0 also clears the permitted
// and effective capability sets, unless SECBIT_KEEP_CAPS or
// SECBIT_NO_SETUID_FIXUP is set (capabilities(7)).
func SetResUID(real, effective, saved UID) error {
	if err := sys.Setresuid(uint32(real), uint32(effective), uint32(saved)); err != nil {
		return fmt.Errorf("cred: set user ids %s: %w", idTriple(real, effective, saved), err)
	}
	return nil
}

// SetResGID sets the real, effective and saved group ids of the whole
// process (setresgid(2), Go's syscall.Setresgid: every thread), as
// SetResUID. Without CAP_SETGID each new id must be one of the current
// real, effective and saved group ids.
func SetResGID(real, effective, saved GID) error {
	if err := sys.Setresgid(uint32(real), uint32(effective), uint32(saved)); err != nil {
		return fmt.Errorf("cred: set group ids %s: %w", idTriple(real, effective, saved), err)
	}
	return nil
}

// idTriple formats three ids for an error, "-1" for an unchanged one.
func idTriple[T ~uint32](r, e, s T) string {
	f := func(id T) string {
		if uint32(id) == uint32(InvalidUID) {
			return "-1"
		}
		return fmt.Sprint(uint32(id))
	}
	return f(r) + "," + f(e) + "," + f(s)
}

// SetGroups sets the supplementary groups of the whole process
// (setgroups(2), Go's syscall.Setgroups: every thread). It needs
// CAP_SETGID; in a user namespace, also "allow" in
// /proc/PID/setgroups. An empty or nil gids clears them. The kernel
// refuses more than NGROUPS_MAX (65536) groups with EINVAL, and
// InvalidGID (which no group is) also with EINVAL: SetGroups refuses it
// first, naming it.
func SetGroups(gids []GID) error {
	in := make([]uint32, len(gids))
	for i, g := range gids {
		if g == InvalidGID {
			return fmt.Errorf("cred: set groups: group %d is (gid_t)-1, not a group: %w", uint32(g), fs.ErrInvalid)
		}
		in[i] = uint32(g)
	}
	if err := sys.Setgroups(in); err != nil {
		return fmt.Errorf("cred: set groups: %w", err)
	}
	return nil
}

// InitGroups sets the supplementary groups of the whole process to
// those initgroups(3) gives user from the files of db: primary (the
// user's primary group, or any group the caller chooses) and every
// group listing user as a member (GroupsOf). It needs what SetGroups
// needs. Unlike initgroups(3) it consults only the files db was loaded
// from, never other NSS sources.
func (db *Database) InitGroups(user string, primary GID) error {
	return SetGroups(db.GroupsOf(user, primary))
}
