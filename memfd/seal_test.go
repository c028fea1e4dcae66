package memfd

import (
	"errors"
	"strconv"
	"testing"
)

func TestSealsText(t *testing.T) {
	for _, c := range []struct {
		s    Seals
		text string
	}{
		{0, "0"},
		{SealSeal, "F_SEAL_SEAL"},
		{SealShrink | SealGrow, "F_SEAL_SHRINK|F_SEAL_GROW"},
		{SealWrite | SealFutureWrite | SealExec, "F_SEAL_WRITE|F_SEAL_FUTURE_WRITE|F_SEAL_EXEC"},
		{SealSeal | 0x100, "F_SEAL_SEAL|0x100"},
	} {
		if got := c.s.String(); got != c.text {
			t.Errorf("%#x: String %q, want %q", uint32(c.s), got, c.text)
		}
		back, err := ParseSeals(c.text)
		if err != nil || back != c.s {
			t.Errorf("ParseSeals(%q) = %#x, %v; want %#x", c.text, uint32(back), err, uint32(c.s))
		}
		var u Seals
		if err := u.UnmarshalText([]byte(c.text)); err != nil || u != c.s {
			t.Errorf("UnmarshalText(%q) = %#x, %v", c.text, uint32(u), err)
		}
	}
	for _, bad := range []string{"", "F_SEAL_BOGUS", "f_seal_seal", "F_SEAL_SEAL|", "0x100000000"} {
		if _, err := ParseSeals(bad); err == nil {
			t.Errorf("ParseSeals(%q) succeeded", bad)
		} else if !errors.Is(err, strconv.ErrSyntax) && !errors.Is(err, strconv.ErrRange) {
			t.Errorf("ParseSeals(%q): %v, want ErrSyntax or ErrRange", bad, err)
		}
	}
}

func FuzzParseSeals(f *testing.F) {
	for _, s := range []string{"0", "F_SEAL_SEAL|F_SEAL_WRITE", "F_SEAL_EXEC|0x80", "0x1f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseSeals(text)
		if err != nil {
			return
		}
		back, err := ParseSeals(s.String())
		if err != nil || back != s {
			t.Fatalf("%q -> %#x -> %q -> %#x, %v", text, uint32(s), s.String(), uint32(back), err)
		}
	})
}
