package mount

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestFlagsString(t *testing.T) {
	for f, want := range map[Flags]string{
		0:                                   "rw",
		ReadOnly:                            "ro",
		NoSuid | NoDev | Relatime:           "rw,nosuid,nodev,relatime",
		ReadOnly | NoExec | NoAtime:         "ro,noexec,noatime",
		NoDiratime | NoSymfollow | Idmapped: "rw,nodiratime,nosymfollow,idmapped",
		1 << 15:                             "rw", // a bit lx does not know
		0x1ff:                               "ro,nosuid,nodev,noexec,noatime,nodiratime,relatime,nosymfollow,idmapped",
	} {
		if got := f.String(); got != want {
			t.Errorf("Flags(%#x).String() = %q, want %q", uint16(f), got, want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Flags
		ok   bool
	}{
		{"rw", 0, true},
		{"ro", ReadOnly, true},
		{"rw,nosuid,nodev,relatime", NoSuid | NoDev | Relatime, true},
		{"ro,relatime,nosuid", ReadOnly | Relatime | NoSuid, true},
		{"rw,idmapped,nosymfollow", Idmapped | NoSymfollow, true},
		{"rw,lazytime,nosuid", NoSuid, true}, // an option lx does not know
		{"rw,ro", 0, true},                   // "ro" after the first word is an unknown word
		{"ro,noexec\x00", ReadOnly, true},    // a NUL makes an unknown word of a known one
		{"rw,nodiratime,noatime,nosymfollow", NoDiratime | NoAtime | NoSymfollow, true},
		{"rw,nodiratimes,nosymfollo,relatim", 0, true},
		{"", 0, false},
		{"nosuid", 0, false},
		{"nosuid,rw", 0, false},
		{"RW", 0, false},
		{"rw,", 0, false},
		{",rw", 0, false},
		{"rw,,nosuid", 0, false},
		{"rw nosuid", 0, false},
	} {
		got, err := ParseFlags(c.in)
		if got != c.want || (err == nil) != c.ok || (err != nil && !errors.Is(err, strconv.ErrSyntax)) {
			t.Errorf("ParseFlags(%q) = %v, %v; want %v, ok %v", c.in, got, err, c.want, c.ok)
		}
		if gotB, errB := ParseFlags([]byte(c.in)); gotB != got || (errB == nil) != (err == nil) {
			t.Errorf("ParseFlags([]byte(%q)) = %v, %v", c.in, gotB, errB)
		}
	}
}

// TestMountinfoOptions parses the per-mount options of every mount this
// process sees and checks that Flags prints them back unchanged: the
// kernel prints only options lx knows, in lx's order.
func TestMountinfoOptions(t *testing.T) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Buffer(nil, 1<<20)
	n := 0
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 6 {
			t.Fatalf("mountinfo line %q", s.Text())
		}
		flags, err := ParseFlags(fields[5])
		if err != nil || flags.String() != fields[5] {
			t.Errorf("options %q: ParseFlags = %v, %v", fields[5], flags, err)
		}
		var opt []string
		for _, f := range fields[6:] {
			if f == "-" {
				break
			}
			opt = append(opt, f)
		}
		p, err := ParsePropagation(strings.Join(opt, " "))
		want := strings.Join(opt, " ")
		if want == "" {
			want = "private"
		}
		if err != nil || p.String() != want {
			t.Errorf("optional fields %q: ParsePropagation = %v, %v", opt, p, err)
		}
		n++
	}
	if err := s.Err(); err != nil || n == 0 {
		t.Fatalf("read %d mountinfo lines: %v", n, err)
	}
}

func TestFlagsJSON(t *testing.T) {
	type m struct {
		Flags       Flags
		Propagation Propagation
	}
	in := m{ReadOnly | NoExec, Propagation{Shared: 3, Master: 1}}
	b, err := json.Marshal(in)
	if want := `{"Flags":"ro,noexec","Propagation":"shared:3 master:1"}`; err != nil || string(b) != want {
		t.Fatalf("Marshal = %s, %v; want %s", b, err, want)
	}
	var out m
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("Unmarshal = %+v, %v", out, err)
	}
}
