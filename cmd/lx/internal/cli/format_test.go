package cli

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lxgo/lx/rlimit"
)

func TestFormatBytes(t *testing.T) {
	for _, tc := range []struct {
		n    uint64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1 KiB"}, {1536, "1.5 KiB"}, {2 << 20, "2 MiB"},
		{12163481, "11.6 MiB"}, {1 << 30, "1 GiB"}, {25276514304, "23.5 GiB"}, {1 << 60, "1 EiB"},
		{1<<64 - 1, "16.0 EiB"},
	} {
		if got := formatBytes(tc.n); got != tc.want {
			t.Errorf("formatBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestFormatCount(t *testing.T) {
	if got := formatCount(-3) + " " + formatCount(uint64(math.MaxUint64)) + " " + formatCount(uint32(7)); got != "-3 18446744073709551615 7" {
		t.Errorf("formatCount: %q", got)
	}
}

func TestFormatTime(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 0, 3, 990_000_000, time.FixedZone("CEST", 2*3600))
	if got := formatTime(at); got != "2024-05-01 12:00:03 +0200" {
		t.Errorf("formatTime = %q", got)
	}
	if got := formatTime(at.In(time.UTC)); got != "2024-05-01 10:00:03 +0000" {
		t.Errorf("formatTime in UTC = %q", got)
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {10 * time.Millisecond, "0.01s"}, {999 * time.Millisecond, "0.999s"}, {1230 * time.Millisecond, "1.23s"},
		{time.Nanosecond, "0.000000001s"}, {12 * time.Second, "12s"}, {5 * time.Minute, "5m 0s"},
		{2*time.Hour + 3*time.Second, "2h 0m 3s"}, {26*time.Hour + 3*time.Minute + 4*time.Second, "1d 2h 3m 4s"},
		{61*time.Second + 500*time.Millisecond, "1m 1.5s"}, {-90 * time.Second, "-1m 30s"},
		{math.MaxInt64, "106751d 23h 47m 16.854775807s"}, {math.MinInt64, "-106751d 23h 47m 16.854775807s"},
	} {
		if got := formatDuration(tc.d); got != tc.want {
			t.Errorf("formatDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestFormatCPUTime(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                           "00:00:00",
		1999 * time.Millisecond:     "00:00:01",
		3723 * time.Second:          "01:02:03",
		(2*86400 + 5) * time.Second: "2-00:00:05",
	} {
		if got := formatCPUTime(d); got != want {
			t.Errorf("formatCPUTime(%v) = %q, want %q", d, got, want)
		}
	}
	if got := formatCPUTimes(1230*time.Millisecond, 450*time.Millisecond); got != "1.23s user, 0.45s system" {
		t.Errorf("formatCPUTimes = %q", got)
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain":            "plain",
		"a b (x) R 1":      "a b (x) R 1",
		"":                 "",
		"héllo ✓ 日本":       "héllo ✓ 日本",
		"tab\there":        `tab\there`,
		"nl\n":             `nl\n`,
		"\a\b\f\r\v":       `\a\b\f\r\v`,
		"\x00\x01\x1f\x7f": `\x00\x01\x1f\x7f`,
		"esc\x1b[31m":      `esc\x1b[31m`,
		"\xff\xfe":         `\xff\xfe`,
		"\xc3":             `\xc3`,   // a truncated sequence
		"\xc3\xa9":         "é",      // the whole one
		"\uFFFD":           "\uFFFD", // a real U+FFFD is printable: not confused with a bad byte
		`back\slash`:       `back\\slash`,
		`\x41`:             `\\x41`, // looks like an escape, so its backslash is doubled
		"\u0085\u200e":     `\u0085\u200e`,
		"\u2028":           `\u2028`,
		"\U000e0001":       `\U000e0001`,
		"a\u00a0b":         `a\u00a0b`, // a no-break space is not the ASCII space
		"'\"":              `'"`,
	} {
		if got := escape(in); got != want {
			t.Errorf("escape(%q) = %s, want %s", in, got, want)
		}
		if printable(in) != (escape(in) == in) {
			t.Errorf("printable(%q) = %v", in, printable(in))
		}
		if got, ok := unescape(escape(in)); !ok || got != in {
			t.Errorf("escape(%q) = %s reads back as %q, %v", in, escape(in), got, ok)
		}
	}
}

// unescape reads escape's form back with strconv.Unquote.
func unescape(s string) (string, bool) {
	u, err := strconv.Unquote(`"` + strings.ReplaceAll(s, `"`, `\"`) + `"`)
	return u, err == nil
}

// FuzzEscape checks that escape's output is printable, free of the
// characters that would break a table line, and reads back exactly.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a b", "\n\t\\", "\xff", "\u2028", "é\xc3", `\"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := escape(s)
		if !utf8.ValidString(e) || strings.ContainsAny(e, "\n\t\r\x00\x1b") {
			t.Fatalf("escape(%q) = %q is not plain text", s, e)
		}
		if escape(e) != strings.ReplaceAll(e, `\`, `\\`) {
			t.Fatalf("escape(%q) = %q has characters that need escaping", s, e)
		}
		if u, ok := unescape(e); !ok || u != s {
			t.Fatalf("escape(%q) = %q reads back as %q, %v", s, e, u, ok)
		}
	})
}

func TestQuoteArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"/bin/ls", "-l", "a.txt"}, "/bin/ls -l a.txt"},
		{[]string{"echo", "a b", ""}, "echo 'a b' ''"},
		{[]string{"it's"}, `'it'\''s'`},
		{[]string{"héllo"}, "'héllo'"},
		{[]string{"\xff\xfebad"}, `$'\xff\xfebad'`},
		{[]string{"tab\there", `q'uote`}, `$'tab\there' 'q'\''uote'`},
		{[]string{"nl\n'\\"}, `$'nl\n\'\\'`},
		{[]string{`back\slash`}, `$'back\\slash'`},
		{[]string{"x) R 1 (y"}, `'x) R 1 (y'`},
	} {
		if got := quoteArgs(tc.args); got != tc.want {
			t.Errorf("quoteArgs(%q) = %s, want %s", tc.args, got, tc.want)
		}
	}
}

func TestWrapWords(t *testing.T) {
	for _, tc := range []struct {
		words []string
		width int
		want  string
	}{
		{nil, 10, ""},
		{[]string{"a", "bb", "ccc"}, 10, "a bb ccc"},
		{[]string{"a", "bb", "ccc"}, 4, "a bb|ccc"},
		{[]string{"averylongword", "b"}, 4, "averylongword|b"},
		{[]string{"é", "é"}, 3, "é é"}, // characters, not bytes
	} {
		if got := strings.Join(wrapWords(tc.words, tc.width), "|"); got != tc.want {
			t.Errorf("wrapWords(%q, %d) = %q, want %q", tc.words, tc.width, got, tc.want)
		}
	}
}

func TestFormatLimit(t *testing.T) {
	for _, tc := range []struct {
		res  rlimit.Resource
		v    rlimit.Value
		want string
	}{
		{rlimit.Stack, 8 << 20, "8 MiB"},
		{rlimit.Stack, rlimit.Unlimited, "unlimited"},
		{rlimit.NoFile, 1024, "1024"},
		{rlimit.CPU, 3600, "1h 0m 0s"},
		{rlimit.RTTime, 200000, "0.2s"},
		{rlimit.CPU, 1 << 62, "4611686018427387904 seconds"}, // beyond a time.Duration
	} {
		if got := formatLimit(tc.res, tc.v); got != tc.want {
			t.Errorf("formatLimit(%v, %d) = %q, want %q", tc.res, tc.v, got, tc.want)
		}
	}
}
