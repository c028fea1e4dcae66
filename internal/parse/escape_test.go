package parse

import (
	"bytes"
	"fmt"
	"testing"
)

func TestUnescape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"/mnt/plain", "/mnt/plain"},
		{`/mnt/with\040space`, "/mnt/with space"},
		{`a\011b\012c\134d`, "a\tb\nc\\d"},
		{`\040\040`, "  "},
		{`\000`, "\x00"},
		{`\377`, "\xff"},
		{`\400`, `\400`},    // above 0377: not an escape
		{`\777`, `\777`},    // above 0377: not an escape
		{`\08`, `\08`},      // not octal
		{`\9`, `\9`},        // not octal
		{`\04`, `\04`},      // truncated
		{`\0`, `\0`},        // truncated
		{`\`, `\`},          // trailing backslash
		{`x\`, `x\`},        // trailing backslash
		{`\\040`, `\ `},     // first backslash is literal, second starts an escape
		{`\0400`, " 0"},     // exactly three digits
		{`\134134`, `\134`}, // decoded backslash does not start a new escape
		{`\a\n`, `\a\n`},    // C escapes are not the kernel's
	} {
		got := Unescape(nil, []byte(c.in))
		if string(got) != c.want {
			t.Errorf("Unescape(%q) = %q, want %q", c.in, got, c.want)
		}
		got = Unescape([]byte("prefix:"), []byte(c.in))
		if string(got) != "prefix:"+c.want {
			t.Errorf("Unescape(prefix, %q) = %q, want %q", c.in, got, "prefix:"+c.want)
		}
	}
}

// escapeAll octal-escapes the bytes mangle_path escapes, plus any byte
// selected by mask, so that round trips cover every byte value.
func escapeAll(b []byte, mask byte) []byte {
	var out []byte
	for i, c := range b {
		if c == ' ' || c == '\t' || c == '\n' || c == '\\' || (mask>>(i%8))&1 == 1 {
			out = fmt.Appendf(out, `\%03o`, c)
			continue
		}
		out = append(out, c)
	}
	return out
}

func FuzzUnescape(f *testing.F) {
	for _, s := range []string{"", `a\040b`, `\`, `\4`, `\400`, `\134\134`, "plain"} {
		f.Add(s, byte(0))
	}
	f.Fuzz(func(t *testing.T, s string, mask byte) {
		in := []byte(s)
		got := Unescape(nil, in)
		if len(got) > len(in) {
			t.Fatalf("Unescape(%q) = %q grew", s, got)
		}
		if bytes.IndexByte(in, '\\') < 0 && string(got) != s {
			t.Fatalf("Unescape(%q) = %q, want identity", s, got)
		}
		// Unescaping what the kernel would escape returns the original.
		if back := Unescape(nil, escapeAll(in, mask)); string(back) != s {
			t.Fatalf("Unescape(escape(%q)) = %q", s, back)
		}
		// dst is appended to, never overwritten.
		pre := []byte("pre")
		if out := Unescape(pre, in); string(out) != "pre"+string(got) {
			t.Fatalf("Unescape(pre, %q) = %q", s, out)
		}
	})
}

func BenchmarkUnescape(b *testing.B) {
	for name, s := range map[string]string{
		"plain":   "/var/lib/docker/overlay2/0123456789abcdef/merged",
		"escaped": `/media/user/My\040Disk\040\134backup\134`,
	} {
		in := []byte(s)
		dst := make([]byte, 0, 128)
		b.Run("in="+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				dst = Unescape(dst[:0], in)
			}
			sinkN += len(dst)
		})
	}
}
