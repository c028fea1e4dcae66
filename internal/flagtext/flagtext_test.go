package flagtext

import (
	"errors"
	"strconv"
	"testing"
)

type bits uint16

// hexFormat has a flag of two bits (SYNC includes DSYNC) before the one
// it includes, and bits 0x100 and up without names.
var hexFormat = Format[bits]{
	Flags: []Flag[bits]{{0x0c, "SYNC"}, {0x01, "A"}, {0x02, "B"}, {0x04, "DSYNC"}, {0, "ABSENT"}, {0x10, "C"}},
	Sep:   '|',
	None:  "0",
}

var octalFormat = Format[bits]{
	Flags: []Flag[bits]{{0x01, "A"}, {0x02, "B"}},
	Sep:   '|',
	None:  "none",
	Octal: true,
}

func TestAppend(t *testing.T) {
	for _, tt := range []struct {
		f    *Format[bits]
		w    bits
		want string
	}{
		{&hexFormat, 0, "0"},
		{&hexFormat, 0x01, "A"},
		{&hexFormat, 0x13, "A|B|C"},
		{&hexFormat, 0x0c, "SYNC"},
		{&hexFormat, 0x04, "DSYNC"},
		{&hexFormat, 0x08, "0x8"},
		{&hexFormat, 0x0d, "SYNC|A"},
		{&hexFormat, 0x1100, "0x1100"},
		{&hexFormat, 0x8011, "A|C|0x8000"},
		{&octalFormat, 0, "none"},
		{&octalFormat, 0x03, "A|B"},
		{&octalFormat, 0x8001, "A|0100000"},
	} {
		if got := tt.f.String(tt.w); got != tt.want {
			t.Errorf("String(%#x) = %q, want %q", tt.w, got, tt.want)
		}
		if got := string(tt.f.Append([]byte("x="), tt.w)); got != "x="+tt.want {
			t.Errorf("Append(x=, %#x) = %q", tt.w, got)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		f    *Format[bits]
		text string
		want bits
		err  error
	}{
		{&hexFormat, "0", 0, nil},
		{&hexFormat, "A|B|C", 0x13, nil},
		{&hexFormat, "C|A", 0x11, nil},
		{&hexFormat, "A|A", 0x01, nil},
		{&hexFormat, "SYNC|DSYNC", 0x0c, nil},
		{&hexFormat, "ABSENT", 0, nil},
		{&hexFormat, "A|0x8000", 0x8001, nil},
		{&hexFormat, "0x0", 0, nil},
		{&hexFormat, "0xffff", 0xffff, nil},
		{&hexFormat, "0x10000", 0, strconv.ErrRange},
		{&hexFormat, "0x99999999999999999999", 0, strconv.ErrRange},
		{&hexFormat, "", 0, strconv.ErrSyntax},
		{&hexFormat, "A|", 0, strconv.ErrSyntax},
		{&hexFormat, "|A", 0, strconv.ErrSyntax},
		{&hexFormat, "A||B", 0, strconv.ErrSyntax},
		{&hexFormat, "a", 0, strconv.ErrSyntax},
		{&hexFormat, "A|0", 0, strconv.ErrSyntax}, // None only alone
		{&hexFormat, "0x", 0, strconv.ErrSyntax},
		{&hexFormat, "0x+1", 0, strconv.ErrSyntax},
		{&hexFormat, "0xg", 0, strconv.ErrSyntax},
		{&hexFormat, "0X1", 0, strconv.ErrSyntax},
		{&hexFormat, "17", 0, strconv.ErrSyntax},
		{&hexFormat, "A B", 0, strconv.ErrSyntax},
		{&octalFormat, "none", 0, nil},
		{&octalFormat, "A|0100000", 0x8001, nil},
		{&octalFormat, "00", 0, nil},
		{&octalFormat, "0", 0, strconv.ErrSyntax},
		{&octalFormat, "08", 0, strconv.ErrSyntax},
		{&octalFormat, "0x1", 0, strconv.ErrSyntax},
		{&octalFormat, "0200000", 0, strconv.ErrRange},
	} {
		got, err := tt.f.Parse(tt.text)
		if got != tt.want || !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
			t.Errorf("Parse(%q) = %#x, %v; want %#x, %v", tt.text, got, err, tt.want, tt.err)
		}
	}
}

func TestUnmarshal(t *testing.T) {
	w := bits(7)
	if err := hexFormat.Unmarshal(&w, []byte("A|C"), "test: invalid bits"); err != nil || w != 0x11 {
		t.Errorf("Unmarshal(A|C) = %#x, %v", w, err)
	}
	err := hexFormat.Unmarshal(&w, []byte("A|D"), "test: invalid bits")
	if w != 0x11 || !errors.Is(err, strconv.ErrSyntax) || err.Error() != `test: invalid bits "A|D": unknown flag "D": invalid syntax` {
		t.Errorf("Unmarshal(A|D) = %#x, %v; want the value unchanged and an error", w, err)
	}
}

// TestRoundTrip checks every 16-bit word in both formats.
func TestRoundTrip(t *testing.T) {
	for _, f := range []*Format[bits]{&hexFormat, &octalFormat} {
		for w := range 1 << 16 {
			text := f.String(bits(w))
			if got, err := f.Parse(text); err != nil || got != bits(w) {
				t.Fatalf("Parse(String(%#x) = %q) = %#x, %v", w, text, got, err)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "A|B|C", "SYNC|0x8000", "none", "A|0100000", "", "|", "0x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, format := range []*Format[bits]{&hexFormat, &octalFormat} {
			w, err := format.Parse(text)
			if err != nil {
				if !errors.Is(err, strconv.ErrSyntax) && !errors.Is(err, strconv.ErrRange) {
					t.Fatalf("Parse(%q): %v matches neither ErrSyntax nor ErrRange", text, err)
				}
				continue
			}
			back, err := format.Parse(format.String(w))
			if err != nil || back != w {
				t.Fatalf("Parse(%q) = %#x; its String %q parses to %#x, %v", text, w, format.String(w), back, err)
			}
		}
	})
}
