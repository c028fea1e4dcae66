package cred

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
)

// statusCreds reads the Uid, Gid and Groups lines of a status file (a
// test may read /proc).
func statusCreds(t *testing.T, path string) Creds {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("no %s: %v", path, err)
	}
	defer f.Close()
	var c Creds
	c.Groups = []GID{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		key, val, _ := strings.Cut(s.Text(), ":")
		fields := strings.Fields(val)
		switch key {
		case "Uid", "Gid":
			if len(fields) != 4 {
				t.Fatalf("%s %s: %q", path, key, val)
			}
			var ids [4]uint32
			for i, f := range fields {
				n, err := parseID(f)
				if err != nil {
					t.Fatalf("%s %s: %v", path, key, err)
				}
				ids[i] = n
			}
			if key == "Uid" {
				c.UID = UIDs{UID(ids[0]), UID(ids[1]), UID(ids[2]), UID(ids[3])}
			} else {
				c.GID = GIDs{GID(ids[0]), GID(ids[1]), GID(ids[2]), GID(ids[3])}
			}
		case "Groups":
			for _, f := range fields {
				n, err := parseID(f)
				if err != nil {
					t.Fatalf("%s Groups: %v", path, err)
				}
				c.Groups = append(c.Groups, GID(n))
			}
		}
	}
	return c
}

func sameCreds(a, b Creds) bool {
	return a.UID == b.UID && a.GID == b.GID && slices.Equal(a.Groups, b.Groups)
}

func TestCurrent(t *testing.T) {
	got, err := Current()
	if err != nil {
		t.Fatalf("Current: %v", err)
	}
	if want := statusCreds(t, "/proc/self/status"); !sameCreds(got, want) {
		t.Errorf("Current = %+v\n/proc/self/status says %+v", got, want)
	}
	if got.Groups == nil {
		t.Error("Groups is nil")
	}
}

// everyThread checks the credentials of every thread of the process.
func everyThread(t *testing.T, want Creds) {
	t.Helper()
	paths, _ := filepath.Glob("/proc/self/task/*/status")
	for _, p := range paths {
		if got := statusCreds(t, p); !sameCreds(got, want) {
			t.Errorf("%s: %+v, want %+v", p, got, want)
		}
	}
}

func TestSetCredentials(t *testing.T) {
	testutil.RequireCap(t, capability.Setuid)
	testutil.RequireCap(t, capability.Setgid)
	testutil.RunInChild(t, nil, func(t *testing.T) {
		db := loadTestdata(t)
		if err := db.InitGroups("bob", 1001); err != nil {
			t.Fatalf("InitGroups: %v", err)
		}
		if g, err := Groups(); err != nil || !slices.Equal(g, []GID{29, 100, 1001}) {
			t.Errorf("Groups after InitGroups(bob) = %v, %v", g, err)
		}
		if err := SetResGID(1001, 1002, 1003); err != nil {
			t.Fatalf("SetResGID: %v", err)
		}
		if err := SetResUID(2001, 2002, InvalidUID); err != nil {
			t.Fatalf("SetResUID: %v", err)
		}
		want := Creds{
			UID:    UIDs{Real: 2001, Effective: 2002, Saved: 0, FS: 2002},
			GID:    GIDs{Real: 1001, Effective: 1002, Saved: 1003, FS: 1002},
			Groups: []GID{29, 100, 1001},
		}
		got, err := Current()
		if err != nil || !sameCreds(got, want) {
			t.Errorf("Current = %+v, %v; want %+v", got, err, want)
		}
		everyThread(t, want)
		// The saved uid is still 0: the effective may return to it,
		// then leave for good.
		if err := SetResUID(InvalidUID, 0, InvalidUID); err != nil {
			t.Fatalf("SetResUID back to effective 0: %v", err)
		}
		if err := SetResUID(2001, 2001, 2001); err != nil {
			t.Fatalf("SetResUID(2001): %v", err)
		}
		err = SetResUID(0, 0, 0)
		if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), "0,0,0") {
			t.Errorf("SetResUID(0) without privilege = %v, want fs.ErrPermission naming the ids", err)
		}
		if err := SetGroups(nil); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("SetGroups without CAP_SETGID = %v, want fs.ErrPermission", err)
		}
	})
}

func TestSetGroupsInvalid(t *testing.T) {
	if err := SetGroups([]GID{1, InvalidGID}); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "4294967295") {
		t.Errorf("SetGroups with (gid_t)-1 = %v, want fs.ErrInvalid naming it", err)
	}
}

// TestSetUnprivileged runs as any user: a change to an id the process
// does not hold is refused, and nothing changes.
func TestSetUnprivileged(t *testing.T) {
	if testutil.HasCap(capability.Setuid) {
		t.Skip("has CAP_SETUID")
	}
	before, err := Current()
	if err != nil {
		t.Fatal(err)
	}
	other := before.UID.Real + 1
	if err := SetResUID(other, other, other); !errors.Is(err, syscall.EPERM) {
		t.Errorf("SetResUID(%d) = %v, want EPERM", other, err)
	}
	if after, _ := Current(); !sameCreds(before, after) {
		t.Errorf("credentials changed: %+v -> %+v", before, after)
	}
}
