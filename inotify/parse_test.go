package inotify

import (
	"encoding/binary"
	"errors"
	"strconv"
	"testing"

	"github.com/lxgo/lx/kernel"
)

// rawEvent encodes a struct inotify_event with a name field of nameLen
// bytes (name, then NULs).
func rawEvent(wd int32, mask, cookie uint32, name string, nameLen int) []byte {
	b := make([]byte, 16+nameLen)
	binary.NativeEndian.PutUint32(b[0:], uint32(wd))
	binary.NativeEndian.PutUint32(b[4:], mask)
	binary.NativeEndian.PutUint32(b[8:], cookie)
	binary.NativeEndian.PutUint32(b[12:], uint32(nameLen))
	copy(b[16:], name)
	return b
}

func TestParseEvent(t *testing.T) {
	for _, tt := range []struct {
		name string
		b    []byte
		want Event
		size int
		err  bool
	}{
		{"no name", rawEvent(1, uint32(Modify), 0, "", 0), Event{Watch: 1, Mask: Modify}, 16, false},
		{"padded name", rawEvent(2, uint32(Create|IsDir), 0, "dir", 16), Event{Watch: 2, Mask: Create | IsDir, Name: "dir"}, 32, false},
		{"name bytes", rawEvent(3, uint32(MovedFrom), 77, "a\nb\xff", 16), Event{Watch: 3, Mask: MovedFrom, Cookie: 77, Name: "a\nb\xff"}, 32, false},
		{"name fills field", rawEvent(4, uint32(Create), 0, "abcd", 4), Event{Watch: 4, Mask: Create, Name: "abcd"}, 20, false},
		{"overflow", rawEvent(-1, uint32(QOverflow), 0, "", 0), Event{Watch: -1, Mask: QOverflow}, 16, false},
		{"short header", rawEvent(1, 1, 0, "", 0)[:15], Event{}, 0, true},
		{"name beyond buffer", rawEvent(1, 1, 0, "abc", 16)[:20], Event{}, 0, true},
		{"huge name length", func() []byte {
			b := rawEvent(1, 1, 0, "", 0)
			binary.NativeEndian.PutUint32(b[12:], ^uint32(0))
			return b
		}(), Event{}, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev, size, err := parseEvent(tt.b)
			if (err != nil) != tt.err || ev != tt.want || size != tt.size {
				t.Errorf("parseEvent = %+v, %d, %v; want %+v, %d, error %v", ev, size, err, tt.want, tt.size, tt.err)
			}
		})
	}
}

func FuzzParseEvent(f *testing.F) {
	f.Add(rawEvent(1, uint32(Create), 0, "name", 16))
	f.Add(append(rawEvent(1, uint32(MovedFrom), 5, "a", 16), rawEvent(2, uint32(MovedTo), 5, "b", 16)...))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		for len(b) > 0 {
			ev, size, err := parseEvent(b)
			if err != nil {
				return
			}
			if size < 16 || size > len(b) || len(ev.Name) > size-16 {
				t.Fatalf("parseEvent(%x) size %d, name %q", b, size, ev.Name)
			}
			b = b[size:]
		}
	})
}

func TestMaskText(t *testing.T) {
	for _, tt := range []struct {
		m    Mask
		text string
	}{
		{0, "0"},
		{Create | IsDir, "IN_CREATE|IN_ISDIR"},
		{Close | Oneshot, "IN_CLOSE|IN_ONESHOT"},
		{AllEvents | OnlyDir, "IN_ALL_EVENTS|IN_ONLYDIR"},
		{Modify | 0x100000, "IN_MODIFY|0x100000"},
		{QOverflow, "IN_Q_OVERFLOW"},
	} {
		if got := tt.m.String(); got != tt.text {
			t.Errorf("%#x.String() = %q, want %q", uint32(tt.m), got, tt.text)
		}
		m, err := ParseMask(tt.text)
		if err != nil || m != tt.m {
			t.Errorf("ParseMask(%q) = %v, %v", tt.text, m, err)
		}
		var u Mask
		if err := u.UnmarshalText([]byte(tt.text)); err != nil || u != tt.m {
			t.Errorf("UnmarshalText(%q) = %v, %v", tt.text, u, err)
		}
	}
	for _, bad := range []string{"", "IN_NOPE", "IN_CREATE|", "0x1ffffffff", "in_create"} {
		if _, err := ParseMask(bad); err == nil {
			t.Errorf("ParseMask(%q) succeeded", bad)
		}
	}
}

func FuzzParseMask(f *testing.F) {
	f.Add("IN_CREATE|IN_ISDIR")
	f.Add("IN_MODIFY|0x100000")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMask(s)
		if err != nil {
			return
		}
		back, err := ParseMask(m.String())
		if err != nil || back != m {
			t.Fatalf("ParseMask(%q) = %v, its text %q reads back as %v, %v", s, m, m.String(), back, err)
		}
	})
}

func TestUserLimitsFixture(t *testing.T) {
	fs, err := NewFS("testdata/limits-6.18")
	if err != nil {
		t.Fatal(err)
	}
	l, err := fs.UserLimits()
	if want := (Limits{MaxUserInstances: 128, MaxUserWatches: 192917, MaxQueuedEvents: 16384}); err != nil || l != want {
		t.Fatalf("UserLimits = %+v, %v; want %+v", l, err, want)
	}
	fs, err = NewFS("testdata/limits-overflow")
	if err != nil {
		t.Fatal(err)
	}
	_, err = fs.UserLimits()
	var pe *kernel.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, strconv.ErrRange) || pe.Path != "testdata/limits-overflow/proc/sys/fs/inotify/max_user_watches" {
		t.Fatalf("UserLimits of an out-of-range file: %v", err)
	}
	if _, err := NewFS("testdata/missing"); err == nil {
		t.Fatal("NewFS of a missing root succeeded")
	}
}
