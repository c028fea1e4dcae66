package procfs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"math/bits"
	"strconv"
	"strings"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/mount"
)

// Mount is one line of /proc/PID/mountinfo: a mount as the process sees it
// (proc(5) "/proc/pid/mountinfo", Documentation/filesystems/proc.rst 3.5).
//
// Root, MountPoint, FSType and Source are unescaped: the kernel writes a
// space, tab, newline and backslash in them as \040, \011, \012 and \134.
type Mount struct {
	ID          int               // mount id, unique in the mount namespace; may be reused after unmount
	ParentID    int               // id of the parent mount (itself for the root of the namespace's tree)
	Dev         Dev               // st_dev of files on this file system
	Root        string            // the directory of the file system mounted here ("/" unless a bind mount of a subtree)
	MountPoint  string            // where it is mounted, relative to the process's root directory
	Options     string            // per-mount options as printed, "rw,nosuid,relatime"
	Flags       mount.Flags       // Options as flags (words lx does not know stay only in Options)
	Propagation mount.Propagation // the optional fields: shared, master, propagate_from, unbindable
	FSType      string            // file system type, with subtype: "ext4", "fuse.sshfs"
	Source      string            // file-system-specific source ("/dev/vda", "tmpfs", "none")

	// SuperOptions are the per-superblock options, "rw,size=1024k". They
	// are left as the kernel printed them: file systems escape a comma,
	// '=', space, tab, newline or backslash inside a value in octal
	// (seq_show_option), and unescaping first would make the commas
	// ambiguous. SuperOption splits and unescapes one option.
	SuperOptions string
}

// SuperOption returns the value of the super-block option key, unescaped,
// and whether it is present. A flag option without '=' has value "".
func (m Mount) SuperOption(key string) (string, bool) {
	for opt := range strings.SplitSeq(m.SuperOptions, ",") {
		k, v, _ := strings.Cut(opt, "=")
		if unescape(k) == key {
			return unescape(v), true
		}
	}
	return "", false
}

func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	return string(parse.Unescape(nil, []byte(s)))
}

// MountView is a mountinfo line seen through MountInfoSeq. Its byte
// slices point into a buffer that is reused: they are valid only until the
// loop body returns. Copy what you keep, or call Mount.
type MountView struct {
	ID, ParentID int
	Dev          Dev
	Root         []byte // unescaped
	MountPoint   []byte // unescaped
	Options      []byte
	Flags        mount.Flags
	Propagation  mount.Propagation
	FSType       []byte // unescaped
	Source       []byte // unescaped
	SuperOptions []byte // escaped, see Mount.SuperOptions
}

// Mount copies the view into a Mount that may be kept. Its strings share
// one allocation.
func (v *MountView) Mount() Mount {
	var sb strings.Builder
	sb.Grow(len(v.Root) + len(v.MountPoint) + len(v.Options) + len(v.FSType) + len(v.Source) + len(v.SuperOptions))
	sb.Write(v.Root)
	sb.Write(v.MountPoint)
	sb.Write(v.Options)
	sb.Write(v.FSType)
	sb.Write(v.Source)
	sb.Write(v.SuperOptions)
	s := sb.String()
	next := func(b []byte) string {
		r := s[:len(b)]
		s = s[len(b):]
		return r
	}
	return Mount{
		ID: v.ID, ParentID: v.ParentID, Dev: v.Dev,
		Root: next(v.Root), MountPoint: next(v.MountPoint), Options: next(v.Options),
		Flags: v.Flags, Propagation: v.Propagation,
		FSType: next(v.FSType), Source: next(v.Source), SuperOptions: next(v.SuperOptions),
	}
}

// MountInfo reads /proc/PID/mountinfo: the mounts of the process's mount
// namespace that are reachable from its root directory, in mount order.
// Reading another process's mountinfo needs PTRACE_MODE_READ access.
//
// The whole file is read with as few read(2) calls as the buffer allows:
// the kernel only guarantees a consistent table within one read. All
// strings of the result share one allocation.
//
// A program that reads the same table again and again (a mount table
// rarely changes) does not pay for its parse each time: the table read
// twice in a row is remembered, text and layout, and while the kernel
// returns the same bytes, MountInfo and MountInfoSeq cut their results
// from where the memo says the fields are (one memo per program, of a
// table of up to 64 KiB and 1,024 mounts without escaped bytes; the
// result is the caller's own all the same, its strings shared with the
// memo's text).
func (p Proc) MountInfo() ([]Mount, error) { return read(p, "mountinfo", parseMountInfo) }

