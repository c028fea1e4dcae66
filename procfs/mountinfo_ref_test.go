package procfs

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/mount"
)

// The mountinfo parser before the SWAR field splitting, kept as the
// oracle of FuzzParseMountInfo.

// parseMountInfo parses a whole mountinfo file. It unescapes b in place.
// The unescaped fields become substrings of one copy of b.
func refParseMountInfo(b []byte) ([]Mount, error) {
	s := string(b)
	ms := make([]Mount, 0, bytes.Count(b, []byte{'\n'})+1)
	rest := b
	var v MountView // kept across lines: see parseMountLine
	for n := 1; len(rest) > 0; n++ {
		var line []byte
		line, rest = parse.Line(rest)
		if len(line) == 0 {
			continue
		}
		esc, err := refParseMountLine(line, &v)
		if err != nil {
			return nil, atLine(n, err)
		}
		// A field without escapes is the same bytes in s; an unescaped
		// one is shorter and gets its own string.
		sub := func(f []byte, escaped bool) string {
			if len(f) == 0 {
				return ""
			}
			if escaped {
				return string(f)
			}
			off := cap(b) - cap(f)
			return s[off : off+len(f)]
		}
		ms = append(ms, Mount{
			ID: v.ID, ParentID: v.ParentID, Dev: v.Dev,
			Root:         sub(v.Root, esc&escRoot != 0),
			MountPoint:   sub(v.MountPoint, esc&escMountPoint != 0),
			Options:      sub(v.Options, false),
			Flags:        v.Flags,
			Propagation:  v.Propagation,
			FSType:       sub(v.FSType, esc&escFSType != 0),
			Source:       sub(v.Source, esc&escSource != 0),
			SuperOptions: sub(v.SuperOptions, false),
		})
	}
	return ms, nil
}

// parseMountLine parses one mountinfo line into v, unescaping the escaped
// fields in place, and reports which ones it changed. Every field of v is
// written; v may hold the previous line, whose Flags are kept without
// parsing the options again when they are the same bytes (most mounts
// share a handful of option strings).
//
//	36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//	(1)(2)(3)   (4)   (5)         (6)        (7)     (8)(9)  (10)      (11)
//
// Fields are separated by exactly one space; an empty field (a source of
// "") shows as two spaces.
func refParseMountLine(line []byte, v *MountView) (esc uint8, err error) {
	var f []byte
	var ok bool
	// Escapes are rare: one search of the line spares one per field.
	unescape := refUnescapeField
	if bytes.IndexByte(line, '\\') < 0 {
		unescape = refKeepField
	}
	next := func() bool {
		f, line, ok = refCutByte(line, ' ')
		return ok
	}
	if !next() {
		return 0, errMountFields
	}
	id, err := parse.Uint(f)
	if err != nil || id > 1<<31-1 {
		return 0, fmt.Errorf("mount id %q: %w", f, strconv.ErrSyntax)
	}
	if !next() {
		return 0, errMountFields
	}
	parent, err := parse.Uint(f)
	if err != nil || parent > 1<<31-1 {
		return 0, fmt.Errorf("parent id %q: %w", f, strconv.ErrSyntax)
	}
	v.ID, v.ParentID = int(id), int(parent)
	if !next() {
		return 0, errMountFields
	}
	if v.Dev, err = parseDev(f, 10); err != nil {
		return 0, fmt.Errorf("%w %q", err, f)
	}
	if !next() {
		return 0, errMountFields
	}
	v.Root, esc = unescape(f, esc, escRoot)
	if !next() {
		return 0, errMountFields
	}
	v.MountPoint, esc = unescape(f, esc, escMountPoint)
	if !next() {
		return 0, errMountFields
	}
	if v.Options == nil || string(f) != string(v.Options) {
		if v.Flags, err = mount.ParseFlags(f); err != nil {
			return 0, err
		}
	}
	v.Options = f
	// The optional fields run up to the "-" separator: find where they
	// end, then parse them at once.
	opt := line
	for {
		if !next() {
			return 0, errMountSeparator
		}
		if len(f) == 1 && f[0] == '-' {
			break
		}
	}
	// opt is now the optional fields, " - " and line, or "- " and line
	// when there are no optional fields.
	span := opt[:max(len(opt)-len(line)-len(" - "), 0)]
	if v.Propagation, err = mount.ParsePropagation(span); err != nil {
		return 0, err
	}
	if !next() {
		return 0, errMountFields
	}
	v.FSType, esc = unescape(f, esc, escFSType)
	if !next() {
		// The super options are the last field; tolerate a line that
		// ends after the source.
		v.Source, esc = unescape(f, esc, escSource)
		v.SuperOptions = nil
		return esc, nil
	}
	v.Source, esc = unescape(f, esc, escSource)
	v.SuperOptions = line
	return esc, nil
}

// cutByte is bytes.Cut for one separator byte. The fields of mountinfo
// are short, and a plain loop beats bytes.IndexByte's call on them.
func refCutByte(b []byte, sep byte) (before, after []byte, found bool) {
	for i, c := range b {
		if c == sep {
			return b[:i], b[i+1:], true
		}
	}
	return b, nil, false
}

// keepField is unescapeField for a line without a backslash.
func refKeepField(f []byte, esc, _ uint8) ([]byte, uint8) { return f, esc }

// unescapeField decodes the octal escapes of f in place. parse.Unescape
// appends to dst while reading src ahead of it, and every escape shrinks,
// so dst == src[:0] is safe (TestUnescapeInPlace checks it).
func refUnescapeField(f []byte, esc, bit uint8) ([]byte, uint8) {
	if bytes.IndexByte(f, '\\') < 0 {
		return f, esc
	}
	u := parse.Unescape(f[:0], f)
	if len(u) != len(f) {
		esc |= bit
	}
	return u, esc
}
