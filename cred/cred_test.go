package cred

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"
)

func TestIDs(t *testing.T) {
	for _, c := range []struct {
		in  string
		n   uint32
		err error
	}{
		{"0", 0, nil},
		{"1000", 1000, nil},
		{"65534", 65534, nil},
		{"4294967295", 4294967295, nil},
		{"4294967296", 0, strconv.ErrRange},
		{"-1", 0, strconv.ErrSyntax},
		{"+1", 0, strconv.ErrSyntax},
		{" 1", 0, strconv.ErrSyntax},
		{"", 0, strconv.ErrSyntax},
	} {
		u, err := ParseUID(c.in)
		if uint32(u) != c.n || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("ParseUID(%q) = %v, %v; want %d, %v", c.in, u, err, c.n, c.err)
		}
		g, err := ParseGID(c.in)
		if uint32(g) != c.n || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("ParseGID(%q) = %v, %v; want %d, %v", c.in, g, err, c.n, c.err)
		}
		if err == nil && (u.String() != strconv.FormatUint(uint64(c.n), 10) || g.String() != u.String()) {
			t.Errorf("String of %d: %q %q", c.n, u.String(), g.String())
		}
	}
	if InvalidUID != 1<<32-1 || InvalidGID != 1<<32-1 || OverflowUID != 65534 || OverflowGID != 65534 {
		t.Error("special ids wrong")
	}
}

// TestJSONNumbers checks that ids marshal as JSON numbers.
func TestJSONNumbers(t *testing.T) {
	c := Creds{UID: UIDs{1000, 1000, 1000, 1000}, GID: GIDs{100, 100, 100, 100}, Groups: []GID{27, 100}}
	b, err := json.Marshal(c)
	want := `{"UID":{"Real":1000,"Effective":1000,"Saved":1000,"FS":1000},"GID":{"Real":100,"Effective":100,"Saved":100,"FS":100},"Groups":[27,100]}`
	if err != nil || string(b) != want {
		t.Errorf("Marshal = %s, %v; want %s", b, err, want)
	}
}
