package bench

// fanotify: lx's fanotify.Group.Read against a hand-written loop on the
// runtime poller (impl=raw: fanotify_init with FAN_NONBLOCK, os.NewFile,
// RawConn.Read around read(2), the metadata and the DFID_NAME record
// decoded by hand). No other Go package decodes fanotify's file-id
// records, so there is no third implementation. Both use a group that
// reports directory file ids and names (no privilege needed since 5.13)
// with an inode mark on a directory, and see the same events
// (TestFanotifyAgrees).
//
//	./run Fanotify
//
// BenchmarkFanotifyWakeup: a reader parked in the poller, one write to a
// file of the directory, the reader's acknowledgement; ns/op is one
// round trip.

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lxgo/lx/fanotify"
	"golang.org/x/sys/unix"
)

type fanotifyImpl interface {
	next() (mask uint64, name string, err error)
	close()
}

type lxFanotify struct{ g *fanotify.Group }

func newLxFanotify(dir string) (fanotifyImpl, error) {
	g, err := fanotify.New(&fanotify.Options{Flags: fanotify.ReportDFIDName})
	if err != nil {
		return nil, err
	}
	if err := g.AddMark(dir, fanotify.Create|fanotify.Modify|fanotify.EventOnChild, nil); err != nil {
		g.Close()
		return nil, err
	}
	return &lxFanotify{g}, nil
}

func (l *lxFanotify) next() (uint64, string, error) {
	ev, err := l.g.Read(context.Background())
	ev.Close()
	return uint64(ev.Mask), ev.Name, err
}

func (l *lxFanotify) close() { l.g.Close() }

type rawFanotify struct {
	f  *os.File
	rc interface {
		Read(func(uintptr) bool) error
	}
	buf      []byte
	off, end int
}

func newRawFanotify(dir string) (fanotifyImpl, error) {
	fd, err := unix.FanotifyInit(unix.FAN_CLOEXEC|unix.FAN_NONBLOCK|unix.FAN_REPORT_DFID_NAME, unix.O_RDONLY)
	if err != nil {
		return nil, err
	}
	if err := unix.FanotifyMark(fd, unix.FAN_MARK_ADD, unix.FAN_CREATE|unix.FAN_MODIFY|unix.FAN_EVENT_ON_CHILD, unix.AT_FDCWD, dir); err != nil {
		unix.Close(fd)
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "fanotify")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &rawFanotify{f: f, rc: rc, buf: make([]byte, 32<<10)}, nil
}

func (r *rawFanotify) next() (uint64, string, error) {
	if r.off >= r.end {
		var n int
		var rerr error
		err := r.rc.Read(func(fd uintptr) bool {
			n, rerr = unix.Read(int(fd), r.buf)
			return rerr != unix.EAGAIN
		})
		if err == nil {
			err = rerr
		}
		if err != nil {
			return 0, "", err
		}
		r.off, r.end = 0, n
	}
	b := r.buf[r.off:r.end]
	eventLen := int(binary.NativeEndian.Uint32(b[0:]))
	metaLen := int(binary.NativeEndian.Uint16(b[6:]))
	mask := binary.NativeEndian.Uint64(b[8:])
	var name string
	for rec := b[metaLen:eventLen]; len(rec) >= 4; {
		n := int(binary.NativeEndian.Uint16(rec[2:]))
		if rec[0] == unix.FAN_EVENT_INFO_TYPE_DFID_NAME {
			hlen := int(binary.NativeEndian.Uint32(rec[12:]))
			nb := rec[20+hlen : n]
			for i, c := range nb {
				if c == 0 {
					nb = nb[:i]
					break
				}
			}
			name = string(nb)
		}
		rec = rec[n:]
	}
	r.off += eventLen
	return mask, name, nil
}

func (r *rawFanotify) close() { r.f.Close() }

var fanotifyImpls = []struct {
	name string
	new  func(dir string) (fanotifyImpl, error)
}{
	{"lx", newLxFanotify},
	{"raw", newRawFanotify},
}

func fanotifySetup(tb testing.TB, newImpl func(string) (fanotifyImpl, error)) (fanotifyImpl, string, [2]*os.File) {
	tb.Helper()
	dir := tb.TempDir()
	var files [2]*os.File
	for i, n := range []string{"a", "b"} {
		f, err := os.Create(filepath.Join(dir, n))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { f.Close() })
		files[i] = f
	}
	impl, err := newImpl(dir)
	if err != nil {
		tb.Skipf("fanotify group with file ids: %v", err)
	}
	tb.Cleanup(impl.close)
	return impl, dir, files
}

func TestFanotifyAgrees(t *testing.T) {
	// The kernel merges the create and the write of x, which are queued
	// one after the other for the same object, into one event.
	want := []string{"2 a", "2 b", "258 x"}
	for _, impl := range fanotifyImpls {
		t.Run(impl.name, func(t *testing.T) {
			g, dir, files := fanotifySetup(t, impl.new)
			// A wrong answer must fail, not hang: closing ends the wait.
			defer time.AfterFunc(30*time.Second, g.close).Stop()
			for i := range 2 {
				if _, err := files[i].WriteAt(inotifyByte, 0); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "x"), []byte("hi"), 0o600); err != nil {
				t.Fatal(err)
			}
			var got []string
			for len(got) < len(want) {
				m, name, err := g.next()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, strconvU(m)+" "+name)
			}
			if !slices.Equal(got, want) {
				t.Errorf("events = %q, want %q", got, want)
			}
		})
	}
}

func strconvU(m uint64) string {
	b := make([]byte, 0, 8)
	return string(appendU(b, m))
}

func appendU(b []byte, m uint64) []byte {
	if m >= 10 {
		b = appendU(b, m/10)
	}
	return append(b, byte('0'+m%10))
}

func BenchmarkFanotifyWakeup(b *testing.B) {
	for _, impl := range fanotifyImpls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			g, _, files := fanotifySetup(b, impl.new)
			ack := make(chan error)
			stop, done := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(done)
				for {
					_, _, err := g.next()
					select {
					case ack <- err:
					case <-stop:
						return
					}
				}
			}()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := files[i%2].WriteAt(inotifyByte, 0); err != nil {
					b.Fatal(err)
				}
				if err := <-ack; err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			close(stop)
			g.close()
			<-done
		})
	}
}
