package ns

import (
	"fmt"
	"io/fs"
	"math"
	"os"
	"strconv"

	"github.com/lxgo/lx/kernel"
)

// IDMapEntry maps Count consecutive user (or group) ids of a user
// namespace, from Inside, to the ids from Outside in its parent user
// namespace: one line of /proc/PID/uid_map or gid_map.
type IDMapEntry struct {
	Inside, Outside, Count uint32
}

// IDMap is the uid or gid mapping of a user namespace (user_namespaces(7)).
// Its text form is that of /proc/PID/uid_map: a line per entry, "inside
// outside count" in decimal.
type IDMap []IDMapEntry

// MaxIDMapEntries is the most lines a map may have since Linux 4.15
// (UID_GID_MAP_MAX_EXTENTS); Linux 3.8 to 4.14 took 5.
const MaxIDMapEntries = 340

// UnmappedID is the id the kernel shows for ids that have no mapping in
// the reader's user namespace ((uid_t)-1): a reader in a user namespace
// without a mapping for the outside ids of a map sees "0 4294967295
// 4294967295". No map can be written with it.
const UnmappedID = math.MaxUint32

// Validate checks m against the kernel's rules for writing a map
// (map_write in kernel/user_namespace.c, user_namespaces(7)): 1 to 340
// entries, each with a Count above 0 whose ranges end within 32 bits
// (Inside+Count and Outside+Count at most 2^32-1), and no two entries
// whose inside ranges or whose outside ranges overlap. The error wraps
// fs.ErrInvalid and names the entry (its line, counting from 1).
//
// The kernel adds rules about the writer (see WriteUIDMap) and one about
// size: a write must be shorter than a page, which a map of many large
// numbers can exceed.
func (m IDMap) Validate() error {
	switch {
	case len(m) == 0:
		return fmt.Errorf("ns: empty id map: %w", fs.ErrInvalid)
	case len(m) > MaxIDMapEntries:
		return fmt.Errorf("ns: id map of %d lines, at most %d allowed: %w", len(m), MaxIDMapEntries, fs.ErrInvalid)
	}
	for i, e := range m {
		switch {
		case e.Count == 0:
			return fmt.Errorf("ns: id map line %d: count 0: %w", i+1, fs.ErrInvalid)
		case uint64(e.Inside)+uint64(e.Count) > math.MaxUint32:
			return fmt.Errorf("ns: id map line %d: inside range %d+%d goes past 2^32-1: %w", i+1, e.Inside, e.Count, fs.ErrInvalid)
		case uint64(e.Outside)+uint64(e.Count) > math.MaxUint32:
			return fmt.Errorf("ns: id map line %d: outside range %d+%d goes past 2^32-1: %w", i+1, e.Outside, e.Count, fs.ErrInvalid)
		}
		for j, p := range m[:i] {
			if overlap(p.Inside, p.Count, e.Inside, e.Count) {
				return fmt.Errorf("ns: id map line %d: inside range overlaps line %d: %w", i+1, j+1, fs.ErrInvalid)
			}
			if overlap(p.Outside, p.Count, e.Outside, e.Count) {
				return fmt.Errorf("ns: id map line %d: outside range overlaps line %d: %w", i+1, j+1, fs.ErrInvalid)
			}
		}
	}
	return nil
}

// overlap reports whether [a, a+n) and [b, b+k) meet; both fit in 32 bits.
func overlap(a, n, b, k uint32) bool {
	return uint64(a) < uint64(b)+uint64(k) && uint64(b) < uint64(a)+uint64(n)
}

// String returns the text form, a line per entry ending in a newline, one
// space between the fields (the kernel pads them when it shows the file).
// It does not validate m.
// ToOutside returns the id that id inside the namespace stands for
// outside it (in the user namespace the map was written from, as the
// kernel's map_id_down does), and whether the map maps id at all. An
// id no line covers, and UnmappedID, are not mapped: the kernel shows
// them as the overflow id (65534) and refuses to use them.
func (m IDMap) ToOutside(id uint32) (uint32, bool) {
	for _, e := range m {
		if id >= e.Inside && id-e.Inside < e.Count && id != UnmappedID {
			return e.Outside + (id - e.Inside), true
		}
	}
	return UnmappedID, false
}

// ToInside returns the id inside the namespace that stands for id
// outside it (the kernel's map_id_up: what a process in the namespace
// sees for a file or process of id), and whether the map maps it.
func (m IDMap) ToInside(id uint32) (uint32, bool) {
	for _, e := range m {
		if id >= e.Outside && id-e.Outside < e.Count && id != UnmappedID {
			return e.Inside + (id - e.Outside), true
		}
	}
	return UnmappedID, false
}

