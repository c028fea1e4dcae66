package parse

import (
	"bytes"
	"strings"
	"testing"
)

func TestLine(t *testing.T) {
	for _, c := range []struct {
		in    string
		lines []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a\n", []string{"a"}},
		{"a\nb", []string{"a", "b"}},
		{"a\n\nb\n", []string{"a", "", "b"}},
		{"\n", []string{""}},
		{"\n\n", []string{"", ""}},
		{"x\r\n", []string{"x\r"}},
	} {
		var got []string
		for b := []byte(c.in); len(b) > 0; {
			var line []byte
			line, b = Line(b)
			got = append(got, string(line))
		}
		if strings.Join(got, "|") != strings.Join(c.lines, "|") || len(got) != len(c.lines) {
			t.Errorf("Line loop over %q = %q, want %q", c.in, got, c.lines)
		}
	}
}

func TestField(t *testing.T) {
	for _, c := range []struct {
		in     string
		fields []string
	}{
		{"", nil},
		{"   \t ", nil},
		{"a", []string{"a"}},
		{"  a\tb  c ", []string{"a", "b", "c"}},
		{"1 (bash) S 0", []string{"1", "(bash)", "S", "0"}},
		{"a\nb c", []string{"a\nb", "c"}},
	} {
		var got []string
		b := []byte(c.in)
		for {
			var f []byte
			f, b = Field(b)
			if len(f) == 0 {
				break
			}
			got = append(got, string(f))
		}
		if len(got) != len(c.fields) || strings.Join(got, "|") != strings.Join(c.fields, "|") {
			t.Errorf("Field loop over %q = %q, want %q", c.in, got, c.fields)
		}
		if len(b) != len(bytes.Trim(b, " \t")) && len(bytes.Trim(b, " \t")) != 0 {
			t.Errorf("Field loop over %q left %q", c.in, b)
		}
	}
	f, rest := Field([]byte("ab cd"))
	if string(f) != "ab" || string(rest) != " cd" {
		t.Errorf(`Field("ab cd") = %q, %q, want "ab", " cd"`, f, rest)
	}
}

func TestKeyValue(t *testing.T) {
	for _, c := range []struct {
		in       string
		sep      byte
		key, val string
		ok       bool
	}{
		{"VmRSS:\t    1234 kB", ':', "VmRSS", "1234 kB", true},
		{"MemTotal:       16318480 kB", ':', "MemTotal", "16318480 kB", true},
		{"Name:\tbash", ':', "Name", "bash", true},
		{"Key:", ':', "Key", "", true},
		{":value", ':', "", "value", true},
		{"a:b:c", ':', "a", "b:c", true},
		{"cpu MHz\t\t: 2994.372", ':', "cpu MHz", "2994.372", true},
		{"  lead : x", ':', "  lead", "x", true},
		{"anon 123", ' ', "anon", "123", true},
		{"key=value", '=', "key", "value", true},
		{"nosep", ':', "", "", false},
		{"", ':', "", "", false},
		{"a: b \n", ':', "a", "b \n", true},
	} {
		k, v, ok := KeyValue([]byte(c.in), c.sep)
		if string(k) != c.key || string(v) != c.val || ok != c.ok {
			t.Errorf("KeyValue(%q, %q) = %q, %q, %v, want %q, %q, %v", c.in, c.sep, k, v, ok, c.key, c.val, c.ok)
		}
	}
}

func TestTrim(t *testing.T) {
	for in, want := range map[string]string{
		"":              "",
		" \t\n":         "",
		"x":             "x",
		"\n 0-3\t\n":    "0-3",
		"a b":           "a b",
		"\r\nx\r\n":     "\r\nx\r",
		" \t\na \t b\n": "a \t b",
	} {
		if got := Trim([]byte(in)); string(got) != want {
			t.Errorf("Trim(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "a\nb", "\n\n", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var lines []string
		for b := []byte(s); len(b) > 0; {
			var line []byte
			line, b = Line(b)
			if bytes.IndexByte(line, '\n') >= 0 {
				t.Fatalf("Line returned %q containing a newline", line)
			}
			lines = append(lines, string(line))
		}
		joined := strings.Join(lines, "\n")
		if joined != s && joined+"\n" != s {
			t.Fatalf("lines of %q joined = %q", s, joined)
		}
	})
}

func FuzzField(f *testing.F) {
	for _, s := range []string{"", " a  b\tc ", "\t\t", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got []string
		b := []byte(s)
		for {
			var fld []byte
			fld, b = Field(b)
			if len(fld) == 0 {
				break
			}
			if bytes.ContainsAny(fld, " \t") {
				t.Fatalf("Field returned %q containing a separator", fld)
			}
			got = append(got, string(fld))
		}
		if strings.Trim(string(b), " \t") != "" {
			t.Fatalf("Field stopped early on %q, rest %q", s, b)
		}
		want := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' })
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") || len(got) != len(want) {
			t.Fatalf("fields of %q = %q, want %q", s, got, want)
		}
	})
}

func FuzzKeyValue(f *testing.F) {
	f.Add("VmRSS:\t 12 kB", byte(':'))
	f.Add("a=b", byte('='))
	f.Add("", byte(':'))
	f.Fuzz(func(t *testing.T, s string, sep byte) {
		k, v, ok := KeyValue([]byte(s), sep)
		before, after, found := strings.Cut(s, string([]byte{sep}))
		if ok != found {
			t.Fatalf("KeyValue(%q, %q) ok = %v, want %v", s, sep, ok, found)
		}
		if !ok {
			return
		}
		if string(k) != strings.TrimRight(before, " \t") || string(v) != strings.Trim(after, " \t") {
			t.Fatalf("KeyValue(%q, %q) = %q, %q", s, sep, k, v)
		}
	})
}

func FuzzTrim(f *testing.F) {
	f.Add(" \n x \t")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(Trim([]byte(s))), strings.Trim(s, " \t\n"); got != want {
			t.Fatalf("Trim(%q) = %q, want %q", s, got, want)
		}
	})
}

var sinkN int

func BenchmarkLine(b *testing.B) {
	in := []byte(strings.Repeat("MemTotal:       16318480 kB\n", 50))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		for rest := in; len(rest) > 0; {
			var line []byte
			line, rest = Line(rest)
			sinkN += len(line)
		}
	}
}

func BenchmarkField(b *testing.B) {
	in := []byte("1 (bash) S 0 1 1 34816 1 4194560 2353 41012 0 4 3 4 41 22 20 0 1 0 12 9457664 1280")
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		for rest := in; ; {
			var f []byte
			f, rest = Field(rest)
			if len(f) == 0 {
				break
			}
			sinkN += len(f)
		}
	}
}

func BenchmarkKeyValue(b *testing.B) {
	in := []byte("VmRSS:\t    1234 kB")
	b.ReportAllocs()
	for b.Loop() {
		k, v, ok := KeyValue(in, ':')
		if !ok {
			b.Fatal("no separator")
		}
		sinkN += len(k) + len(v)
	}
}

func BenchmarkTrim(b *testing.B) {
	in := []byte(" \t0-3,8\n")
	b.ReportAllocs()
	for b.Loop() {
		sinkN += len(Trim(in))
	}
}