// MountInfoSeq is MountInfo as an iterator of views into the read buffer.
// It allocates nothing in steady state: each MountView is valid only until
// the loop body returns (see MountView). A read error or a malformed line
// is yielded once, last. It shares MountInfo's memo of the last table; a
// loop that stops early does not make one.
func (p Proc) MountInfoSeq() iter.Seq2[MountView, error] {
	return func(yield func(MountView, error) bool) {
		stopped := false
		err := p.withFile("mountinfo", false, func(b []byte) error {
			var err error
			stopped, err = mountViews(b, yield)
			return err
		})
		if err != nil && !stopped {
			yield(MountView{}, err)
		}
	}
}

// mountViews parses a whole mountinfo file, unescaping b in place, and
// yields a view of each line (never an error) until yield returns false.
// It returns whether yield did, or the error of a malformed line. A file
// that is the last one memoized (see mountMemo) is not parsed again: its
// views are cut from where the memo says its fields are.
func mountViews(b []byte, yield func(MountView, error) bool) (stopped bool, err error) {
	var v MountView
	if m := memoizedMounts(b); m != nil {
		for i := range m.lines {
			m.lines[i].view(&v, b)
			if !yield(v, nil) {
				return true, nil
			}
		}
		return false, nil
	}
	var sc mountScanner
	sc.init(b)
	lines := newMountMemo(b)
	sc.view = lines == nil
	for n := 1; sc.i < len(b); n++ {
		kind, err := sc.next(&v)
		if err != nil {
			return false, atLine(n, err)
		}
		switch kind {
		case lineEmpty:
			continue
		case linePlain:
			// Where the memo is made, mountPlain writes its lines
			// whole into sc.l, and the views are cut from there.
			if !sc.view {
				sc.l.view(&v, b)
				if lines != nil {
					lines = append(lines, sc.l)
				}
			}
		case lineFields:
			lines = nil
		}
		if !yield(v, nil) {
			return true, nil
		}
	}
	if lines != nil {
		storeMountMemo(string(b), lines)
	}
	return false, nil
}

// parseMountInfo parses a whole mountinfo file. It unescapes b in place.
// The unescaped fields become substrings of one copy of b. A file that is
// the last one memoized (see mountMemo) is not parsed again: the result is
// built from the memo, whose text its strings share.
func parseMountInfo(b []byte) ([]Mount, error) {
	if m := memoizedMounts(b); m != nil {
		ms := make([]Mount, len(m.lines))
		for i := range m.lines {
			m.lines[i].fill(&ms[i], m.text)
		}
		return ms, nil
	}
	s := string(b)
	// At most one Mount per line: the elements are written in place.
	ms := make([]Mount, 0, bytes.Count(b, []byte{'\n'})+1)
	lines := newMountMemo(b)
	var v MountView
	var sc mountScanner
	sc.init(b)
	for n := 1; sc.i < len(b); n++ {
		kind, err := sc.next(&v)
		if err != nil {
			return nil, atLine(n, err)
		}
		switch kind {
		case linePlain:
			ms = ms[:len(ms)+1]
			sc.l.fill(&ms[len(ms)-1], s)
			if lines != nil {
				lines = append(lines, sc.l)
			}
		case lineFields:
			lines = nil
			// A field without escapes is the same bytes in s; an
			// unescaped one is shorter and gets its own string.
			esc := sc.esc
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
			ms = ms[:len(ms)+1]
			ms[len(ms)-1] = Mount{
				ID: v.ID, ParentID: v.ParentID, Dev: v.Dev,
				Root:         sub(v.Root, esc&escRoot != 0),
				MountPoint:   sub(v.MountPoint, esc&escMountPoint != 0),
				Options:      sub(v.Options, false),
				Flags:        v.Flags,
				Propagation:  v.Propagation,
				FSType:       sub(v.FSType, esc&escFSType != 0),
				Source:       sub(v.Source, esc&escSource != 0),
				SuperOptions: sub(v.SuperOptions, false),
			}
		}
	}
	if lines != nil {
		storeMountMemo(s, lines)
	}
	return ms, nil
}

