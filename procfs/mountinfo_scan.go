package procfs

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"sync/atomic"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/mount"
)

// The fast path of mountinfo: the lines in the kernel's usual form, read
// in one pass over the buffer. parseMountLine, in mountinfo.go, reads the
// others.

// mountScanner reads the lines of a mountinfo file in turn.
type mountScanner struct {
	b    []byte
	i    int       // where the next line starts
	bs   int       // the index of the first backslash from i, or len(b)
	l    mountLine // the last line mountPlain read, and the options memo
	view bool      // whether mountPlain writes v too (MountInfoSeq)
	esc  uint8     // the fields the last line parseMountLine read unescaped (see escRoot)
}

// What mountScanner.next read.
const (
	lineEmpty  = iota
	linePlain  // a line in the usual form, in sc.l
	lineFields // any other line, in v
)

func (sc *mountScanner) init(b []byte) {
	sc.b, sc.i, sc.bs = b, 0, len(b)
	if k := bytes.IndexByte(b, '\\'); k >= 0 {
		sc.bs = k
	}
}

// next reads the next line. A line in the kernel's usual form without
// escapes takes mountPlain's path, into sc.l; anything else is cut out
// and parsed into v by parseMountLine. v must be the same on every call:
// it holds the options memo when a line takes parseMountLine's path.
func (sc *mountScanner) next(v *MountView) (kind int, err error) {
	b, i := sc.b, sc.i
	if b[i] == '\n' {
		sc.i++
		return lineEmpty, nil
	}
	pv := v
	if !sc.view {
		pv = nil
	}
	if mountPlain(b, i, &sc.l, pv) && sc.l.end <= sc.bs {
		sc.i = sc.l.end + 1
		return linePlain, nil
	}
	line, _ := parse.Line(b[i:])
	end := i + len(line)
	// parseMountLine keeps its own memo in v.Options and v.Flags: give
	// it mountPlain's, and take it back.
	if sc.l.optEnd > sc.l.optStart {
		v.Options, v.Flags = b[sc.l.optStart:sc.l.optEnd], sc.l.flags
	}
	if sc.esc, err = parseMountLine(line, v); err != nil {
		return lineEmpty, err
	}
	// parseMountLine leaves v.Options a subslice of line, hence of b
	// (the options field is never unescaped: the kernel prints it from
	// a fixed vocabulary), so its index in b is what the capacities say.
	sc.l.optStart = cap(b) - cap(v.Options)
	sc.l.optEnd, sc.l.flags = sc.l.optStart+len(v.Options), v.Flags
	if sc.bs < end {
		sc.bs = len(b)
		if k := bytes.IndexByte(b[end:], '\\'); k >= 0 {
			sc.bs = end + k
		}
	}
	sc.i = end + 1
	return lineFields, nil
}

// mountLine is a line that mountPlain read: its numbers, and where its
// fields are in the read buffer b. The options and flags are also the
// memo of the next line: most mounts share a handful of option strings.
type mountLine struct {
	id, parent, major, minor uint64
	flags                    mount.Flags
	prop                     mount.Propagation
	// Root is b[rootStart:rootEnd], MountPoint b[rootEnd+1:mpEnd],
	// Options b[optStart:optEnd], FSType b[typeStart:typeEnd], Source
	// b[typeEnd+1:srcEnd], and SuperOptions b[srcEnd+1:end] when super
	// is set (else nil); end is the index of the line's newline, or
	// len(b).
	rootStart, rootEnd, mpEnd, optStart, optEnd, typeStart, typeEnd, srcEnd, end int
	super                                                                        bool
}

// fill writes the mount of line l into m, its strings cut from s, the
// text l was read from. Field by field: a composite literal would be
// built aside, then copied with a write barrier over every pointer of the
// struct.
func (l *mountLine) fill(m *Mount, s string) {
	m.ID, m.ParentID, m.Dev = int(l.id), int(l.parent), Dev{Major: uint32(l.major), Minor: uint32(l.minor)}
	m.Root, m.MountPoint = s[l.rootStart:l.rootEnd], s[l.rootEnd+1:l.mpEnd]
	m.Options, m.Flags, m.Propagation = s[l.optStart:l.optEnd], l.flags, l.prop
	m.FSType, m.Source, m.SuperOptions = s[l.typeStart:l.typeEnd], s[l.typeEnd+1:l.srcEnd], ""
	if l.super {
		m.SuperOptions = s[l.srcEnd+1 : l.end]
	}
}

