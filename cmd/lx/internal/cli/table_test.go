package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"unicode/utf8"
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

func TestOutputWidth(t *testing.T) {
	env := func(columns string) func(string) string {
		return func(name string) string {
			if name == "COLUMNS" {
				return columns
			}
			return ""
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	_, sized := openPTY(t, 132, 40)
	_, unsized := openPTY(t, 0, 0)
	for _, tc := range []struct {
		name    string
		out     io.Writer
		columns string
		want    int
	}{
		{"buffer", &bytes.Buffer{}, "", 0},
		{"pipe", w, "", 0},
		{"terminal", sized, "", 132},
		{"terminal without a size", unsized, "", defaultWrap},
		{"COLUMNS on a pipe", w, "50", 50},
		{"COLUMNS on a terminal", sized, "200", 200},
		{"COLUMNS zero", sized, "0", 132},
		{"COLUMNS negative", w, "-5", 0},
		{"COLUMNS not a number", sized, "wide", 132},
		{"COLUMNS in hex", w, "0x50", 0},
	} {
		if got := outputWidth(tc.out, env(tc.columns)); got != tc.want {
			t.Errorf("%s: width %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestPSCutsToTerminal runs lx ps with a pseudoterminal of 60 columns as
// stdout: every line is cut to 60 characters, and with -w none is.
func TestPSCutsToTerminal(t *testing.T) {
	t.Setenv("COLUMNS", "")
	// A process whose line is longer than 60 characters.
	long := exec.Command("/bin/sh", "-c", "read x", "sh", strings.Repeat("long-argument-", 5))
	stdin, err := long.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := long.Start(); err != nil {
		t.Fatal(err)
	}
	defer long.Wait()
	defer stdin.Close()

	for _, tc := range []struct {
		args []string
		cut  bool
	}{{[]string{"ps"}, true}, {[]string{"ps", "-w"}, false}} {
		master, peer := openPTY(t, 60, 24)
		done := make(chan string)
		go func() {
			b, _ := io.ReadAll(master) // ends with EIO once the peer is closed
			done <- string(b)
		}()
		var errOut bytes.Buffer
		code := Main(context.Background(), tc.args, peer, &errOut)
		peer.Close()
		out := strings.ReplaceAll(<-done, "\r\n", "\n") // the terminal's ONLCR
		if code != ExitOK {
			t.Fatalf("lx %s: exit %d, stderr %s", strings.Join(tc.args, " "), code, errOut.String())
		}
		longest, lines := 0, 0
		for line := range strings.Lines(out) {
			longest = max(longest, utf8.RuneCountInString(strings.TrimSuffix(line, "\n")))
			lines++
		}
		if lines < 3 || tc.cut != (longest == 60) || !tc.cut && longest <= 60 {
			t.Errorf("lx %s on a 60-column terminal: %d lines, the longest %d characters:\n%s",
				strings.Join(tc.args, " "), lines, longest, out)
		}
	}
}
