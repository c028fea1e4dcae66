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

func ExampleCurrent() {
	c, err := cred.Current()
	if err != nil {
		fmt.Println(err)
		return
	}
	// Unless setfsuid(2) changed it, the file system id follows the
	// effective one.
	fmt.Println(c.UID.FS == c.UID.Effective, c.GID.FS == c.GID.Effective)
	// Output: true true
}

// A server started as root that drops to an ordinary user: groups first
// (changing them needs CAP_SETGID, which the uid change takes away),
// then the group ids, then the user ids, each for every thread.
func ExampleSetResUID() {
	db, err := cred.LoadDatabase(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	u, err := db.LookupUser("nobody")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := db.InitGroups(u.Name, u.GID); err != nil {
		fmt.Println(err)
		return
	}
	if err := cred.SetResGID(u.GID, u.GID, u.GID); err != nil {
		fmt.Println(err)
		return
	}
	if err := cred.SetResUID(u.UID, u.UID, u.UID); err != nil {
		fmt.Println(err)
	}
}