func (m IDMap) String() string { return string(m.appendText(nil)) }

func (m IDMap) appendText(b []byte) []byte {
	for _, e := range m {
		b = strconv.AppendUint(b, uint64(e.Inside), 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, uint64(e.Outside), 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, uint64(e.Count), 10)
		b = append(b, '\n')
	}
	return b
}

// MarshalText returns the text form, as String. It does not validate m:
// a map read from the kernel can hold what no writer may write
// (UnmappedID); WriteUIDMap and WriteGIDMap validate.
func (m IDMap) MarshalText() ([]byte, error) { return m.appendText(nil), nil }

// UnmarshalText sets *m from text ParseIDMap accepts.
func (m *IDMap) UnmarshalText(text []byte) error {
	v, err := ParseIDMap(text)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseIDMap parses the text form of a uid or gid map, as
// /proc/PID/uid_map shows it (fields padded with spaces) or as it is
// written. Like the kernel it takes any run of spaces and tabs (and \v,
// \f, \r) around the fields, and no newline after the last line; an
// empty line is an error, and so is a map of more than MaxIDMapEntries
// lines (fs.ErrInvalid). Numbers are decimal, unsigned, at most 2^32-1
// (an error wrapping strconv.ErrRange; the kernel would silently truncate
// them); other malformed text is an error wrapping strconv.ErrSyntax. The
// empty text is the empty map (nil): a map not written yet.
//
// ParseIDMap accepts what the kernel shows, which is not always what a
// writer may write (an outside UnmappedID, the count of the initial
// namespace's map): call Validate before writing a map parsed from
// elsewhere.
func ParseIDMap[T ~string | ~[]byte](text T) (IDMap, error) {
	var m IDMap
	for start := 0; start < len(text); {
		end := start
		for end < len(text) && text[end] != '\n' {
			end++
		}
		if len(m) == MaxIDMapEntries {
			return nil, fmt.Errorf("ns: id map of more than %d lines: %w", MaxIDMapEntries, fs.ErrInvalid)
		}
		e, err := parseIDMapLine(text[start:end])
		if err != nil {
			return nil, fmt.Errorf("ns: id map line %d: %w", len(m)+1, err)
		}
		m = append(m, e)
		start = end + 1
	}
	return m, nil
}

// parseIDMapLine parses "inside outside count".
func parseIDMapLine[T ~string | ~[]byte](l T) (IDMapEntry, error) {
	var v [3]uint32
	n := 0
	for i := 0; i < len(l); {
		for i < len(l) && isBlank(l[i]) {
			i++
		}
		j := i
		for j < len(l) && !isBlank(l[j]) {
			j++
		}
		if j > i {
			if n == len(v) {
				return IDMapEntry{}, fmt.Errorf("more than 3 fields: %w", strconv.ErrSyntax)
			}
			x, err := parseUint32(l[i:j])
			if err != nil {
				return IDMapEntry{}, fmt.Errorf("%s %q: %w", idFields[n], l[i:j], err)
			}
			v[n] = x
			n++
		}
		i = j
	}
	if n != 3 {
		return IDMapEntry{}, fmt.Errorf("%d fields, want 3: %w", n, strconv.ErrSyntax)
	}
	return IDMapEntry{Inside: v[0], Outside: v[1], Count: v[2]}, nil
}

var idFields = [3]string{"inside id", "outside id", "count"}

// parseUint32 parses an unsigned decimal.
func parseUint32[T ~string | ~[]byte](s T) (uint32, error) {
	var u uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, strconv.ErrSyntax
		}
		if u = u*10 + uint64(c-'0'); u > math.MaxUint32 {
			return 0, strconv.ErrRange
		}
	}
	if len(s) == 0 {
		return 0, strconv.ErrSyntax
	}
	return uint32(u), nil
}

// Setgroups is the setgroups(2) policy of a user namespace, the contents of
// /proc/PID/setgroups (Linux 3.19). The zero value is no policy.
type Setgroups uint8

const (
	SetgroupsAllow Setgroups = iota + 1 // "allow": processes with CAP_SETGID in the namespace may call setgroups(2)
	SetgroupsDeny                       // "deny": nobody in the namespace may, ever (it cannot be undone)
)

