package cli

// This file is the CLI's one formatting module: every command prints
// sizes, times, durations, counts and kernel strings through these
// functions, so that a value looks the same wherever lx shows it. `lx help
// text` describes the forms for users.

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// formatBytes formats n bytes with a binary unit and a space: "512 B",
// "2 MiB", "11.6 MiB". Exact multiples have no decimals; others one.
func formatBytes(n uint64) string {
	const units = "KMGTPE"
	if n < 1024 {
		return strconv.FormatUint(n, 10) + " B"
	}
	unit, exp := uint64(1024), 0
	for n/unit >= 1024 && exp < len(units)-1 {
		unit <<= 10
		exp++
	}
	if n%unit == 0 {
		return fmt.Sprintf("%d %ciB", n/unit, units[exp])
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(unit), units[exp])
}

// formatCount formats a number of things (threads, pages, descriptors) in
// plain decimal digits.
func formatCount[T ~int | ~int32 | ~int64 | ~uint | ~uint32 | ~uint64](n T) string {
	if n < 0 {
		return strconv.FormatInt(int64(n), 10)
	}
	return strconv.FormatUint(uint64(n), 10)
}

// timeLayout is how tables show a point in time: to the second, with the
// zone as a numeric offset, which unlike an abbreviation ("IST") cannot
// be ambiguous.
const timeLayout = "2006-01-02 15:04:05 -0700"

// formatTime formats t to the second (truncated, as ps does), in t's
// location: "2024-05-01 12:00:03 +0200".
func formatTime(t time.Time) string { return t.Format(timeLayout) }

// formatDuration formats d for people: seconds alone below a minute
// ("0s", "0.01s", "12.5s"), otherwise days, hours, minutes and seconds,
// leaving out leading zero units ("5m 0s", "1d 2h 3m 4s"). The seconds
// carry as many decimals as d has (trailing zeros dropped): a caller that
// wants whole seconds truncates first.
func formatDuration(d time.Duration) string {
	if d < 0 {
		if d == -d { // math.MinInt64 has no positive counterpart
			return "-" + formatDuration(-(d + 1))
		}
		return "-" + formatDuration(-d)
	}
	s := int64(d / time.Second)
	var b strings.Builder
	for _, p := range []struct {
		n    int64
		unit string
	}{{s / 86400, "d"}, {s / 3600 % 24, "h"}, {s / 60 % 60, "m"}} {
		if b.Len() > 0 || p.n > 0 {
			fmt.Fprintf(&b, "%d%s ", p.n, p.unit)
		}
	}
	b.WriteString(strconv.FormatInt(s%60, 10))
	if frac := int64(d % time.Second); frac > 0 {
		b.WriteByte('.')
		b.WriteString(strings.TrimRight(fmt.Sprintf("%09d", frac), "0"))
	}
	b.WriteByte('s')
	return b.String()
}

// formatCPUTime formats d as ps's TIME column does: [DD-]HH:MM:SS,
// truncated to the second.
func formatCPUTime(d time.Duration) string {
	s := int64(d / time.Second)
	hms := fmt.Sprintf("%02d:%02d:%02d", s/3600%24, s/60%60, s%60)
	if days := s / 86400; days > 0 {
		return fmt.Sprintf("%d-%s", days, hms)
	}
	return hms
}

// formatCPUTimes formats a process's user and system CPU time for people:
// "1.23s user, 0.45s system".
func formatCPUTimes(user, system time.Duration) string {
	return formatDuration(user) + " user, " + formatDuration(system) + " system"
}

// escape returns the form in which tables show a string the kernel gave
// (a command name, a path, a descriptor's target): any bytes but NUL, so
// possibly control characters that would garble the terminal and bytes
// that are not UTF-8. Printable characters (Unicode's graphic characters
// and the ASCII space) stay as they are; everything else becomes a Go
// escape: \a \b \f \n \r \t \v, \xNN for another ASCII control character
// or a byte that is not UTF-8, \uNNNN or \UNNNNNNNN for a character that
// is not printable (U+0085, U+200E, U+2028, ...); a backslash is doubled.
// Spaces at the start or the end become \x20: next to a table's column
// gap, or at the end of a line, they could not be seen. So a backslash in
// the output always starts an escape, and the kernel's bytes can be read
// back exactly (strconv.Unquote reads the form, once each '"' is escaped
// too).
func escape(s string) string {
	inner := strings.Trim(s, " ")
	if inner == s {
		return escapeChars(s)
	}
	const space = `\x20`
	if inner == "" {
		return strings.Repeat(space, len(s))
	}
	lead := strings.Index(s, inner)
	return strings.Repeat(space, lead) + escapeChars(inner) + strings.Repeat(space, len(s)-lead-len(inner))
}

// escapeChars is escape without the rule for spaces at the ends.
func escapeChars(s string) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !plain(r, n) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s // the common case: nothing to escape, no allocation
	}
	b := []byte(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		b = appendEscaped(b, s[i:i+n], r)
		i += n
	}
	return string(b)
}

// plain reports whether the rune r, n bytes long in its string, is shown
// as it is by escape.
func plain(r rune, n int) bool {
	if r == utf8.RuneError && n == 1 || r == '\\' {
		return false
	}
	return r == ' ' || unicode.IsPrint(r)
}

// appendEscaped appends the escape form of one character c (r decoded, or
// RuneError for a byte that is not UTF-8).
func appendEscaped(b []byte, c string, r rune) []byte {
	const hex = "0123456789abcdef"
	switch {
	case plain(r, len(c)):
		return append(b, c...)
	case r == '\\':
		return append(b, `\\`...)
	case r == utf8.RuneError && len(c) == 1, r < utf8.RuneSelf:
		if i := strings.IndexByte("\a\b\f\n\r\t\v", c[0]); i >= 0 {
			return append(b, '\\', "abfnrtv"[i])
		}
		return append(b, '\\', 'x', hex[c[0]>>4], hex[c[0]&0xf])
	case r < 0x10000:
		return fmt.Appendf(b, `\u%04x`, r)
	default:
		return fmt.Appendf(b, `\U%08x`, r)
	}
}

// printable reports whether s has only characters that escape shows as
// they are (spaces at its ends included).
func printable(s string) bool { return escapeChars(s) == s }

// quoteArgs formats a command line as a shell (bash) would need it typed,
// so that every argument and every byte shows: a word of only safe
// characters as it is, one with spaces, quotes or other printable
// characters in single quotes, and one with anything escape would escape
// (a control character, a byte that is not UTF-8, a backslash) in bash's
// $'...' form with escape's escapes and \' for a quote. Spaces inside
// quotes are visible, so they stay spaces.
func quoteArgs(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = quoteArg(a)
	}
	return strings.Join(quoted, " ")
}

func quoteArg(s string) string {
	const safe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-"
	if s != "" && strings.Trim(s, safe) == "" {
		return s
	}
	if printable(s) {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return "$'" + strings.ReplaceAll(escapeChars(s), "'", `\'`) + "'"
}

// wrapWords fills lines of at most width characters with words separated
// by one space; a word longer than width has a line of its own.
func wrapWords(words []string, width int) []string {
	var lines []string
	line := ""
	for _, w := range words {
		switch {
		case line == "":
			line = w
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// formatPercent formats a share given in tenths of a percent (per mille)
// as a percentage with one decimal and no sign: "0.0", "12.3", "150.0".
func formatPercent(permille uint64) string {
	return strconv.FormatUint(permille/10, 10) + "." + strconv.FormatUint(permille%10, 10)
}
