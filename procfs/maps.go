package procfs

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/lxgo/lx/internal/parse"
)

// Perms is the access a mapping allows: the four characters after the
// address range in /proc/PID/maps, for example "r-xp".
type Perms uint8

const (
	PermRead   Perms = 1 << iota // 'r': readable (VM_READ)
	PermWrite                    // 'w': writable (VM_WRITE)
	PermExec                     // 'x': executable (VM_EXEC)
	PermShared                   // 's': shared (VM_MAYSHARE); 'p' without it: private, copy-on-write
)

// String returns the kernel's four-character form, "rw-p" or "r--s".
func (p Perms) String() string {
	b := [4]byte{'-', '-', '-', 'p'}
	if p&PermRead != 0 {
		b[0] = 'r'
	}
	if p&PermWrite != 0 {
		b[1] = 'w'
	}
	if p&PermExec != 0 {
		b[2] = 'x'
	}
	if p&PermShared != 0 {
		b[3] = 's'
	}
	return string(b[:])
}

// MarshalText returns String's text; bits other than the four flags are
// an error.
func (p Perms) MarshalText() ([]byte, error) {
	if p&^(PermRead|PermWrite|PermExec|PermShared) != 0 {
		return nil, fmt.Errorf("procfs: invalid mapping permissions %#x", uint8(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText sets *p from the kernel's four characters, "r-xp":
// r or -, w or -, x or -, s or p. Anything else is an error wrapping
// strconv.ErrSyntax.
func (p *Perms) UnmarshalText(text []byte) error {
	v, err := parsePerms(text)
	if err != nil {
		return fmt.Errorf("procfs: invalid mapping permissions %q: %w", text, strconv.ErrSyntax)
	}
	*p = v
	return nil
}

var errPerms = errors.New("bad permissions")

// parsePerms parses the "rwxp" field.
func parsePerms(b []byte) (Perms, error) {
	if len(b) != 4 {
		return 0, errPerms
	}
	var p Perms
	for i, c := range b {
		switch {
		case c == "rwxs"[i]:
			p |= 1 << i
		case c == '-' && i < 3, c == 'p' && i == 3:
		default:
			return 0, errPerms
		}
	}
	return p, nil
}

// Dev is a device number split into major and minor, as in st_dev. String
// prints it in decimal ("254:0"), the way mountinfo, lsblk and findmnt do;
// /proc/PID/maps prints the same numbers in hexadecimal.
type Dev struct {
	Major, Minor uint32
}

// String returns "major:minor" in decimal.
func (d Dev) String() string {
	b := make([]byte, 0, 21)
	b = strconv.AppendUint(b, uint64(d.Major), 10)
	b = append(b, ':')
	b = strconv.AppendUint(b, uint64(d.Minor), 10)
	return string(b)
}

// MarshalText returns String's text, "8:1".
func (d Dev) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText sets *d from String's text: "major:minor", both decimal
// numbers 0..4294967295 ("8:1"). Anything else is an error wrapping
// strconv.ErrSyntax. (/proc/PID/maps and /proc/locks print the numbers
// in hexadecimal; this is mountinfo's, lsblk's and findmnt's form.)
func (d *Dev) UnmarshalText(text []byte) error {
	v, err := parseDev(text, 10)
	if err != nil {
		return fmt.Errorf("procfs: invalid device number %q: %w", text, strconv.ErrSyntax)
	}
	*d = v
	return nil
}

var errDev = errors.New("bad device number")

// parseDev parses "major:minor" with both numbers in base (16 in maps, 10
// in mountinfo).
func parseDev(b []byte, base int) (Dev, error) {
	i := bytes.IndexByte(b, ':')
	if i < 0 {
		return Dev{}, errDev
	}
	ma, err := parse.UintBase(b[:i], base)
	if err != nil || ma > 1<<32-1 {
		return Dev{}, errDev
	}
	mi, err := parse.UintBase(b[i+1:], base)
	if err != nil || mi > 1<<32-1 {
		return Dev{}, errDev
	}
	return Dev{Major: uint32(ma), Minor: uint32(mi)}, nil
}

// Mapping is one line of /proc/PID/maps: a virtual memory area (VMA) of the
// process (proc(5) "/proc/pid/maps").
type Mapping struct {
	Start, End uint64 // the address range [Start, End)
	Perms      Perms
	Offset     uint64 // offset in bytes into the mapped file; 0 for anonymous memory
	Dev        Dev    // device of the file system holding the file; 0:0 for anonymous memory
	Inode      uint64 // inode of the file; 0 for anonymous memory

	// Path is the mapped file, a pseudo name in brackets ("[heap]",
	// "[stack]", "[vdso]", "[vvar]", "[vsyscall]", "[anon:NAME]" for memory
	// named with PR_SET_VMA_ANON_NAME, "[anon_shmem:NAME]"), a synthetic
	// name such as "/memfd:NAME" or "anon_inode:[...]", or "" for unnamed
	// anonymous memory. The kernel escapes a newline in a file name as
	// "\012"; Path has it decoded. No other character is escaped, so a file
	// name that itself contains the four characters "\012" cannot be told
	// apart from one with a newline.
	Path string

	// Deleted reports that the file was unlinked after it was mapped: the
	// kernel appended " (deleted)" to the path, which Path does not carry.
	// A file whose name really ends in " (deleted)" looks the same.
	Deleted bool
}

// Size returns the length of the mapping in bytes.
func (m Mapping) Size() uint64 { return m.End - m.Start }

// Pseudo reports whether Path is a kernel pseudo name in brackets such as
// "[heap]" or "[anon:NAME]" rather than a file.
func (m Mapping) Pseudo() bool {
	return len(m.Path) >= 2 && m.Path[0] == '[' && m.Path[len(m.Path)-1] == ']'
}

// AnonName returns NAME for anonymous memory named with prctl(PR_SET_VMA,
// PR_SET_VMA_ANON_NAME) (Linux 5.17, CONFIG_ANON_VMA_NAME): "[anon:NAME]",
// or "[anon_shmem:NAME]" for shared anonymous memory (6.2).
func (m Mapping) AnonName() (string, bool) {
	if !m.Pseudo() {
		return "", false
	}
	in := m.Path[1 : len(m.Path)-1]
	if s, ok := strings.CutPrefix(in, "anon:"); ok {
		return s, true
	}
	if s, ok := strings.CutPrefix(in, "anon_shmem:"); ok {
		return s, true
	}
	return "", false
}

// Maps reads /proc/PID/maps: the process's memory mappings in address
// order. Reading another user's process needs PTRACE_MODE_READ access
// (same uid and dumpable, or CAP_SYS_PTRACE). A kernel thread, and a zombie
// that has released its memory, have no mappings: the result is empty. The
// kernel takes the process's mmap lock while it prints, so the file is
// consistent only within one read(2); lx reads it whole with as few reads
// as the buffer allows, but a large map can still change between reads.
func (p Proc) Maps() ([]Mapping, error) {
	ms, err := read(p, "maps", parseMaps)
	if noMemory(err) {
		return nil, nil
	}
	return ms, err
}

// MapsSeq is Maps as an iterator. It allocates nothing per entry except the
// Path string, and not even that when a mapping has the same path as the
// one before it (the several mappings of one library). A read error or a
// malformed line is yielded once, last.
func (p Proc) MapsSeq() iter.Seq2[Mapping, error] {
	return func(yield func(Mapping, error) bool) {
		stopped := false
		err := p.withFile("maps", false, func(b []byte) error {
			var prev string
			for n := 1; len(b) > 0; n++ {
				var line []byte
				line, b = parse.Line(b)
				m, path, err := parseMapsLine(line)
				if err != nil {
					return atLine(n, err)
				}
				m.Path = pathString(prev, path)
				prev = m.Path
				if !yield(m, nil) {
					stopped = true
					return nil
				}
			}
			return nil
		})
		if err != nil && !stopped && !noMemory(err) {
			yield(Mapping{}, err)
		}
	}
}

// parseMaps parses a whole /proc/PID/maps file.
func parseMaps(b []byte) ([]Mapping, error) {
	ms := make([]Mapping, 0, bytes.Count(b, []byte{'\n'})+1)
	var prev string
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		m, path, err := parseMapsLine(line)
		if err != nil {
			return nil, atLine(n, err)
		}
		m.Path = pathString(prev, path)
		prev = m.Path
		ms = append(ms, m)
	}
	return ms, nil
}

// pathString turns the raw path field of a maps line into Path: it strips
// " (deleted)" (the caller has already recorded it), decodes "\012", and
// reuses prev when the result is the same, so that consecutive mappings of
// one file share one string.
func pathString(prev string, raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		if string(raw) == prev { // compiles to a comparison, no allocation
			return prev
		}
		return string(raw)
	}
	var stack [256]byte
	d := unescapeNewline(stack[:0], raw)
	if string(d) == prev {
		return prev
	}
	return string(d)
}

// unescapeNewline appends src to dst decoding "\012", the only escape
// seq_path(m, path, "\n") writes into maps and smaps.
func unescapeNewline(dst, src []byte) []byte {
	for {
		i := bytes.Index(src, []byte(`\012`))
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i]...)
		dst = append(dst, '\n')
		src = src[i+4:]
	}
}