// Fields that parseMountLine unescaped.
const (
	escRoot = 1 << iota
	escMountPoint
	escFSType
	escSource
)

var (
	errMountFields    = errors.New("too few fields")
	errMountSeparator = errors.New(`no " - " separator`)
)

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
// "") shows as two spaces. It takes any line, and reports the errors;
// mountScanner gives it only the lines mountPlain does not read.
func parseMountLine(line []byte, v *MountView) (esc uint8, err error) {
	var f []byte
	var ok bool
	// Escapes are rare: one search of the line spares one per field.
	unescape := unescapeField
	if bytes.IndexByte(line, '\\') < 0 {
		unescape = keepField
	}
	next := func() bool {
		f, line, ok = cutByte(line, ' ')
		return ok
	}
	if n, ok := mountHead(line, v); ok {
		line = line[n:]
	} else {
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
	}
	// The root is "/" but for bind mounts of a subtree: spare the call.
	if len(line) >= 2 && line[0] == '/' && line[1] == ' ' {
		f, line = line[:1], line[2:]
	} else if !next() {
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
	if len(line) >= 2 && line[0] == '-' && line[1] == ' ' {
		line = line[2:] // no optional fields (a private mount)
	} else {
		for {
			if !next() {
				return 0, errMountSeparator
			}
			if len(f) == 1 && f[0] == '-' {
				break
			}
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

// mountHead reads the first three fields of a mountinfo line in the
// kernel's form, "36 35 98:0 " (decimal numbers of up to nine digits, so
// that ids are below 2^31 and device numbers below 2^32), into v, and
// returns the index after them. ok is false for anything else, which
// parseMountLine reads field by field and reports. The numbers are
// short: a byte loop beats the word-at-a-time readers on them.
func mountHead(line []byte, v *MountView) (int, bool) {
	id, i, ok1 := headNumber(line, 0, ' ')
	parent, i, ok2 := headNumber(line, i, ' ')
	major, i, ok3 := headNumber(line, i, ':')
	minor, i, ok4 := headNumber(line, i, ' ')
	if !(ok1 && ok2 && ok3 && ok4) {
		return 0, false
	}
	v.ID, v.ParentID, v.Dev = int(id), int(parent), Dev{Major: uint32(major), Minor: uint32(minor)}
	return i, true
}

// headNumber reads the number of 1 to 9 digits at b[i:] and the byte sep
// after it, and returns the index after sep.
func headNumber(b []byte, i int, sep byte) (x uint64, end int, ok bool) {
	j := i
	for j < len(b) && b[j]-'0' <= 9 {
		x = x*10 + uint64(b[j]-'0')
		j++
	}
	return x, j + 1, uint(j-i-1) < 9 && j < len(b) && b[j] == sep
}

// cutByte is bytes.Cut for one separator byte, eight bytes at a time: the
// fields of mountinfo are short, and a word-at-a-time search beats both a
// byte loop and bytes.IndexByte's call on them.
func cutByte(b []byte, sep byte) (before, after []byte, found bool) {
	i := 0
	for ; len(b)-i >= 8; i += 8 {
		// The lowest zero byte of w is the first sep: the borrows of
		// w-ones only reach the bytes above it.
		w := binary.LittleEndian.Uint64(b[i:]) ^ ones*uint64(sep)
		if m := (w - ones) &^ w & (0x80 * ones); m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			return b[:i], b[i+1:], true
		}
	}
	for ; i < len(b); i++ {
		if b[i] == sep {
			return b[:i], b[i+1:], true
		}
	}
	return b, nil, false
}

// keepField is unescapeField for a line without a backslash.
func keepField(f []byte, esc, _ uint8) ([]byte, uint8) { return f, esc }

// unescapeField decodes the octal escapes of f in place. parse.Unescape
// appends to dst while reading src ahead of it, and every escape shrinks,
// so dst == src[:0] is safe (TestUnescapeInPlace checks it).
func unescapeField(f []byte, esc, bit uint8) ([]byte, uint8) {
	if bytes.IndexByte(f, '\\') < 0 {
		return f, esc
	}
	u := parse.Unescape(f[:0], f)
	if len(u) != len(f) {
		esc |= bit
	}
	return u, esc
}
