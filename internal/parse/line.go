package parse

import "bytes"

// Line returns the next line of b without its '\n', and the bytes after it.
// A last line without '\n' is returned whole with an empty rest. Callers loop
// while len(b) > 0.
func Line(b []byte) (line, rest []byte) {
	// bytes.Cut keeps Line within the inlining budget.
	line, rest, _ = bytes.Cut(b, newline)
	return line, rest
}

var newline = []byte{'\n'}

// Field returns the next field of b: leading spaces and tabs are skipped and
// the field runs to the next space or tab (or the end). rest starts at that
// separator. field is empty when b holds only spaces and tabs.
func Field(b []byte) (field, rest []byte) {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	j := i
	for j < len(b) && b[j] != ' ' && b[j] != '\t' {
		j++
	}
	return b[i:j], b[j:]
}

// KeyValue splits line at the first sep. The key is right-trimmed of spaces
// and tabs, the value trimmed of spaces and tabs on both ends ("VmRSS:\t  12
// kB" -> "VmRSS", "12 kB"). ok is false when sep does not occur.
func KeyValue(line []byte, sep byte) (key, value []byte, ok bool) {
	i := bytes.IndexByte(line, sep)
	if i < 0 {
		return nil, nil, false
	}
	return trimRightSpaceTab(line[:i]), TrimBlank(line[i+1:]), true
}

// Trim removes spaces, tabs and newlines from both ends of b.
func Trim(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

// TrimBlank removes spaces and tabs (not newlines) from both ends of b.
func TrimBlank(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return trimRightSpaceTab(b)
}

func trimRightSpaceTab(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