const deletedSuffix = " (deleted)"

var errMapsLine = errors.New("want at least 5 fields")

// parseMapsLine parses one maps line (also the header line of an smaps
// entry) and returns the raw path, without " (deleted)" and still escaped.
//
//	7f2c4e5a1000-7f2c4e5c3000 r-xp 00028000 fe:00 1234   /usr/lib/libc.so.6
func parseMapsLine(line []byte) (m Mapping, path []byte, err error) {
	var f []byte
	f, line = parse.Field(line)
	i := bytes.IndexByte(f, '-')
	if i < 0 {
		return m, nil, parseErr(0, "address", errMapsLine)
	}
	if m.Start, err = parse.Hex(f[:i]); err != nil {
		return m, nil, parseErr(0, "start address", err)
	}
	if m.End, err = parse.Hex(f[i+1:]); err != nil {
		return m, nil, parseErr(0, "end address", err)
	}
	f, line = parse.Field(line)
	if m.Perms, err = parsePerms(f); err != nil {
		return m, nil, parseErr(0, "perms", fmt.Errorf("%w %q", err, f))
	}
	f, line = parse.Field(line)
	if m.Offset, err = parse.Hex(f); err != nil {
		return m, nil, parseErr(0, "offset", err)
	}
	f, line = parse.Field(line)
	if m.Dev, err = parseDev(f, 16); err != nil {
		return m, nil, parseErr(0, "dev", fmt.Errorf("%w %q", err, f))
	}
	f, line = parse.Field(line)
	if m.Inode, err = parse.Uint(f); err != nil {
		return m, nil, parseErr(0, "inode", err)
	}
	// The path follows after padding. It never starts with a space (it is
	// absolute, bracketed or synthetic) but may end with one, so only the
	// left side is trimmed.
	for len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
		line = line[1:]
	}
	if bytes.HasSuffix(line, []byte(deletedSuffix)) {
		m.Deleted = true
		line = line[:len(line)-len(deletedSuffix)]
	}
	return m, line, nil
}
