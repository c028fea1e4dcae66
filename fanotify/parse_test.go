package fanotify

import (
	"bytes"
	"encoding/binary"
	"errors"
	iofs "io/fs"
	"syscall"
	"testing"

	"github.com/lxgo/lx/kernel"
)

// enc builds a raw event: metadata then records.
type enc struct{ recs []byte }

func (e *enc) fid(typ byte, fsid FSID, htype int32, handle []byte, name string) *enc {
	n := 20 + len(handle)
	if typ == 2 || typ == 10 || typ == 12 {
		n += len(name) + 1
	}
	n = (n + 3) &^ 3
	r := make([]byte, n)
	r[0] = typ
	binary.NativeEndian.PutUint16(r[2:], uint16(n))
	binary.NativeEndian.PutUint32(r[4:], uint32(fsid[0]))
	binary.NativeEndian.PutUint32(r[8:], uint32(fsid[1]))
	binary.NativeEndian.PutUint32(r[12:], uint32(len(handle)))
	binary.NativeEndian.PutUint32(r[16:], uint32(htype))
	copy(r[20:], handle)
	copy(r[20+len(handle):], name)
	e.recs = append(e.recs, r...)
	return e
}

func (e *enc) rec(typ byte, body ...uint32) *enc {
	r := make([]byte, 4+4*len(body))
	r[0] = typ
	binary.NativeEndian.PutUint16(r[2:], uint16(len(r)))
	for i, v := range body {
		binary.NativeEndian.PutUint32(r[4+4*i:], v)
	}
	e.recs = append(e.recs, r...)
	return e
}

func (e *enc) event(mask Mask, fd, pid int32) []byte {
	b := make([]byte, 24, 24+len(e.recs))
	binary.NativeEndian.PutUint32(b[0:], uint32(24+len(e.recs)))
	b[4] = 3
	binary.NativeEndian.PutUint16(b[6:], 24)
	binary.NativeEndian.PutUint64(b[8:], uint64(mask))
	binary.NativeEndian.PutUint32(b[16:], uint32(fd))
	binary.NativeEndian.PutUint32(b[20:], uint32(pid))
	return append(b, e.recs...)
}

func TestParseEvent(t *testing.T) {
	fsid := FSID{0x11, 0x22}
	dh, fh, nh := []byte{1, 2, 3, 4, 5, 6, 7, 8}, []byte{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}, []byte{7, 7, 7, 7}
	rename := (&enc{}).
		fid(10, fsid, 1, dh, "old\nname\xff").
		fid(12, fsid, 1, nh, "new").
		fid(1, fsid, 0x81, fh, "").
		rec(4, 42).
		event(Rename, -1, 1234)
	ev, size, err := parseEvent(rename)
	if err != nil || size != len(rename) {
		t.Fatalf("parseEvent = %v, %d, want size %d", err, size, len(rename))
	}
	if ev.Mask != Rename || ev.PID != 1234 || ev.fd != -1 || !ev.hasPidfd || ev.pidfd != 42 ||
		ev.Name != "old\nname\xff" || ev.NewName != "new" ||
		!ev.Dir.Valid() || ev.Dir.FSID != fsid || !bytes.Equal(ev.Dir.Handle.Bytes, dh) || ev.Dir.Handle.Type != 1 ||
		!bytes.Equal(ev.NewDir.Handle.Bytes, nh) ||
		!bytes.Equal(ev.Object.Handle.Bytes, fh) || ev.Object.Handle.Type != 0x81 {
		t.Errorf("rename event = %+v", ev)
	}
	if ev.Dir.FSID.String() != "0000002200000011" {
		t.Errorf("FSID text %s", ev.Dir.FSID)
	}

	// Error, range and mount records, and an unknown record type.
	other := (&enc{}).rec(5, 5, 3).rec(6, 0, 4096, 0, 8192, 0).rec(7, 0, 77, 0).rec(99, 1).event(FSError|PreAccess, 7, 0)
	ev, _, err = parseEvent(other)
	if err != nil || ev.ErrorErrno != syscall.EIO || ev.ErrorCount != 3 || !ev.HasRange ||
		ev.Range != (Range{Offset: 4096, Count: 8192}) || ev.MountID != 77 || ev.fd != 7 || ev.hasPidfd {
		t.Errorf("records = %+v, %v", ev, err)
	}

	for name, b := range map[string][]byte{
		"short":           rename[:23],
		"bad version":     func() []byte { b := bytes.Clone(rename); b[4] = 2; return b }(),
		"event too long":  rename[:len(rename)-4],
		"record too long": func() []byte { b := bytes.Clone(rename); b[24+2] = 0xff; return b }(),
		"handle too long": func() []byte { b := bytes.Clone(rename); b[24+12] = 0xff; return b }(),
		"no name NUL":     (&enc{}).rec(2, 0, 0, 0, 0, 0x41414141).event(Create, -1, 0),
		"short pidfd":     (&enc{}).rec(4).event(Open, -1, 0),
		"short range":     (&enc{}).rec(6, 0).event(PreAccess, 3, 0),
	} {
		if _, _, err := parseEvent(b); err == nil {
			t.Errorf("%s: parseEvent succeeded", name)
		}
	}
}

