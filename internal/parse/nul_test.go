package parse

import (
	"bytes"
	"strings"
	"testing"
)

func nulEntries(b []byte) []string {
	var out []string
	for {
		e, rest, ok := NulEntry(b)
		if !ok {
			return out
		}
		out = append(out, string(e))
		b = rest
	}
}

func TestNulEntry(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"\x00", []string{""}},
		{"\x00\x00", []string{"", ""}},
		{"a", []string{"a"}},
		{"a\x00", []string{"a"}},
		{"a\x00\x00b\x00", []string{"a", "", "b"}},
		{"/bin/sh\x00-c\x00echo hi\x00", []string{"/bin/sh", "-c", "echo hi"}},
		{"rewritten argv no nul", []string{"rewritten argv no nul"}},
		{"a\x00b", []string{"a", "b"}},
		{"PATH=/bin\x00HOME=/root\x00", []string{"PATH=/bin", "HOME=/root"}},
	} {
		got := nulEntries([]byte(c.in))
		if len(got) != len(c.want) || strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("NulEntry loop over %q = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzNulEntry(f *testing.F) {
	for _, s := range []string{"", "\x00", "a\x00\x00b\x00", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := nulEntries([]byte(s))
		for _, e := range got {
			if strings.IndexByte(e, 0) >= 0 {
				t.Fatalf("entry %q contains NUL", e)
			}
		}
		joined := strings.Join(got, "\x00")
		if strings.HasSuffix(s, "\x00") {
			joined += "\x00"
		}
		if joined != s {
			t.Fatalf("entries of %q = %q rejoin to %q", s, got, joined)
		}
		if want := bytes.Count([]byte(s), []byte{0}); len(s) > 0 && !strings.HasSuffix(s, "\x00") {
			want++
			if len(got) != want {
				t.Fatalf("%q gave %d entries, want %d", s, len(got), want)
			}
		} else if len(got) != want {
			t.Fatalf("%q gave %d entries, want %d", s, len(got), want)
		}
	})
}

func BenchmarkNulEntry(b *testing.B) {
	in := []byte("/usr/bin/python3\x00-m\x00http.server\x00--bind\x00127.0.0.1\x008080\x00")
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		for rest := in; ; {
			e, r, ok := NulEntry(rest)
			if !ok {
				break
			}
			sinkN += len(e)
			rest = r
		}
	}
}
