package cred

import (
	"errors"
	"io/fs"
	"slices"
	"testing"
)

func loadTestdata(t *testing.T) *Database {
	t.Helper()
	db, err := LoadDatabase(&DatabaseOptions{Root: "testdata/system"})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestUsers(t *testing.T) {
	db := loadTestdata(t)
	var names []string
	for u := range db.Users() {
		names = append(names, u.Name)
	}
	want := []string{"root", "daemon", "alice", "bob", "carol", "dave", "", "alice", "alias-root", "crlf", "tab\tname", "caf\u00e9", "bad\xffutf8", "nobody"}
	if !slices.Equal(names, want) {
		t.Errorf("users = %q,\nwant %q", names, want)
	}
	for _, c := range []struct {
		name string
		want User
	}{
		{"alice", User{"alice", 1000, 1000, "Alice Liddell,,,", "/home/alice", "/bin/zsh"}},
		{"bob", User{"bob", 1001, 1001, "Bob", "/home/bob", "/bin/sh"}},
		{"carol", User{"carol", 1002, 100, "", "", ""}},
		{"dave", User{"dave", 1003, 100, "Dave", "/home/dave", "/bin/sh:with:colons"}},
		{"crlf", User{"crlf", 1005, 1005, "CRLF line", "/home/crlf", "/bin/sh\r"}},
		{"bad\xffutf8", User{"bad\xffutf8", 1008, 1008, "invalid UTF-8", "/", "/bin/sh"}},
		{"nobody", User{"nobody", 65534, 65534, "nobody", "/nonexistent", "/usr/sbin/nologin"}},
	} {
		u, err := db.LookupUser(c.name)
		if err != nil || u != c.want {
			t.Errorf("LookupUser(%q) = %+v, %v; want %+v", c.name, u, err, c.want)
		}
		if byID, err := db.LookupUID(c.want.UID); err != nil || byID != c.want {
			t.Errorf("LookupUID(%d) = %+v, %v; want %+v", c.want.UID, byID, err, c.want)
		}
	}
	// The first entry of a name or id wins.
	if u, _ := db.LookupUID(0); u.Name != "root" {
		t.Errorf("LookupUID(0) = %q, want root", u.Name)
	}
	if u, _ := db.LookupUID(2000); u.Name != "alice" || u.Gecos != "second alice" {
		t.Errorf("LookupUID(2000) = %+v", u)
	}
	if u, err := db.LookupUser(""); err != nil || u.UID != 1004 {
		t.Errorf("LookupUser(\"\") = %+v, %v; glibc takes an empty name too", u, err)
	}
	for _, name := range []string{"mallory", "+@netgroup", "-mallory", "broken", "noids", "badid", "signed", "negative", "invalid", "huge", "# a comment"} {
		_, err := db.LookupUser(name)
		var nf *NotFoundError
		if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &nf) || nf.What != "user" || nf.Key != name {
			t.Errorf("LookupUser(%q) error = %v, want a NotFoundError", name, err)
		}
	}
	_, err := db.LookupUID(4242)
	if !errors.Is(err, fs.ErrNotExist) || err.Error() != "cred: unknown user id 4242" {
		t.Errorf("LookupUID(4242) error = %v", err)
	}
	_, err = db.LookupUser("ev\nil")
	if err == nil || err.Error() != `cred: unknown user "ev\nil"` {
		t.Errorf("LookupUser with a newline: error %v", err)
	}
	for range db.Users() {
		break
	}
}

func TestGroups(t *testing.T) {
	db := loadTestdata(t)
	var names []string
	for g := range db.Groups() {
		names = append(names, g.Name)
	}
	want := []string{"root", "daemon", "users", "wheel", "alice", "bob", "nomembers", "", "users", "other-users", "audio", "nogroup"}
	if !slices.Equal(names, want) {
		t.Errorf("groups = %q,\nwant %q", names, want)
	}
	for _, c := range []struct {
		name    string
		gid     GID
		members []string
	}{
		{"users", 100, []string{"alice", "bob"}},
		{"wheel", 10, []string{"alice", "carol ", "dave"}},
		{"nomembers", 200, nil},
		{"root", 0, nil},
	} {
		g, err := db.LookupGroup(c.name)
		if err != nil || g.Name != c.name || g.GID != c.gid || !slices.Equal(g.Members, c.members) {
			t.Errorf("LookupGroup(%q) = %+v, %v; want %d %q", c.name, g, err, c.gid, c.members)
		}
		if byID, err := db.LookupGID(c.gid); err != nil || byID.Name != c.name {
			t.Errorf("LookupGID(%d) = %+v, %v", c.gid, byID, err)
		}
	}
	if g, _ := db.LookupGID(101); g.Name != "users" || !slices.Equal(g.Members, []string{"alice"}) {
		t.Errorf("LookupGID(101) = %+v (the second users line)", g)
	}
	for _, name := range []string{"badgid", "broken", "+", "-badgroup"} {
		if _, err := db.LookupGroup(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("LookupGroup(%q) error = %v", name, err)
		}
	}
	if _, err := db.LookupGID(400); err == nil || err.Error() != "cred: unknown group id 400" {
		t.Errorf("LookupGID(400) error = %v", err)
	}
}

func TestGroupsOf(t *testing.T) {
	db := loadTestdata(t)
	for _, c := range []struct {
		user    string
		primary GID
		want    []GID
	}{
		{"alice", 1000, []GID{1000, 100, 10, 300, 101, 29}},
		{"bob", 1001, []GID{1001, 100, 29}},
		{"carol", 100, []GID{100}}, // "carol " in wheel is another name; other-users has gid 100 already
		{"dave", 100, []GID{100, 10}},
		{"alice", 100, []GID{100, 10, 300, 101, 29}},
		{"nobody", 65534, []GID{65534}},
		{"unknown", 5, []GID{5}},
	} {
		if got := db.GroupsOf(c.user, c.primary); !slices.Equal(got, c.want) {
			t.Errorf("GroupsOf(%q, %d) = %v, want %v", c.user, c.primary, got, c.want)
		}
	}
}

func TestLoadDatabaseFiles(t *testing.T) {
	db, err := LoadDatabase(&DatabaseOptions{Root: "testdata/missing"})
	if err != nil {
		t.Fatalf("missing files: %v", err)
	}
	if _, err := db.LookupUID(0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("empty database LookupUID(0): %v", err)
	}
	_, err = LoadDatabase(&DatabaseOptions{Root: "testdata/unreadable"})
	var pe *fs.PathError
	if err == nil || errors.Is(err, fs.ErrNotExist) || !errors.As(err, &pe) || pe.Path != "testdata/unreadable/etc/passwd" {
		t.Errorf("passwd that is a directory: %v", err)
	}
}

// TestLoadDatabaseSystem loads this machine's database: root is a user
// wherever /etc/passwd exists.
func TestLoadDatabaseSystem(t *testing.T) {
	for _, opts := range []*DatabaseOptions{nil, {Root: "/"}} {
		db, err := LoadDatabase(opts)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(db.users); n == 0 {
			t.Skip("no /etc/passwd here")
		}
		if u, err := db.LookupUID(0); err != nil || u.Name == "" {
			t.Errorf("LookupUID(0) = %+v, %v", u, err)
		}
	}
}
