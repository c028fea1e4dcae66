package cred

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
)

// getent runs glibc's getent -s files on a database and returns its
// lines.
func getent(t *testing.T, args ...string) []string {
	path, err := exec.LookPath("getent")
	if err != nil {
		t.Skip("getent (glibc) is not installed")
	}
	out, err := exec.Command(path, append([]string{"-s", "files"}, args...)...).Output()
	if err != nil {
		t.Skipf("getent -s files %v: %v", args, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}

// lxSkips reports whether lx skips an entry that glibc's files module
// takes (see files.go): a NIS compat name, an id that is not a plain
// decimal number below 4294967295, or one of the names in also (lines
// whose id glibc's strtoul reads but lx does not, which getent prints
// normalized).
func lxSkips(name string, ids []string, also []string) bool {
	if name != "" && (name[0] == '+' || name[0] == '-') || slices.Contains(also, name) {
		return true
	}
	for _, id := range ids {
		n, err := strconv.ParseUint(id, 10, 32)
		if err != nil || n == 1<<32-1 || strconv.FormatUint(n, 10) != id {
			return true
		}
	}
	return false
}

// compareWithGetent checks that db, loaded from /etc, has the users and
// groups glibc's files module reads from the same files, in the same
// order and with the same fields, and the same supplementary groups for
// each user.
func compareWithGetent(t *testing.T, db *Database, also []string) {
	// getent prints entries with putpwent(3), which refuses a field with
	// a colon in it: leave such users out.
	var users []User
	for u := range db.Users() {
		if !strings.Contains(u.Gecos+u.Home+u.Shell, ":") {
			users = append(users, u)
		}
	}
	i := 0
	for _, line := range getent(t, "passwd") {
		f := strings.SplitN(line, ":", 7)
		if len(f) != 7 || lxSkips(f[0], f[2:4], also) {
			continue
		}
		if i >= len(users) {
			t.Errorf("getent has user %q, lx has no more", f[0])
			continue
		}
		u := users[i]
		i++
		if u.Name != f[0] || u.UID.String() != f[2] || u.GID.String() != f[3] || u.Gecos != f[4] || u.Home != f[5] || u.Shell != f[6] {
			t.Errorf("getent %q; lx %+v", line, u)
		}
	}
	if i != len(users) {
		t.Errorf("lx has %d users, getent %d", len(users), i)
	}

	groups := slices.Collect(db.Groups())
	i = 0
	for _, line := range getent(t, "group") {
		f := strings.SplitN(line, ":", 4)
		if len(f) != 4 || lxSkips(f[0], f[2:3], also) {
			continue
		}
		if i >= len(groups) {
			t.Errorf("getent has group %q, lx has no more", f[0])
			continue
		}
		g := groups[i]
		i++
		var members []string
		if f[3] != "" {
			members = strings.Split(f[3], ",")
		}
		if g.Name != f[0] || g.GID.String() != f[2] || !slices.Equal(g.Members, members) {
			t.Errorf("getent %q; lx %+v", line, g)
		}
	}
	if i != len(groups) {
		t.Errorf("lx has %d groups, getent %d", len(groups), i)
	}

	for _, u := range users {
		if u.Name == "" || strings.ContainsAny(u.Name, " \t\r\n") {
			continue
		}
		f := strings.Fields(getent(t, "initgroups", u.Name)[0])
		if len(f) == 0 || f[0] != u.Name {
			t.Errorf("getent initgroups %s: %q", u.Name, f)
			continue
		}
		want := []string{u.GID.String()}
		for _, g := range f[1:] {
			if !slices.Contains(want, g) {
				want = append(want, g)
			}
		}
		var got []string
		for _, g := range db.GroupsOf(u.Name, u.GID) {
			got = append(got, g.String())
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("groups of %s: lx %v, getent %v", u.Name, got, want)
		}
	}
}

// TestMatchesGetent compares this machine's database with glibc's
// reading of it.
func TestMatchesGetent(t *testing.T) {
	db, err := LoadDatabase(nil)
	if err != nil {
		t.Fatal(err)
	}
	compareWithGetent(t, db, nil)
}

// TestTestdataMatchesGetent mounts the testdata files, with their
// comments, compat entries, CRLF and odd members, over /etc/passwd and
// /etc/group in a child's mount namespace, and compares lx with glibc on
// them.
func TestTestdataMatchesGetent(t *testing.T) {
	testutil.RequireCap(t, capability.SysAdmin)
	testutil.RunInChild(t, &testutil.ChildOptions{Cloneflags: syscall.CLONE_NEWNS}, func(t *testing.T) {
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			t.Fatalf("make / private in the child's namespace: %v", err)
		}
		for _, name := range []string{"passwd", "group"} {
			src, err := filepath.Abs("testdata/system/etc/" + name)
			if err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mount(src, "/etc/"+name, "", syscall.MS_BIND, ""); err != nil {
				t.Skipf("bind mount over /etc/%s: %v", name, err)
			}
		}
		db, err := LoadDatabase(nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.LookupUser("crlf"); err != nil {
			t.Fatalf("the testdata is not in place: %v", err)
		}
		// glibc's strtoul reads "+5" as 5.
		compareWithGetent(t, db, []string{"signed"})
	})
}
