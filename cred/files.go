package cred

import (
	"math"
	"strings"

	"github.com/lxgo/lx/internal/parse"
)

// The parsers follow glibc's nss_files (nss/nss_files/files-parse.c,
// pwd/fgetpwent_r.c, grp/fgetgrent_r.c): a line is its text up to '\n';
// leading white space is skipped, and a line that is then empty or
// starts with '#' is a comment. Fields after the ids may be missing
// (they are empty), the last one runs to the end of the line, colons
// included, and trailing bytes ('\r', spaces) are kept exactly; even an
// empty name is a name. Where glibc's files module accepts more, lx skips
// the line: NIS compat entries ('+' or '-' first, which only nss_compat
// gives a meaning) and an id that is not a plain decimal number below
// 4294967295 (glibc's strtoul takes " 12", "+12" and "-1", and clamps
// larger numbers to (uid_t)-1).

// dataLines yields the lines of s that are neither blank nor comments
// nor NIS compat entries, without leading white space.
func dataLines(s string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for len(s) > 0 {
			line, rest, _ := strings.Cut(s, "\n")
			s = rest
			line = strings.TrimLeft(line, " \t\v\f\r")
			if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
				continue
			}
			if !yield(line) {
				return
			}
		}
	}
}

// splitFields cuts line at colons into f: every field but the last ends
// at a colon, the last is the rest of the line, and fields past the end
// of the line are empty. It returns the number of colons it cut at.
func splitFields(line string, f []string) int {
	clear(f)
	for i := range len(f) - 1 {
		before, after, ok := strings.Cut(line, ":")
		if !ok {
			f[i] = line
			return i
		}
		f[i], line = before, after
	}
	f[len(f)-1] = line
	return len(f) - 1
}

// id parses a decimal id that is not (uint32)-1.
func id(s string) (uint32, bool) {
	n, err := parse.Uint([]byte(s))
	if err != nil || n >= math.MaxUint32 {
		return 0, false
	}
	return uint32(n), true
}

// parsePasswd parses passwd(5) lines, name:password:UID:GID:GECOS:home:shell.
func parsePasswd(s string) []User {
	var users []User
	var f [7]string
	for line := range dataLines(s) {
		if splitFields(line, f[:]) < 3 {
			continue
		}
		uid, ok1 := id(f[2])
		gid, ok2 := id(f[3])
		if !ok1 || !ok2 {
			continue
		}
		users = append(users, User{Name: f[0], UID: UID(uid), GID: GID(gid), Gecos: f[4], Home: f[5], Shell: f[6]})
	}
	return users
}

// parseGroup parses group(5) lines, name:password:GID:member,member,...
// Leading white space of a member is skipped and empty members are
// dropped, as glibc does; trailing white space stays.
func parseGroup(s string) []Group {
	var groups []Group
	var f [4]string
	for line := range dataLines(s) {
		if splitFields(line, f[:]) < 2 {
			continue
		}
		gid, ok := id(f[2])
		if !ok {
			continue
		}
		g := Group{Name: f[0], GID: GID(gid)}
		for m := range strings.SplitSeq(f[3], ",") {
			if m = strings.TrimLeft(m, " \t\v\f\r"); m != "" {
				g.Members = append(g.Members, m)
			}
		}
		groups = append(groups, g)
	}
	return groups
}
