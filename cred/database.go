package cred

import (
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// User is an entry of /etc/passwd (passwd(5)), without its password
// field (almost always "x": the hash is in /etc/shadow).
type User struct {
	Name  string // login name
	UID   UID
	GID   GID    // primary group
	Gecos string // comment: full name and contact fields, comma-separated by convention
	Home  string // home directory
	Shell string // login shell
}

// Group is an entry of /etc/group (group(5)), without its password
// field.
type Group struct {
	Name string
	GID  GID
	// Members are the user names listed as members: the users that have
	// the group as a supplementary group. A user's primary group does
	// not list the user. The slice is shared with the Database; do not
	// modify it.
	Members []string
}

// Database is a loaded user and group database: the users of
// /etc/passwd and the groups of /etc/group, indexed for lookup by id and
// by name, so that naming many ids (a process table) costs one map
// lookup each. A Database never changes after LoadDatabase; it is safe
// for concurrent use.
//
// The files are read as glibc's files module reads them, and lx finds
// the same entries in them (checked with getent -s files), except that
// it skips NIS compat entries. Lines that are blank, comments ('#' after
// optional white space), NIS compat entries (starting with '+' or '-')
// or malformed (too few fields, an id that is not a decimal number below
// 4294967295) are skipped, never an error. Where two entries have the
// same name or id, lookups find the first, as getpwnam(3) and
// getpwuid(3) do.
type Database struct {
	users       []User
	groups      []Group
	userByID    map[UID]int
	userByName  map[string]int
	groupByID   map[GID]int
	groupByName map[string]int
}

// DatabaseOptions modify LoadDatabase. nil means the running system.
type DatabaseOptions struct {
	// Root is the directory that stands for / of the system whose
	// database is read: root/etc/passwd and root/etc/group. "" and "/"
	// mean this machine; "/proc/PID/root" a container's files (reading
	// it needs the same access as the process's root directory); a
	// testdata tree in tests.
	Root string
}

// LoadDatabase reads root/etc/passwd and root/etc/group (see
// DatabaseOptions) and indexes them. A file that does not exist gives an
// empty table (minimal containers have neither); any other read error is
// returned, as an *fs.PathError naming the file.
func LoadDatabase(opts *DatabaseOptions) (*Database, error) {
	root := "/"
	if opts != nil && opts.Root != "" {
		root = opts.Root
	}
	passwd, err := readOptional(filepath.Join(root, "etc/passwd"))
	if err != nil {
		return nil, fmt.Errorf("cred: read user database: %w", err)
	}
	group, err := readOptional(filepath.Join(root, "etc/group"))
	if err != nil {
		return nil, fmt.Errorf("cred: read group database: %w", err)
	}
	db := &Database{users: parsePasswd(passwd), groups: parseGroup(group)}
	db.index()
	return db, nil
}

// readOptional reads a file as one string (whose substrings become the
// database's strings: one allocation for all of them); a missing file is
// empty.
func readOptional(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return string(b), err
}

// index builds the lookup maps; the first entry of a name or id wins.
func (db *Database) index() {
	db.userByID = make(map[UID]int, len(db.users))
	db.userByName = make(map[string]int, len(db.users))
	for i, u := range db.users {
		if _, ok := db.userByID[u.UID]; !ok {
			db.userByID[u.UID] = i
		}
		if _, ok := db.userByName[u.Name]; !ok {
			db.userByName[u.Name] = i
		}
	}
	db.groupByID = make(map[GID]int, len(db.groups))
	db.groupByName = make(map[string]int, len(db.groups))
	for i, g := range db.groups {
		if _, ok := db.groupByID[g.GID]; !ok {
			db.groupByID[g.GID] = i
		}
		if _, ok := db.groupByName[g.Name]; !ok {
			db.groupByName[g.Name] = i
		}
	}
}

// NotFoundError reports a user or group the database does not have. It
// matches fs.ErrNotExist.
type NotFoundError struct {
	What string // "user", "user id", "group" or "group id"
	Key  string // the name, or the id in decimal
}

func (e *NotFoundError) Error() string {
	if strings.HasSuffix(e.What, " id") {
		return "cred: unknown " + e.What + " " + e.Key
	}
	return "cred: unknown " + e.What + " " + strconv.Quote(e.Key)
}

// Is makes errors.Is(err, fs.ErrNotExist) true.
func (e *NotFoundError) Is(target error) bool { return target == fs.ErrNotExist }

// LookupUID returns the first user with id uid; a missing one is a
// *NotFoundError.
func (db *Database) LookupUID(uid UID) (User, error) {
	if i, ok := db.userByID[uid]; ok {
		return db.users[i], nil
	}
	return User{}, &NotFoundError{What: "user id", Key: uid.String()}
}

// LookupUser returns the first user named name; a missing one is a
// *NotFoundError.
func (db *Database) LookupUser(name string) (User, error) {
	if i, ok := db.userByName[name]; ok {
		return db.users[i], nil
	}
	return User{}, &NotFoundError{What: "user", Key: name}
}

// LookupGID returns the first group with id gid; a missing one is a
// *NotFoundError.
func (db *Database) LookupGID(gid GID) (Group, error) {
	if i, ok := db.groupByID[gid]; ok {
		return db.groups[i], nil
	}
	return Group{}, &NotFoundError{What: "group id", Key: gid.String()}
}

// LookupGroup returns the first group named name; a missing one is a
// *NotFoundError.
func (db *Database) LookupGroup(name string) (Group, error) {
	if i, ok := db.groupByName[name]; ok {
		return db.groups[i], nil
	}
	return Group{}, &NotFoundError{What: "group", Key: name}
}

// Users yields every user in file order, duplicates included.
func (db *Database) Users() iter.Seq[User] {
	return func(yield func(User) bool) {
		for _, u := range db.users {
			if !yield(u) {
				return
			}
		}
	}
}

// Groups yields every group in file order, duplicates included.
func (db *Database) Groups() iter.Seq[Group] {
	return func(yield func(Group) bool) {
		for _, g := range db.groups {
			if !yield(g) {
				return
			}
		}
	}
}

// GroupsOf returns the groups initgroups(3) gives user: primary (the
// user's primary group from its passwd entry, or any other group the
// caller chooses) first, then, in file order, every group that lists
// user as a member, each id once, as getgrouplist(3) computes them from
// files.
func (db *Database) GroupsOf(user string, primary GID) []GID {
	gids := []GID{primary}
	for _, g := range db.groups {
		if slices.Contains(g.Members, user) && !slices.Contains(gids, g.GID) {
			gids = append(gids, g.GID)
		}
	}
	return gids
}
