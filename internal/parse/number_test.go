package parse

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

// numCase is one number-parsing case; err is nil, strconv.ErrSyntax or
// strconv.ErrRange.
type numCase[T any] struct {
	in   string
	want T
	err  error
}

func checkNumErr(t *testing.T, fn, in string, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Errorf("%s(%q): unexpected error %v", fn, in, err)
		}
		return
	}
	var ne *strconv.NumError
	if !errors.As(err, &ne) {
		t.Fatalf("%s(%q): error %v (%T), want *strconv.NumError", fn, in, err, err)
	}
	if ne.Func != fn || ne.Num != in || !errors.Is(err, want) {
		t.Errorf("%s(%q): error {Func:%q Num:%q Err:%v}, want {Func:%q Num:%q Err:%v}",
			fn, in, ne.Func, ne.Num, ne.Err, fn, in, want)
	}
}

func TestUint(t *testing.T) {
	for _, c := range []numCase[uint64]{
		{"0", 0, nil},
		{"7", 7, nil},
		{"00012", 12, nil},
		{"1234567890", 1234567890, nil},
		{"9999999999999999999", 9999999999999999999, nil}, // 19 digits, fast path
		{"18446744073709551615", math.MaxUint64, nil},
		{"018446744073709551615", math.MaxUint64, nil},
		{"00000000000000000000000000001", 1, nil},
		{"18446744073709551616", math.MaxUint64, strconv.ErrRange},
		{"18446744073709551620", math.MaxUint64, strconv.ErrRange},
		{"99999999999999999999", math.MaxUint64, strconv.ErrRange},
		{"184467440737095516150", math.MaxUint64, strconv.ErrRange},
		{"", 0, strconv.ErrSyntax},
		{" 1", 0, strconv.ErrSyntax},
		{"1 ", 0, strconv.ErrSyntax},
		{"1\n", 0, strconv.ErrSyntax},
		{"+1", 0, strconv.ErrSyntax},
		{"-1", 0, strconv.ErrSyntax},
		{"0x10", 0, strconv.ErrSyntax},
		{"1_000", 0, strconv.ErrSyntax},
		{"12a", 0, strconv.ErrSyntax},
		{"/", 0, strconv.ErrSyntax},
		{":", 0, strconv.ErrSyntax},
		{"1844674407370955161a", 0, strconv.ErrSyntax},
	} {
		got, err := Uint([]byte(c.in))
		checkNumErr(t, "parse.Uint", c.in, err, c.err)
		if got != c.want {
			t.Errorf("Uint(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestInt(t *testing.T) {
	for _, c := range []numCase[int64]{
		{"0", 0, nil},
		{"-0", 0, nil},
		{"+0", 0, nil},
		{"42", 42, nil},
		{"-42", -42, nil},
		{"+42", 42, nil},
		{"9223372036854775807", math.MaxInt64, nil},
		{"-9223372036854775808", math.MinInt64, nil},
		{"+9223372036854775807", math.MaxInt64, nil},
		{"-000000000000000000009223372036854775808", math.MinInt64, nil},
		{"9223372036854775808", math.MaxInt64, strconv.ErrRange},
		{"-9223372036854775809", math.MinInt64, strconv.ErrRange},
		{"18446744073709551616", math.MaxInt64, strconv.ErrRange},
		{"-18446744073709551616", math.MinInt64, strconv.ErrRange},
		{"", 0, strconv.ErrSyntax},
		{"-", 0, strconv.ErrSyntax},
		{"+", 0, strconv.ErrSyntax},
		{"--1", 0, strconv.ErrSyntax},
		{"-+1", 0, strconv.ErrSyntax},
		{" -1", 0, strconv.ErrSyntax},
		{"1-", 0, strconv.ErrSyntax},
		{"-1x", 0, strconv.ErrSyntax},
	} {
		got, err := Int([]byte(c.in))
		checkNumErr(t, "parse.Int", c.in, err, c.err)
		if got != c.want {
			t.Errorf("Int(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestHex(t *testing.T) {
	for _, c := range []numCase[uint64]{
		{"0", 0, nil},
		{"f", 15, nil},
		{"F", 15, nil},
		{"deadBEEF", 0xdeadbeef, nil},
		{"ffffffffffffffff", math.MaxUint64, nil},
		{"0000ffffffffffffffff", math.MaxUint64, nil},
		{"10000000000000000", math.MaxUint64, strconv.ErrRange},
		{"", 0, strconv.ErrSyntax},
		{"0x1", 0, strconv.ErrSyntax},
		{"g", 0, strconv.ErrSyntax},
		{"G", 0, strconv.ErrSyntax},
		{"@", 0, strconv.ErrSyntax},
		{"`", 0, strconv.ErrSyntax},
		{"-1", 0, strconv.ErrSyntax},
		{"1 ", 0, strconv.ErrSyntax},
	} {
		got, err := Hex([]byte(c.in))
		checkNumErr(t, "parse.Hex", c.in, err, c.err)
		if got != c.want {
			t.Errorf("Hex(%q) = %#x, want %#x", c.in, got, c.want)
		}
	}
}

func TestUintBase(t *testing.T) {
	for _, c := range []struct {
		in   string
		base int
		want uint64
		err  error
	}{
		{"755", 8, 0o755, nil},
		{"0", 8, 0, nil},
		{"1777777777777777777777", 8, math.MaxUint64, nil},
		{"2000000000000000000000", 8, math.MaxUint64, strconv.ErrRange},
		{"8", 8, 0, strconv.ErrSyntax},
		{"", 8, 0, strconv.ErrSyntax},
		{"123", 10, 123, nil},
		{"12a", 10, 0, strconv.ErrSyntax},
		{"1aF", 16, 0x1af, nil},
		{"1aG", 16, 0, strconv.ErrSyntax},
		{"10000000000000000", 16, math.MaxUint64, strconv.ErrRange},
		{"18446744073709551616", 10, math.MaxUint64, strconv.ErrRange},
	} {
		got, err := UintBase([]byte(c.in), c.base)
		checkNumErr(t, "parse.UintBase", c.in, err, c.err)
		if got != c.want {
			t.Errorf("UintBase(%q, %d) = %d, want %d", c.in, c.base, got, c.want)
		}
	}
	for _, base := range []int{0, 2, 9, 36, -1} {
		_, err := UintBase([]byte("1"), base)
		var ne *strconv.NumError
		if !errors.As(err, &ne) || !strings.Contains(err.Error(), "invalid base") {
			t.Errorf("UintBase(\"1\", %d) error = %v, want invalid base", base, err)
		}
	}
}

func TestUintOrMax(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		max  bool
		err  error
	}{
		{"max", 0, true, nil},
		{"0", 0, false, nil},
		{"9223372036854771712", 9223372036854771712, false, nil},
		{"18446744073709551616", math.MaxUint64, false, strconv.ErrRange},
		{"MAX", 0, false, strconv.ErrSyntax},
		{"max ", 0, false, strconv.ErrSyntax},
		{"maxx", 0, false, strconv.ErrSyntax},
		{"ma", 0, false, strconv.ErrSyntax},
		{"", 0, false, strconv.ErrSyntax},
		{"-1", 0, false, strconv.ErrSyntax},
	} {
		got, max, err := UintOrMax([]byte(c.in))
		checkNumErr(t, "parse.UintOrMax", c.in, err, c.err)
		if got != c.want || max != c.max {
			t.Errorf("UintOrMax(%q) = %d, %v, want %d, %v", c.in, got, max, c.want, c.max)
		}
	}
}

func TestKB(t *testing.T) {
	for _, c := range []numCase[uint64]{
		{"1234 kB", 1234 << 10, nil},
		{"1234kB", 1234 << 10, nil},
		{"1234", 1234 << 10, nil},
		{"0 kB", 0, nil},
		{"  \t 16384 kB\t ", 16384 << 10, nil},
		{"16384 \t kB", 16384 << 10, nil},
		{"18014398509481983 kB", 18014398509481983 << 10, nil}, // MaxUint64>>10
		{"18014398509481984 kB", math.MaxUint64, strconv.ErrRange},
		{"18446744073709551616 kB", math.MaxUint64, strconv.ErrRange},
		{"", 0, strconv.ErrSyntax},
		{"kB", 0, strconv.ErrSyntax},
		{" kB", 0, strconv.ErrSyntax},
		{"1234 KB", 0, strconv.ErrSyntax},
		{"1234 MB", 0, strconv.ErrSyntax},
		{"1234 kBx", 0, strconv.ErrSyntax},
		{"12 34 kB", 0, strconv.ErrSyntax},
		{"-1 kB", 0, strconv.ErrSyntax},
		{"1234 kB\n", 0, strconv.ErrSyntax},
	} {
		got, err := KB([]byte(c.in))
		checkNumErr(t, "parse.KB", c.in, err, c.err)
		if got != c.want {
			t.Errorf("KB(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

// sameNum fails t unless our result and error kind equal strconv's.
func sameNum[T comparable](t *testing.T, fn, s string, got T, err error, want T, werr error) {
	t.Helper()
	if got != want || (err == nil) != (werr == nil) {
		t.Fatalf("%s(%q) = %v, %v; strconv: %v, %v", fn, s, got, err, want, werr)
	}
	if err != nil && !errors.Is(err, werr.(*strconv.NumError).Err) {
		t.Fatalf("%s(%q) error %v; strconv: %v", fn, s, err, werr)
	}
}

// isDigits reports whether s is non-empty and all ASCII decimal digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func FuzzUint(f *testing.F) {
	for _, s := range []string{"0", "18446744073709551615", "18446744073709551616", "", "-1", "12a", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// With an explicit base of 10, strconv's grammar is ours: digits
		// only, no sign, no underscores.
		got, err := Uint([]byte(s))
		want, werr := strconv.ParseUint(s, 10, 64)
		sameNum(t, "Uint", s, got, err, want, werr)
		if err == nil && !isDigits(s) {
			t.Fatalf("Uint(%q) accepted a non-digit input", s)
		}
	})
}

func FuzzInt(f *testing.F) {
	for _, s := range []string{"0", "-9223372036854775808", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "+1", "-", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Int([]byte(s))
		want, werr := strconv.ParseInt(s, 10, 64)
		sameNum(t, "Int", s, got, err, want, werr)
	})
}

func FuzzHex(f *testing.F) {
	for _, s := range []string{"0", "ffffffffffffffff", "10000000000000000", "DEAD", "g", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Hex([]byte(s))
		want, werr := strconv.ParseUint(s, 16, 64)
		sameNum(t, "Hex", s, got, err, want, werr)
	})
}

func FuzzUintBase(f *testing.F) {
	f.Add("777", 8)
	f.Add("1777777777777777777777", 8)
	f.Add("2000000000000000000000", 8)
	f.Add("ff", 16)
	f.Add("10", 10)
	f.Fuzz(func(t *testing.T, s string, base int) {
		got, err := UintBase([]byte(s), base)
		if base != 8 && base != 10 && base != 16 {
			if err == nil {
				t.Fatalf("UintBase(%q, %d) accepted base", s, base)
			}
			return
		}
		want, werr := strconv.ParseUint(s, base, 64)
		sameNum(t, "UintBase/"+strconv.Itoa(base), s, got, err, want, werr)
	})
}

func FuzzUintOrMax(f *testing.F) {
	for _, s := range []string{"max", "0", "maxx", "", "18446744073709551616"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, max, err := UintOrMax([]byte(s))
		if s == "max" {
			if v != 0 || !max || err != nil {
				t.Fatalf("UintOrMax(max) = %d, %v, %v", v, max, err)
			}
			return
		}
		want, werr := Uint([]byte(s))
		if max || v != want || (err == nil) != (werr == nil) {
			t.Fatalf("UintOrMax(%q) = %d, %v, %v; Uint: %d, %v", s, v, max, err, want, werr)
		}
	})
}

func FuzzKB(f *testing.F) {
	for _, s := range []string{"1234 kB", "1234kB", "1234", "", "kB", "18014398509481984 kB", " 1 \tkB "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := KB([]byte(s))
		num := strings.Trim(s, " \t")
		num = strings.TrimRight(strings.TrimSuffix(num, "kB"), " \t")
		n, nerr := strconv.ParseUint(num, 10, 64)
		switch {
		case !isDigits(num):
			if err == nil {
				t.Fatalf("KB(%q) = %d, want error", s, got)
			}
		case nerr != nil || n > math.MaxUint64>>10:
			if !errors.Is(err, strconv.ErrRange) {
				t.Fatalf("KB(%q) = %d, %v, want ErrRange", s, got, err)
			}
		default:
			if err != nil || got != n<<10 {
				t.Fatalf("KB(%q) = %d, %v, want %d", s, got, err, n<<10)
			}
		}
	})
}

var (
	sinkU uint64
	sinkI int64
	sinkB bool
)

func BenchmarkUint(b *testing.B) {
	for _, s := range []string{"7", "1234567", "18446744073709551615"} {
		in := []byte(s)
		b.Run("len="+strconv.Itoa(len(s)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, err := Uint(in)
				if err != nil {
					b.Fatal(err)
				}
				sinkU += v
			}
		})
	}
}

func BenchmarkInt(b *testing.B) {
	in := []byte("-1234567")
	b.ReportAllocs()
	for b.Loop() {
		v, err := Int(in)
		if err != nil {
			b.Fatal(err)
		}
		sinkI += v
	}
}

func BenchmarkHex(b *testing.B) {
	in := []byte("7fffdeadbeef")
	b.ReportAllocs()
	for b.Loop() {
		v, err := Hex(in)
		if err != nil {
			b.Fatal(err)
		}
		sinkU += v
	}
}

func BenchmarkUintBase(b *testing.B) {
	in := []byte("100644")
	b.ReportAllocs()
	for b.Loop() {
		v, err := UintBase(in, 8)
		if err != nil {
			b.Fatal(err)
		}
		sinkU += v
	}
}

func BenchmarkUintOrMax(b *testing.B) {
	for _, s := range []string{"max", "9223372036854771712"} {
		in := []byte(s)
		b.Run("in="+s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, max, err := UintOrMax(in)
				if err != nil {
					b.Fatal(err)
				}
				sinkU += v
				sinkB = sinkB != max
			}
		})
	}
}

func BenchmarkKB(b *testing.B) {
	in := []byte("    16318480 kB")
	b.ReportAllocs()
	for b.Loop() {
		v, err := KB(in)
		if err != nil {
			b.Fatal(err)
		}
		sinkU += v
	}
}
