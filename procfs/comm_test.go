package procfs

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseComm(t *testing.T) {
	for in, want := range map[string]string{
		"cat\n":      "cat",
		"\n":         "",
		"a\n\n":      "a\n",
		"a) (b\n":    "a) (b",
		" sp ace \n": " sp ace ",
	} {
		var c Comm
		if err := parseComm([]byte(in), &c); err != nil || !c.Equal(want) || c.String() != want || c.Len() != len(want) {
			t.Errorf("%q: %q %v", in, c.String(), err)
		}
	}
	var c Comm
	if err := parseComm(readFixture(t, "proc-comm-6.18-hostile"), &c); err != nil || !c.Equal("a) (b\nc d") {
		t.Errorf("hostile fixture: %q %v", c.String(), err)
	}
	for _, in := range []string{"", "no newline"} {
		if err := parseComm([]byte(in), &c); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestCommType(t *testing.T) {
	c := MakeComm(strings.Repeat("y", 100))
	if c.Len() != commMax {
		t.Errorf("len %d", c.Len())
	}
	c = MakeComm("a\"b")
	j, err := json.Marshal(c)
	if err != nil || string(j) != `"a\"b"` {
		t.Errorf("json %s %v", j, err)
	}
	if !bytes.Equal(c.Bytes(), []byte("a\"b")) {
		t.Errorf("bytes %q", c.Bytes())
	}
}

func TestCommSelf(t *testing.T) {
	c, err := Default().Self().Comm()
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Base(exe)
	if len(want) > 15 {
		want = want[:15]
	}
	if !c.Equal(want) {
		t.Errorf("comm %q, want %q", c.String(), want)
	}
	p := Default().Self()
	if n := testing.AllocsPerRun(100, func() { c, err = p.Comm() }); n != 0 || err != nil {
		t.Errorf("Comm: %v allocs, err %v", n, err)
	}
}

func FuzzParseComm(f *testing.F) {
	f.Add([]byte("cat\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Comm
		if parseComm(b, &c) == nil && !bytes.HasPrefix(b, c.Bytes()) {
			t.Errorf("%q -> %q", b, c.Bytes())
		}
	})
}
