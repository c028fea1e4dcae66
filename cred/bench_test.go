package cred

import (
	"strconv"
	"strings"
	"testing"
)

var sinkName string

// bigPasswd is a passwd file of 5000 users, as on a shared host.
func bigPasswd() string {
	var b strings.Builder
	for i := range 5000 {
		n := strconv.Itoa(10000 + i)
		b.WriteString("user" + n + ":x:" + n + ":" + n + ":User " + n + ",,,:/home/user" + n + ":/bin/bash\n")
	}
	return b.String()
}

// BenchmarkLookupUID names uids as a process table does for every row:
// one map lookup, no allocation.
func BenchmarkLookupUID(b *testing.B) {
	db := &Database{users: parsePasswd(bigPasswd())}
	db.index()
	b.ReportAllocs()
	uid := UID(10000)
	for b.Loop() {
		u, err := db.LookupUID(uid)
		if err != nil {
			b.Fatal(err)
		}
		sinkName = u.Name
		uid = 10000 + (uid+7)%5000
	}
}

// BenchmarkParsePasswd parses and indexes a 5000-user file.
func BenchmarkParsePasswd(b *testing.B) {
	text := bigPasswd()
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		db := &Database{users: parsePasswd(text)}
		db.index()
		if len(db.users) != 5000 {
			b.Fatal(len(db.users))
		}
	}
}
