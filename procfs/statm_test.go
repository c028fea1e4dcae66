package procfs

import (
	"errors"
	"math/bits"
	"strconv"
	"strings"
	"testing"
)

func TestParseStatm(t *testing.T) {
	var s Statm
	if err := parseStatm(readFixture(t, "proc-statm-6.18-cat"), &s); err != nil {
		t.Fatal(err)
	}
	// 765 410 382 5 0 123 0
	want := Statm{Size: 765 * pageSize, Resident: 410 * pageSize, Shared: 382 * pageSize, Text: 5 * pageSize, Data: 123 * pageSize}
	if s != want {
		t.Errorf("got %+v, want %+v", s, want)
	}
	if err := parseStatm(readFixture(t, "proc-statm-6.18-kthreadd"), &s); err != nil || s != (Statm{}) {
		t.Errorf("kernel thread: %+v %v", s, err)
	}
	for _, in := range []string{"", "1 2 3", "1 2 3 4 5 6 x\n", "-1 2 3 4 5 6 7\n"} {
		if err := parseStatm([]byte(in), &s); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestStatmSelf(t *testing.T) {
	p := Default().Self()
	s, err := p.Statm()
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.Status()
	if err != nil {
		t.Fatal(err)
	}
	// The two reads are moments apart; sizes agree within a few MiB.
	near := func(a, b uint64) bool { return a-b < 8<<20 || b-a < 8<<20 }
	if s.Size == 0 || s.Resident == 0 || !near(s.Size, st.VmSize) || !near(s.Resident, st.VmRSS) || s.Text != st.VmExe {
		t.Errorf("statm %+v, status VmSize %d VmRSS %d VmExe %d", s, st.VmSize, st.VmRSS, st.VmExe)
	}
	// Under the race detector, x/sys's read(2) wrapper moves Statm's
	// stack buffer to the heap.
	if n := testing.AllocsPerRun(100, func() { s, err = p.Statm() }); (n != 0 && !systemRace) || err != nil {
		t.Errorf("Statm: %v allocs, err %v", n, err)
	}
}

func FuzzParseStatm(f *testing.F) {
	f.Add(readFixture(f, "proc-statm-6.18-cat"))
	f.Add([]byte("18446744073709551615 0 0 0 0 0 0\n"))
	f.Add([]byte("4503599627370496 1 1 1 0 1 0\n"))
	f.Add([]byte("1 2 3 4 5 6 7 8\n"))
	f.Add([]byte("1 2 3 4 5 6\n"))
	f.Add([]byte("1  2 3 4 5 6 7\n"))
	f.Add([]byte("123456789 12345678 1234567 0 0 99999999999 0"))
	f.Add([]byte("4503599627370495 1 1 1 0 1 0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		// The fast path, where it accepts the line, agrees with the
		// general one.
		var fast, general Statm
		if parseStatmFast(b, &fast) {
			if err := parseStatmFields(b, &general); err != nil || fast != general {
				t.Fatalf("%q: fast path %+v, general path %+v, %v", b, fast, general, err)
			}
		}
		var s Statm
		err := parseStatm(b, &s)
		// Statm's form, the line after a space with a margin of junk,
		// gives the same Statm or the same error.
		spaced := make([]byte, 1+len(b)+64)
		for i := range spaced {
			spaced[i] = " 7\n"[i%3]
		}
		spaced[0] = ' '
		copy(spaced[1:], b)
		var s2 Statm
		err2 := parseStatmSpaced(spaced[:1+len(b)], &s2)
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() || err == nil && s2 != s {
			t.Fatalf("%q: parseStatmSpaced %+v, %v; parseStatm %+v, %v", b, s2, err2, s, err)
		}
		// A page count whose bytes overflow is an error, never a
		// smaller number.
		fields := strings.FieldsFunc(string(b), func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' })
		got := [7]uint64{s.Size, s.Resident, s.Shared, s.Text, s.Lib, s.Data, s.Dirty}
		for i := 0; i < 7 && i < len(fields); i++ {
			n, perr := strconv.ParseUint(fields[i], 10, 64)
			if perr != nil {
				return // the parser's own syntax rules decide; checked by the table test
			}
			hi, lo := bits.Mul64(n, pageSize)
			if hi != 0 {
				if err == nil || !errors.Is(err, strconv.ErrRange) && !errors.Is(err, strconv.ErrSyntax) {
					t.Fatalf("parseStatm(%q): %s overflows, err %v", b, statmFieldNames[i], err)
				}
				return
			}
			if err == nil && got[i] != lo {
				t.Fatalf("parseStatm(%q): %s = %d, want %d", b, statmFieldNames[i], got[i], lo)
			}
		}
	})
}

func TestParseStatmFastPath(t *testing.T) {
	for _, name := range []string{"proc-statm-6.18-cat", "proc-statm-6.18-kthreadd"} {
		var s Statm
		if !parseStatmFast(readFixture(t, name), &s) {
			t.Errorf("%s: not on the fast path", name)
		}
	}
}

// TestParseStatmLargePages parses with 64 KiB pages (arm64, ppc64): a
// count of 2^48 pages is 2^64 bytes, which the fast path once accepted
// (it bounded counts by 2^52, enough for 4 KiB pages only) and wrapped
// to 0. It must be an error naming the field, as with any page size.
func TestParseStatmLargePages(t *testing.T) {
	defer func(old uint64) { pageSize = old }(pageSize)
	pageSize = 64 << 10
	var s Statm
	err := parseStatm([]byte("1 281474976710656 1 1 0 1 0\n"), &s)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Key != "resident" {
		t.Errorf("2^48 pages of 64 KiB: %+v, %v", s, err)
	}
	if err := parseStatm([]byte("1 281474976710655 1 1 0 1 0\n"), &s); err != nil || s.Resident != (1<<48-1)<<16 {
		t.Errorf("2^48-1 pages of 64 KiB: %+v, %v", s, err)
	}
	var fast Statm
	if !parseStatmFast([]byte("1234567 12345678 123456789 1 0 1 0\n"), &fast) || fast.Shared != 123456789<<16 {
		t.Errorf("long counts: %+v", fast)
	}
}
