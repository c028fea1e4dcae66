package parse

import (
	"encoding/binary"
	"strconv"
	"strings"
	"testing"
)

type scanCase struct {
	in   string
	v    uint64
	n    int
	ok   bool
	desc string
}

func checkScan(t *testing.T, name string, fn func([]byte) (uint64, int, bool), cases []scanCase) {
	t.Helper()
	for _, c := range cases {
		v, n, ok := fn([]byte(c.in))
		if v != c.v || n != c.n || ok != c.ok {
			t.Errorf("%s(%q) = %d, %d, %v; want %d, %d, %v (%s)", name, c.in, v, n, ok, c.v, c.n, c.ok, c.desc)
		}
	}
}

func TestScanDec(t *testing.T) {
	checkScan(t, "ScanDec", ScanDec, []scanCase{
		{"\t1234\nrest", 1234, 6, true, "status form"},
		{"0\n", 0, 2, true, "no blank"},
		{" \t 7\n", 7, 5, true, "mixed blanks"},
		{"\t9999999999999999999\n", 9999999999999999999, 21, true, "19 digits"},
		{"\t18446744073709551615\n", 0, 0, false, "20 digits: left to Uint"},
		{"\t12", 0, 0, false, "no newline"},
		{"\t12 \n", 0, 0, false, "trailing blank"},
		{"\t-1\n", 0, 0, false, "sign"},
		{"\t\n", 0, 0, false, "no digits"},
		{"", 0, 0, false, "empty"},
		{"\t1a\n", 0, 0, false, "not a digit"},
	})
}

func TestScanKB(t *testing.T) {
	checkScan(t, "ScanKB", ScanKB, []scanCase{
		{"\t    1234 kB\nVmSize", 1234 << 10, 13, true, "status form"},
		{"0 kB\n", 0, 5, true, "zero"},
		{"\t9999999999999999 kB\n", 9999999999999999 << 10, 21, true, "16 digits"},
		{"\t18014398509481984 kB\n", 0, 0, false, "17 digits: left to KB"},
		{"\t1234 kB", 0, 0, false, "no newline"},
		{"\t1234\n", 0, 0, false, "no unit"},
		{"\t1234 MB\n", 0, 0, false, "other unit"},
		{"\t kB\n", 0, 0, false, "no digits"},
		{"", 0, 0, false, "empty"},
	})
}

func TestScanHex(t *testing.T) {
	checkScan(t, "ScanHex", ScanHex, []scanCase{
		{"\t000001ffffffffff\nCapEff", 0x1ffffffffff, 18, true, "kernel form"},
		{"\tFFFFFFFFFFFFFFFF\n", 1<<64 - 1, 18, true, "upper case"},
		{"\t0000000000000000\n", 0, 18, true, "zero"},
		{"\tabc\n", 0xabc, 5, true, "short"},
		{"  1f\n", 0x1f, 5, true, "spaces"},
		{"\t00000000000000000\n", 0, 0, false, "17 digits"},
		{"\t000000000000000g\n", 0, 0, false, "not a digit in the fast path"},
		{"\tfffffffffffffff\n", 1<<60 - 1, 17, true, "15 digits"},
		{"\t0x10\n", 0, 0, false, "prefix"},
		{"\t10", 0, 0, false, "no newline"},
		{"\t\n", 0, 0, false, "no digits"},
	})
}

