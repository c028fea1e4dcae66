package parse

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestAppendUint32s(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []uint32
		err  error
	}{
		{"", nil, nil},
		{" \t", nil, nil},
		{"4 24 27 1000 ", []uint32{4, 24, 27, 1000}, nil},
		{"0\t4294967295", []uint32{0, 1<<32 - 1}, nil},
		{"1 4294967296", []uint32{1}, strconv.ErrRange},
		{"1 x 2", []uint32{1}, strconv.ErrSyntax},
		{"-1", nil, strconv.ErrSyntax},
	} {
		got, err := AppendUint32s([]uint32{9}, []byte(c.in))
		if !slices.Equal(got, append([]uint32{9}, c.want...)) || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("AppendUint32s(%q) = %v, %v; want %v, %v", c.in, got, err, c.want, c.err)
		}
		var ne *strconv.NumError
		if err != nil && (!errors.As(err, &ne) || ne.Func != "parse.AppendUint32s") {
			t.Errorf("AppendUint32s(%q) error %#v", c.in, err)
		}
	}
}

func TestAppendInts(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int
		err  error
	}{
		{"", nil, nil},
		{"1234\t1", []int{1234, 1}, nil},
		{"-1", []int{-1}, nil},
		{"1 9223372036854775808", []int{1}, strconv.ErrRange},
		{"1 +x", []int{1}, strconv.ErrSyntax},
	} {
		got, err := AppendInts(nil, []byte(c.in))
		if !slices.Equal(got, c.want) || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("AppendInts(%q) = %v, %v; want %v, %v", c.in, got, err, c.want, c.err)
		}
	}
}

func FuzzAppendUint32s(f *testing.F) {
	f.Add("4 24 27")
	f.Add("4294967296")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := AppendUint32s([]uint32(nil), []byte(s))
		fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' })
		var want []uint32
		var werr error
		for _, fld := range fields {
			n, err := strconv.ParseUint(fld, 10, 32)
			if err != nil || fld[0] == '+' {
				werr = errors.New("bad")
				break
			}
			want = append(want, uint32(n))
		}
		if (err == nil) != (werr == nil) || !slices.Equal(got, want) {
			t.Fatalf("AppendUint32s(%q) = %v, %v; want %v, %v", s, got, err, want, werr)
		}
	})
}

func FuzzAppendInts(f *testing.F) {
	f.Add("1234\t1")
	f.Add("-9223372036854775808 +5")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := AppendInts(nil, []byte(s))
		fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' })
		var want []int
		var werr error
		for _, fld := range fields {
			n, err := strconv.ParseInt(fld, 10, strconv.IntSize)
			if err != nil || strings.ContainsRune(fld, '_') {
				werr = errors.New("bad")
				break
			}
			want = append(want, int(n))
		}
		if (err == nil) != (werr == nil) || !slices.Equal(got, want) {
			t.Fatalf("AppendInts(%q) = %v, %v; want %v, %v", s, got, err, want, werr)
		}
	})
}

func BenchmarkAppendUint32s(b *testing.B) {
	in := []byte("4 24 27 30 46 100 118 1000")
	dst := make([]uint32, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = AppendUint32s(dst[:0], in)
	}
	sinkN += len(dst)
}

func BenchmarkAppendInts(b *testing.B) {
	in := []byte("1234\t56\t1")
	dst := make([]int, 0, 4)
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = AppendInts(dst[:0], in)
	}
	sinkN += len(dst)
}

func TestTrimBlank(t *testing.T) {
	for in, want := range map[string]string{"": "", " \t": "", "\tx y \t": "x y", "\nx\n": "\nx\n"} {
		if got := TrimBlank([]byte(in)); string(got) != want {
			t.Errorf("TrimBlank(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzTrimBlank(f *testing.F) {
	f.Add(" \tx\t ")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(TrimBlank([]byte(s))), strings.Trim(s, " \t"); got != want {
			t.Fatalf("TrimBlank(%q) = %q, want %q", s, got, want)
		}
	})
}

func BenchmarkTrimBlank(b *testing.B) {
	in := []byte("\t  value  \t")
	b.ReportAllocs()
	for b.Loop() {
		sinkN += len(TrimBlank(in))
	}
}
