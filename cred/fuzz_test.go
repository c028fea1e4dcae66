package cred

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// checkDatabase checks the invariants of a parsed database: names and
// ids as the files allow, and lookups that find the first entry.
func checkDatabase(t *testing.T, db *Database) {
	for i, u := range db.users {
		if strings.ContainsAny(u.Name, ":\n") || strings.ContainsAny(u.Gecos+u.Home, ":\n") || strings.Contains(u.Shell, "\n") || u.UID == InvalidUID || u.GID == InvalidGID {
			t.Fatalf("user %d: %+v", i, u)
		}
		if j := db.userByName[u.Name]; j > i || db.users[j].Name != u.Name {
			t.Fatalf("user %q at %d, LookupUser finds index %d", u.Name, i, j)
		}
		if got, err := db.LookupUID(u.UID); err != nil || got.UID != u.UID || db.userByID[u.UID] > i {
			t.Fatalf("LookupUID(%d) = %+v, %v", u.UID, got, err)
		}
	}
	for i, g := range db.groups {
		if strings.ContainsAny(g.Name, ":\n") || g.GID == InvalidGID {
			t.Fatalf("group %d: %+v", i, g)
		}
		for _, m := range g.Members {
			if m == "" || strings.ContainsAny(m, ",\n") || strings.IndexAny(m[:1], " \t\v\f\r") == 0 {
				t.Fatalf("group %q: member %q", g.Name, m)
			}
		}
		if got, err := db.LookupGroup(g.Name); err != nil || db.groupByName[g.Name] > i || got.Name != g.Name {
			t.Fatalf("LookupGroup(%q) = %+v, %v", g.Name, got, err)
		}
		gids := db.GroupsOf(g.Name, g.GID)
		if len(gids) == 0 || gids[0] != g.GID || len(slices.Compact(slices.Sorted(slices.Values(gids)))) != len(gids) {
			t.Fatalf("GroupsOf(%q, %d) = %v", g.Name, g.GID, gids)
		}
	}
}

// formatPasswd writes users back as passwd lines, leaving out those the
// format cannot carry back unchanged (a name a reader would skip or
// trim).
func formatPasswd(users []User) (string, []User) {
	var b strings.Builder
	var kept []User
	for _, u := range users {
		if u.Name != "" && strings.ContainsRune(" \t\v\f\r#+-", rune(u.Name[0])) {
			continue
		}
		b.WriteString(u.Name + ":x:" + u.UID.String() + ":" + u.GID.String() + ":" + u.Gecos + ":" + u.Home + ":" + u.Shell + "\n")
		kept = append(kept, u)
	}
	return b.String(), kept
}

func FuzzParsePasswd(f *testing.F) {
	if b, err := os.ReadFile("testdata/system/etc/passwd"); err == nil {
		f.Add(string(b))
	}
	f.Add("root:x:0:0:root:/root:/bin/bash\n")
	f.Add("a:x:1:1\n:x:2:2::/:\n+::::::\n # c\n")
	f.Fuzz(func(t *testing.T, in string) {
		db := &Database{users: parsePasswd(in)}
		db.index()
		checkDatabase(t, db)
		text, kept := formatPasswd(db.users)
		if back := parsePasswd(text); !slices.Equal(back, kept) {
			t.Fatalf("parse(format(%q)) = %+v, want %+v", text, back, kept)
		}
	})
}

func FuzzParseGroup(f *testing.F) {
	if b, err := os.ReadFile("testdata/system/etc/group"); err == nil {
		f.Add(string(b))
	}
	f.Add("wheel:x:10:alice, carol ,,dave\n")
	f.Add("g:x:5\n+:::\n:x:6:a\n")
	f.Fuzz(func(t *testing.T, in string) {
		db := &Database{groups: parseGroup(in)}
		db.index()
		checkDatabase(t, db)
		var b strings.Builder
		var kept []Group
		for _, g := range db.groups {
			if g.Name != "" && strings.ContainsRune(" \t\v\f\r#+-", rune(g.Name[0])) {
				continue
			}
			b.WriteString(g.Name + ":x:" + g.GID.String() + ":" + strings.Join(g.Members, ",") + "\n")
			kept = append(kept, g)
		}
		back := parseGroup(b.String())
		if !slices.EqualFunc(back, kept, func(x, y Group) bool {
			return x.Name == y.Name && x.GID == y.GID && slices.Equal(x.Members, y.Members)
		}) {
			t.Fatalf("parse(format(%q)) = %+v, want %+v", b.String(), back, kept)
		}
	})
}
