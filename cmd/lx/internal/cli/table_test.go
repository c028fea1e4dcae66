package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	var b bytes.Buffer
	tb := newTable(&b)
	tb.Row("a", "bb", "")
	tb.Row("ccc", "d\te", "f\ng")
	tb.Row("é", "x")
	if err := tb.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "a    bb\nccc  d e  f g\né    x\n"
	if b.String() != want {
		t.Errorf("table =\n%q\nwant\n%q", b.String(), want)
	}
}

func TestTableCut(t *testing.T) {
	var b bytes.Buffer
	tb := newTable(&b)
	tb.Cut = 12
	tb.Row("PID", "COMMAND")
	tb.Row("1", "/sbin/init splash")
	tb.Row("20", "é日本語é日本語")
	if err := tb.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "PID  COMMAND\n1    /sbin/i\n20   é日本語é日本\n"
	if b.String() != want {
		t.Errorf("cut table =\n%s\nwant\n%s", b.String(), want)
	}
}

func TestTableWrap(t *testing.T) {
	var b bytes.Buffer
	tb := newTable(&b)
	tb.Wrap = 20
	tb.Row("pid", "1")
	tb.WrapRow(strings.Fields("cap_chown cap_kill cap_setuid cap_sys_admin"), "caps")
	tb.WrapRow(nil, "none")
	tb.Row("longer label", "x")
	if err := tb.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "pid           1\ncaps          cap_chown\n              cap_kill\n              cap_setuid\n              cap_sys_admin\nnone\nlonger label  x\n"
	if b.String() != want {
		t.Errorf("wrapped table =\n%s\nwant\n%s", b.String(), want)
	}
	tb.Wrap = 0 // defaultWrap
	tb.WrapRow(strings.Fields(strings.Repeat("word ", 30)), "words")
	b.Reset()
	if err := tb.Flush(); err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(b.String()) {
		if n := len(strings.TrimSuffix(line, "\n")); n > defaultWrap {
			t.Errorf("line of %d characters: %q", n, line)
		}
	}
}