func FuzzParseEvent(f *testing.F) {
	fsid := FSID{1, 2}
	f.Add((&enc{}).fid(2, fsid, 1, []byte{1, 2, 3, 4, 5, 6, 7, 8}, "name").fid(1, fsid, 1, []byte{1, 2, 3, 4}, "").event(Create, -1, 5))
	f.Add((&enc{}).rec(4, 3).rec(6, 0, 1, 0, 2, 0).event(PreAccess, 4, 9))
	f.Add((&enc{}).rec(5, 5, 1).rec(7, 0, 3, 0).event(FSError, -1, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		for len(b) > 0 {
			ev, size, err := parseEvent(b)
			if err != nil {
				return
			}
			if size < metadataLen || size > len(b) || len(ev.Name) > size || len(ev.Dir.Handle.Bytes) > size {
				t.Fatalf("parseEvent(%x): size %d, event %+v", b, size, ev)
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
		{Create | OnDir, "FAN_CREATE|FAN_ONDIR"},
		{Close | EventOnChild, "FAN_CLOSE|FAN_EVENT_ON_CHILD"},
		{PreAccess, "FAN_PRE_ACCESS"},
		{Modify | 1<<40, "FAN_MODIFY|0x10000000000"},
	} {
		if got := tt.m.String(); got != tt.text {
			t.Errorf("%#x.String() = %q, want %q", uint64(tt.m), got, tt.text)
		}
		if m, err := ParseMask(tt.text); err != nil || m != tt.m {
			t.Errorf("ParseMask(%q) = %v, %v", tt.text, m, err)
		}
	}
	if _, err := ParseMask("FAN_NOPE"); err == nil {
		t.Error("ParseMask of an unknown name succeeded")
	}
	if s := (ReportDFIDNameTarget | ReportPIDFD).String(); s != "FAN_REPORT_DFID_NAME_TARGET|FAN_REPORT_PIDFD" {
		t.Errorf("InitFlags text %q", s)
	}
	var f InitFlags
	if err := f.UnmarshalText([]byte("FAN_REPORT_DFID_NAME|FAN_REPORT_FID")); err != nil || f != ReportDFIDName|ReportFID {
		t.Errorf("InitFlags UnmarshalText = %v, %v", f, err)
	}
	if s := (ReadWrite | NoAtime).String(); s != "O_RDWR|O_NOATIME" || ReadOnly.String() != "O_RDONLY" {
		t.Errorf("FileFlags text %q", s)
	}
	if Content.String() != "FAN_CLASS_CONTENT" || Class(3).String() != "Class(3)" || Filesystem.String() != "FAN_MARK_FILESYSTEM" ||
		Deny.String() != "FAN_DENY" || (Ignore|IgnoredSurvModify).String() != "FAN_MARK_IGNORE|FAN_MARK_IGNORED_SURV_MODIFY" {
		t.Error("enum text")
	}
}

func FuzzParseMask(f *testing.F) {
	f.Add("FAN_CREATE|FAN_ONDIR")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMask(s)
		if err != nil {
			return
		}
		if back, err := ParseMask(m.String()); err != nil || back != m {
			t.Fatalf("ParseMask(%q) = %v; its text reads back as %v, %v", s, m, back, err)
		}
	})
}

// BenchmarkParseEvent decodes a file-id event with a directory handle, a
// name and an object handle: the name is its one allocation.
func BenchmarkParseEvent(b *testing.B) {
	fsid := FSID{1, 2}
	raw := (&enc{}).fid(2, fsid, 1, []byte{1, 2, 3, 4, 5, 6, 7, 8}, "file.txt").fid(1, fsid, 1, []byte{1, 2, 3, 4, 5, 6, 7, 8}, "").event(Create, -1, 5)
	noname := (&enc{}).fid(1, fsid, 1, []byte{1, 2, 3, 4, 5, 6, 7, 8}, "").event(Modify, -1, 5)
	for _, bc := range []struct {
		name string
		raw  []byte
	}{{"noname", noname}, {"name", raw}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := parseEvent(bc.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestUserLimitsFixture(t *testing.T) {
	fs, err := NewFS("testdata/limits-6.18")
	if err != nil {
		t.Fatal(err)
	}
	l, err := fs.UserLimits()
	if want := (Limits{MaxUserGroups: 128, MaxUserMarks: 205444, MaxQueuedEvents: 16384}); err != nil || l != want {
		t.Fatalf("UserLimits = %+v, %v; want %+v", l, err, want)
	}
	missing, err := NewFS("testdata")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := missing.UserLimits(); !errors.Is(err, iofs.ErrNotExist) {
		t.Fatalf("UserLimits without the files: %v", err)
	}
}

func TestUserLimits(t *testing.T) {
	l, err := UserLimits()
	if v, verr := kernel.Running(); errors.Is(err, iofs.ErrNotExist) && verr == nil && !v.AtLeast(kernel.V(5, 13)) {
		t.Skipf("no /proc/sys/fs/fanotify before 5.13: %v", err)
	}
	if err != nil || l.MaxUserGroups <= 0 || l.MaxQueuedEvents <= 0 {
		t.Fatalf("UserLimits = %+v, %v", l, err)
	}
}