func TestHex8(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"00000000", 0, true},
		{"ffffffff", 0xffffffff, true},
		{"DEADbeef", 0xdeadbeef, true},
		{"01234567", 0x01234567, true},
		{"89abcdef", 0x89abcdef, true},
		{"0000000g", 0, false},
		{"/0000000", 0, false}, // '0'-1
		{":0000000", 0, false}, // '9'+1
		{"@0000000", 0, false}, // 'A'-1
		{"G0000000", 0, false},
		{"`0000000", 0, false}, // 'a'-1
		{"0000 000", 0, false},
		{"\xb0" + "0000000", 0, false},
	} {
		got, ok := Hex8(binary.LittleEndian.Uint64([]byte(c.in)))
		if got != c.want || ok != c.ok {
			t.Errorf("Hex8(%q) = %#x, %v; want %#x, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// scanReference is what a scanner must return for s: the value strconv
// finds in the line after the blanks, or not ok. maxDigits bounds what the
// fast path accepts.
func scanReference(s, suffix string, base, maxDigits int) (v uint64, n int, ok bool) {
	body := strings.TrimLeft(s, " \t")
	i := strings.Index(body, suffix)
	if i <= 0 || i > maxDigits {
		return 0, 0, false
	}
	digits := body[:i]
	for _, c := range digits {
		if !strings.ContainsRune("0123456789abcdefABCDEF"[:map[int]int{10: 10, 16: 22}[base]], c) {
			return 0, 0, false
		}
	}
	x, err := strconv.ParseUint(digits, base, 64)
	if err != nil {
		return 0, 0, false
	}
	return x, len(s) - len(body) + i + len(suffix), true
}

func fuzzScan(f *testing.F, fn func([]byte) (uint64, int, bool), suffix string, base, maxDigits int, shift uint) {
	for _, s := range []string{"\t12\n", "\t" + strings.Repeat("9", 19) + "\n", "\t1 kB\n", "\tffff\n", "", "\n", "\t\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, n, ok := fn([]byte(s))
		wv, wn, wok := scanReference(s, suffix, base, maxDigits)
		if ok != wok || (ok && (v != wv<<shift || n != wn)) {
			t.Fatalf("scan(%q) = %d, %d, %v; want %d, %d, %v", s, v, n, ok, wv<<shift, wn, wok)
		}
		if !ok && (v != 0 || n != 0) {
			t.Fatalf("scan(%q) failed but returned %d, %d", s, v, n)
		}
	})
}

func FuzzScanDec(f *testing.F) { fuzzScan(f, ScanDec, "\n", 10, 19, 0) }
func FuzzScanKB(f *testing.F)  { fuzzScan(f, ScanKB, " kB\n", 10, 16, 10) }
func FuzzScanHex(f *testing.F) { fuzzScan(f, ScanHex, "\n", 16, 16, 0) }

func FuzzHex8(f *testing.F) {
	f.Add(uint64(0x3030303030303030))
	f.Add(uint64(0x6665646362613938))
	f.Fuzz(func(t *testing.T, x uint64) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], x)
		got, ok := Hex8(x)
		want, err := strconv.ParseUint(string(b[:]), 16, 64)
		// ParseUint accepts underscores only with a base prefix, and no
		// sign or prefix here: its answer is the reference.
		if ok != (err == nil) || (ok && got != want) {
			t.Fatalf("Hex8(%q) = %#x, %v; strconv %#x, %v", b[:], got, ok, want, err)
		}
	})
}

func BenchmarkScan(b *testing.B) {
	for _, c := range []struct {
		name string
		fn   func([]byte) (uint64, int, bool)
		in   string
	}{
		{"dec", ScanDec, "\t1234567\n"},
		{"kb", ScanKB, "\t   123456 kB\n"},
		{"hex", ScanHex, "\t000001ffffffffff\n"},
	} {
		in := []byte(c.in)
		b.Run("fn="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, n, _ := c.fn(in)
				sinkN += int(v) + n
			}
		})
	}
}

// digitsReference is Digits the obvious way.
func digitsReference(s string) (uint64, int) {
	n := 0
	for n < len(s) && n < 19 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 0 {
		return 0, 0
	}
	v, _ := strconv.ParseUint(s[:n], 10, 64)
	return v, n
}