// String returns "allow" or "deny", or "Setgroups(N)" for another value.
func (s Setgroups) String() string {
	switch s {
	case SetgroupsAllow:
		return "allow"
	case SetgroupsDeny:
		return "deny"
	}
	return "Setgroups(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText returns "allow" or "deny", or an error for another value.
func (s Setgroups) MarshalText() ([]byte, error) {
	if s != SetgroupsAllow && s != SetgroupsDeny {
		return nil, fmt.Errorf("ns: invalid setgroups policy %d: %w", s, fs.ErrInvalid)
	}
	return []byte(s.String()), nil
}

// UnmarshalText sets *s from text ParseSetgroups accepts.
func (s *Setgroups) UnmarshalText(text []byte) error {
	v, err := ParseSetgroups(text)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSetgroups parses "allow" or "deny", followed by optional white space
// (the file ends in a newline), as the kernel reads and shows
// /proc/PID/setgroups. Anything else is an error wrapping strconv.ErrSyntax.
func ParseSetgroups[T ~string | ~[]byte](text T) (Setgroups, error) {
	end := len(text)
	for end > 0 && (isBlank(text[end-1]) || text[end-1] == '\n') {
		end--
	}
	switch string(text[:end]) {
	case "allow":
		return SetgroupsAllow, nil
	case "deny":
		return SetgroupsDeny, nil
	}
	return 0, fmt.Errorf("ns: invalid setgroups policy %q: %w", text, strconv.ErrSyntax)
}

// WriteUIDMap sets the uid map of the user namespace of process pid by
// writing /proc/PID/uid_map (user_namespaces(7), Linux 3.8). A map can be
// written once per namespace, in one write(2) shorter than a page; m is
// validated first (Validate). pid is a process in the namespace, usually a
// child the caller just created with CLONE_NEWUSER and has not reaped (so
// its PID cannot have been reused).
//
// Who may write what (otherwise the kernel says EPERM, an error matching
// fs.ErrPermission): the writer is in the namespace's parent user
// namespace (or in the namespace itself) and has CAP_SETUID in the
// namespace; every outside id must be mapped in the writer's user
// namespace. A writer with CAP_SETUID in the parent namespace may map any
// ids; one without (an unprivileged user) may write only one line, mapping
// its own effective uid, and only if it created the namespace. Mapping
// uid 0 of the parent also needs CAP_SETFCAP there (Linux 5.12).
//
// It changes process pid's user namespace, which every process in it
// shares, and nothing of the caller's.
func WriteUIDMap(pid int, m IDMap) error { return writeMap(pid, "uid_map", m) }

// WriteGIDMap sets the gid map of the user namespace of process pid by
// writing /proc/PID/gid_map, as WriteUIDMap does for uids, with CAP_SETGID
// in place of CAP_SETUID. An unprivileged writer (one line mapping its own
// effective gid) must first deny setgroups(2) in the namespace
// (WriteSetgroups with SetgroupsDeny): otherwise it could drop
// supplementary groups that deny it access.
func WriteGIDMap(pid int, m IDMap) error { return writeMap(pid, "gid_map", m) }

func writeMap(pid int, file string, m IDMap) error {
	if err := kernel.CheckPID(pid); err != nil {
		return fmt.Errorf("ns write %s: %w", file, err)
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("ns write %s: %w", file, err)
	}
	b := m.appendText(nil)
	if len(b) >= os.Getpagesize() {
		return fmt.Errorf("ns write %s: %d bytes, the kernel takes less than a page (%d): %w", file, len(b), os.Getpagesize(), fs.ErrInvalid)
	}
	if err := writeProc(pid, file, b); err != nil {
		return fmt.Errorf("ns write %s: %w", file, err)
	}
	return nil
}

// WriteSetgroups sets the setgroups(2) policy of the user namespace of
// process pid by writing /proc/PID/setgroups (Linux 3.19). It must happen
// before the namespace's gid map is written, needs CAP_SYS_ADMIN in the
// namespace, and "deny" is final: writing "allow" after it, or anything
// after the gid map, fails with EPERM (an error matching
// fs.ErrPermission). A new namespace starts with its parent's policy,
// "allow" unless an ancestor denied it. It changes process pid's user
// namespace and nothing of the caller's.
func WriteSetgroups(pid int, s Setgroups) error {
	if err := kernel.CheckPID(pid); err != nil {
		return fmt.Errorf("ns write setgroups: %w", err)
	}
	text, err := s.MarshalText()
	if err != nil {
		return fmt.Errorf("ns write setgroups: %w", err)
	}
	if err := writeProc(pid, "setgroups", text); err != nil {
		return fmt.Errorf("ns write setgroups: %w", err)
	}
	return nil
}