// view writes the view of line l into v, its slices cut from b, the text
// l was read from (or the same bytes).
func (l *mountLine) view(v *MountView, b []byte) {
	v.ID, v.ParentID, v.Dev = int(l.id), int(l.parent), Dev{Major: uint32(l.major), Minor: uint32(l.minor)}
	v.Root, v.MountPoint = b[l.rootStart:l.rootEnd], b[l.rootEnd+1:l.mpEnd]
	v.Options, v.Flags, v.Propagation = b[l.optStart:l.optEnd], l.flags, l.prop
	v.FSType, v.Source, v.SuperOptions = b[l.typeStart:l.typeEnd], b[l.typeEnd+1:l.srcEnd], nil
	if l.super {
		v.SuperOptions = b[l.srcEnd+1 : l.end]
	}
}

// mountMemo is a mountinfo text that MountInfo or MountInfoSeq read
// whole, and its lines as mountPlain read them. The mount table rarely
// changes between two reads, and every process of a mount namespace (with
// the same root) reads the same text: a reader that gets the memo's bytes
// again cuts its mounts or views from where the memo says they are,
// without parsing.
//
// A text is memoized when a reader that did not find it in the memo
// finds it the second time in a row: a program that reads the tables of
// two namespaces in turn, or a table that changes between every two
// reads, then makes no memo, which would cost it an allocation per read
// and spare no parse. "The same text" is here the same length and last
// 256 bytes (see mountFingerprint), which costs a fraction of hashing the
// whole text; a table that changed elsewhere at the same length is
// memoized at its first read, which costs an allocation, not a wrong
// answer: the memo itself is compared byte for byte. Only a text in the
// kernel's usual form is memoized (every mount line read by mountPlain:
// no escapes, so the parse left the bytes as they were), and only up to
// mountMemoMax bytes and mountMemoMaxLines lines. A memo is never changed
// once stored: readers share it without locks.
type mountMemo struct {
	text  string
	lines []mountLine
	fp    uint64 // mountFingerprint of text
}

// The largest text memoized: 64 KiB (about 500 mounts of a usual
// system) and 1,024 lines, so that the memo holds at most 64 KiB of text
// and 152 KiB of lines (a mountLine is 152 bytes on 64-bit systems).
const (
	mountMemoMax      = 64 << 10
	mountMemoMaxLines = 1024
)

var (
	lastMounts    atomic.Pointer[mountMemo]
	lastMountHash atomic.Uint64 // the fingerprint of the last text read
	mountSeed     = maphash.MakeSeed()
)

// mountTailLen is how many of a text's last bytes its fingerprint
// hashes.
const mountTailLen = 256

// mountFingerprint hashes a text's length n and its last mountTailLen
// bytes, tail.
func mountFingerprint(tail []byte, n int) uint64 {
	return maphash.Bytes(mountSeed, tail) ^ uint64(n)*0x9e3779b97f4a7c15
}

// mountTail is the part of b that mountFingerprint hashes.
func mountTail(b []byte) []byte { return b[max(0, len(b)-mountTailLen):] }

// memoizedMounts returns the memo if b is its text, else nil. A text
// found in the memo is the last one read too: a table read between two
// reads of another must not count as read twice in a row. (Stored only
// when it changes, so that readers of one table do not write the shared
// cache line.)
func memoizedMounts(b []byte) *mountMemo {
	if m := lastMounts.Load(); m != nil && m.text == string(b) {
		if lastMountHash.Load() != m.fp {
			lastMountHash.Store(m.fp)
		}
		return m
	}
	return nil
}

// newMountMemo returns an empty slice for the lines of b's memo when b is
// to be memoized, else nil. b was not found in the memo.
func newMountMemo(b []byte) []mountLine {
	if len(b) == 0 || len(b) > mountMemoMax {
		return nil
	}
	if h := mountFingerprint(mountTail(b), len(b)); lastMountHash.Swap(h) != h {
		return nil
	}
	n := bytes.Count(b, []byte{'\n'}) + 1
	if n > mountMemoMaxLines {
		return nil
	}
	return make([]mountLine, 0, n)
}

// storeMountMemo makes text and its lines the memo. Its fingerprint is
// taken from a copy of the tail only, not of the whole text.
func storeMountMemo(text string, lines []mountLine) {
	tail := text[max(0, len(text)-mountTailLen):]
	fp := mountFingerprint([]byte(tail), len(text))
	lastMounts.Store(&mountMemo{text: text, lines: lines, fp: fp})
}