func TestDigits(t *testing.T) {
	for _, c := range []struct {
		in string
		v  uint64
		n  int
	}{
		{"", 0, 0},
		{"x", 0, 0},
		{" 1", 0, 0},
		{"0", 0, 1},
		{"7 kB\n", 7, 1},
		{"1234 kB\n", 1234, 4},
		{"12345678", 12345678, 8},
		{"12345678 ", 12345678, 8},
		{"123456789", 123456789, 9},
		{"93880432500736 93880432520617", 93880432500736, 14},
		{"0000000000000001", 1, 16},
		{"9999999999999999999", 9999999999999999999, 19},
		{"18446744073709551615", 1844674407370955161, 19}, // 19 at most
		{"1/2", 1, 1},
		{"12:34", 12, 2},
		{"1\xb0", 1, 1}, // a byte that is '0'|0x80
		{"1\x2f", 1, 1}, // '0'-1
		{"1\x3a", 1, 1}, // '9'+1
	} {
		if v, n := Digits([]byte(c.in)); v != c.v || n != c.n {
			t.Errorf("Digits(%q) = %d, %d; want %d, %d", c.in, v, n, c.v, c.n)
		}
	}
}

// TestDigitsLengths checks Digits against the obvious loop for every
// length and the terminators around '0' and '9'.
func TestDigitsLengths(t *testing.T) {
	digits := "9876543210123456789098765"
	for l := 0; l <= len(digits); l++ {
		for _, term := range []string{"", " kB\n", "/", ":", "\x00", "\x7f", "\x80", "\xb0", "\xff", "99999999"} {
			for _, pre := range []string{"", "0000000"} {
				in := pre + digits[:l] + term
				x, n := Digits([]byte(in))
				if wx, wn := digitsReference(in); x != wx || n != wn {
					t.Errorf("Digits(%q) = %d, %d; want %d, %d", in, x, n, wx, wn)
				}
			}
		}
	}
}

func FuzzDigits(f *testing.F) {
	for _, s := range []string{"", "0", "12345678 kB", "123456789012345678901234", "1\xff2", "00000000x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, n := Digits([]byte(s))
		if wv, wn := digitsReference(s); v != wv || n != wn {
			t.Fatalf("Digits(%q) = %d, %d; want %d, %d", s, v, n, wv, wn)
		}
	})
}

func BenchmarkDigits(b *testing.B) {
	for _, in := range []string{"0 ", "1234 ", "93880432500736 ", "18446744073709551615 "} {
		buf := []byte(in)
		b.Run("digits="+strconv.Itoa(len(in)-1), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, n := Digits(buf)
				sinkN += int(v) + n
			}
		})
	}
}

func TestWidth8(t *testing.T) {
	for _, c := range []struct {
		in string
		i  int
		v  uint64
		ok bool
	}{
		{"    5260 kB\n", 0, 5260, true},
		{"\t    5260 kB\n", 1, 5260, true},
		{"       0", 0, 0, true},
		{"12345678", 0, 12345678, true},
		{"123456789", 0, 12345678, true}, // the caller checks the byte after
		{"        ", 0, 0, false},
		{"   12 45", 0, 0, false},
		{"  -12345", 0, 0, false},
		{"\t   1234", 0, 0, false},
		{"    1234", 1, 0, false}, // short
		{"   !1234", 0, 0, false},
		{"1234    ", 0, 0, false},
		{"    1234", -1, 0, false},
	} {
		if v, ok := Width8([]byte(c.in), c.i); v != c.v || ok != c.ok {
			t.Errorf("Width8(%q, %d) = %d, %v; want %d, %v", c.in, c.i, v, ok, c.v, c.ok)
		}
	}
}

func FuzzWidth8(f *testing.F) {
	for _, s := range []string{"    5260", "12345678", "        ", " 1 2 3 4", "\x10\x10\x10\x10\x10\x10\x101"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := Width8([]byte(s), 0)
		// The reference: eight bytes, spaces then digits.
		want, wok := uint64(0), false
		if len(s) >= 8 {
			f := strings.TrimLeft(s[:8], " ")
			if n, err := strconv.ParseUint(f, 10, 64); err == nil && f != "" && !strings.ContainsAny(f, "+-_") {
				want, wok = n, true
			}
		}
		if v != want || ok != wok {
			t.Fatalf("Width8(%q) = %d, %v; want %d, %v", s, v, ok, want, wok)
		}
	})
}
