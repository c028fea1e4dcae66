package cred_test

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/lxgo/lx/cred"
)

func ExampleLoadDatabase() {
	// Root is the system's /; a test tree here, "/proc/PID/root" for a
	// container, nil for this machine.
	db, err := cred.LoadDatabase(&cred.DatabaseOptions{Root: "testdata/system"})
	if err != nil {
		panic(err)
	}
	for _, uid := range []cred.UID{0, 1000, 4242} {
		u, err := db.LookupUID(uid)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fmt.Println(uid, "has no name")
		case err != nil:
			panic(err)
		default:
			fmt.Println(uid, u.Name, u.Home)
		}
	}
	// Output:
	// 0 root /root
	// 1000 alice /home/alice
	// 4242 has no name
}

func ExampleDatabase_GroupsOf() {
	db, err := cred.LoadDatabase(&cred.DatabaseOptions{Root: "testdata/system"})
	if err != nil {
		panic(err)
	}
	u, err := db.LookupUser("bob")
	if err != nil {
		panic(err)
	}
	for _, gid := range db.GroupsOf(u.Name, u.GID) {
		g, _ := db.LookupGID(gid)
		fmt.Println(gid, g.Name)
	}
	// Output:
	// 1001 bob
	// 100 users
	// 29 audio
}

func ExampleParseUID() {
	// The first value of the Uid line of /proc/PID/status.
	uid, err := cred.ParseUID("65534")
	fmt.Println(uid, uid == cred.OverflowUID, err)
	// Output: 65534 true <nil>
}