// mountPlain reads the line of b that starts at i, as parseMountLine
// would, when it is in the kernel's usual form: mountHead's numbers, and
// fields that hold no byte below '!' but the spaces between them. The
// caller makes sure that the line holds no backslash. It reports whether
// the line is in that form, and writes nothing when it is not.
//
// It reads the fields in one pass over b, without cutting the line out of
// b first, and finds each field's end eight bytes at a time (fieldEnd).
// With a nil v, it writes the line into l, where MountInfo finds where to
// cut its strings from; making slices first would cost it more. Else it
// writes the line into v, MountInfoSeq's view, and only the end and the
// options memo into l: storing the rest too measured slower there.
func mountPlain(b []byte, i int, l *mountLine, v *MountView) bool {
	id, i, ok1 := headNumber(b, i, ' ')
	parent, i, ok2 := headNumber(b, i, ' ')
	major, i, ok3 := headNumber(b, i, ':')
	minor, i, ok4 := headNumber(b, i, ' ')
	if !(ok1 && ok2 && ok3 && ok4) {
		return false
	}
	// The root is "/" but for bind mounts of a subtree.
	rootEnd := i + 1
	if !(rootEnd < len(b) && b[i] == '/' && b[rootEnd] == ' ') {
		if rootEnd = fieldEnd(b, i); !isSpace(b, rootEnd) {
			return false
		}
	}
	mpEnd := fieldEnd(b, rootEnd+1)
	if !isSpace(b, mpEnd) {
		return false
	}
	// Most mounts share a handful of option strings: when the options
	// are the previous line's, compare them instead of searching their
	// end, and keep their flags. (The previous options hold no space or
	// newline: they were a field.)
	prev := b[l.optStart:l.optEnd]
	optStart, optEnd := mpEnd+1, mpEnd+1+len(prev)
	flags := l.flags
	if !(len(prev) > 0 && isSpace(b, optEnd) && string(b[optStart:optEnd]) == string(prev)) {
		if optEnd = fieldEnd(b, optStart); !isSpace(b, optEnd) {
			return false
		}
		var err error
		if flags, err = mount.ParseFlags(b[optStart:optEnd]); err != nil {
			return false
		}
	}
	// The optional fields run up to the first field "-".
	j := optEnd + 1
	var prop mount.Propagation
	if j+1 < len(b) && b[j] == '-' && b[j+1] == ' ' {
		j += 2 // none: a private mount
	} else {
		for {
			e := fieldEnd(b, j)
			if !isSpace(b, e) {
				return false
			}
			if e == j+1 && b[j] == '-' {
				break
			}
			j = e + 1
		}
		var err error
		if prop, err = mount.ParsePropagation(b[optEnd+1 : j-1]); err != nil {
			return false
		}
		j += 2
	}
	typeEnd := fieldEnd(b, j)
	if !isSpace(b, typeEnd) {
		return false
	}
	// The super options are the last field, up to the newline, spaces
	// and all; a line that ends after the source has none.
	srcEnd := fieldEnd(b, typeEnd+1)
	end, super := srcEnd, false
	switch {
	case isSpace(b, srcEnd):
		end, super = srcEnd+1+newlineIndex(b[srcEnd+1:]), true
	case srcEnd == len(b) || b[srcEnd] == '\n':
	default:
		return false // a byte below ' ' in the source
	}
	// The memo, and where the next line starts, in any case.
	l.optStart, l.optEnd, l.flags, l.end = optStart, optEnd, flags, end
	if v != nil {
		v.ID, v.ParentID, v.Dev = int(id), int(parent), Dev{Major: uint32(major), Minor: uint32(minor)}
		v.Root, v.MountPoint = b[i:rootEnd], b[rootEnd+1:mpEnd]
		v.Options, v.Flags, v.Propagation = b[optStart:optEnd], flags, prop
		v.FSType, v.Source, v.SuperOptions = b[j:typeEnd], b[typeEnd+1:srcEnd], nil
		if super {
			v.SuperOptions = b[srcEnd+1 : end]
		}
		return true
	}
	// Field by field: a composite literal would be built aside and
	// copied.
	l.id, l.parent, l.major, l.minor, l.prop = id, parent, major, minor, prop
	l.rootStart, l.rootEnd, l.mpEnd = i, rootEnd, mpEnd
	l.typeStart, l.typeEnd, l.srcEnd, l.super = j, typeEnd, srcEnd, super
	return true
}

// fieldEnd returns the index of the first byte below '!' (a space, a
// newline, or another control byte) in b from i, or len(b). The fields of
// mountinfo are short, and a word-at-a-time search beats both a byte loop
// and bytes.IndexByte's call on them.
func fieldEnd(b []byte, i int) int {
	for ; len(b)-i >= 8; i += 8 {
		// The lowest byte of w below '!' is the lowest one flagged in m:
		// the borrows of w-'!'*ones only reach the bytes above it.
		w := binary.LittleEndian.Uint64(b[i:])
		if m := (w - '!'*ones) &^ w & (0x80 * ones); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b) && b[i] > ' '; i++ {
	}
	return i
}

// newlineIndex returns the index of the first newline in b, or len(b).
func newlineIndex(b []byte) int {
	if k := bytes.IndexByte(b, '\n'); k >= 0 {
		return k
	}
	return len(b)
}

func isSpace(b []byte, i int) bool { return i < len(b) && b[i] == ' ' }
