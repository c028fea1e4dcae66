package bench

// inotify: lx's inotify.Watcher against github.com/fsnotify/fsnotify and
// a hand-written loop on the runtime poller (impl=raw: inotify_init1 with
// IN_NONBLOCK, os.NewFile, RawConn.Read around read(2), the events decoded
// by hand). All three watch a directory with fsnotify's mask and see the
// same events (TestInotifyAgrees).
//
//	./run Inotify
//
// BenchmarkInotifyThroughput writes to two files of the directory in
// turn, 64 writes, then reads the 64 IN_MODIFY events (alternating names,
// so the kernel merges none); ns/op is per event. BenchmarkInotifyWakeup
// is the wake-up path: a reader parked in the poller, one write, the
// reader's acknowledgement; ns/op is one round trip.

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/lxgo/lx/inotify"
)

// inotifyWatchMask is fsnotify's mask for a watch (backend_inotify.go).
const inotifyWatchMask = inotify.Create | inotify.Modify | inotify.Attrib | inotify.Delete |
	inotify.MovedFrom | inotify.MovedTo | inotify.DeleteSelf | inotify.MoveSelf

// inotifyImpl is one implementation: add watches dir; next returns the
// next event as fsnotify names it ("CREATE", "WRITE", ...) and the entry
// name.
type inotifyImpl interface {
	add(dir string) error
	next() (op, name string, err error)
	close()
}

// inotifyOp is fsnotify's name for an inotify mask.
func inotifyOp(m uint32) string {
	switch {
	case m&(syscall.IN_CREATE|syscall.IN_MOVED_TO) != 0:
		return "CREATE"
	case m&syscall.IN_MODIFY != 0:
		return "WRITE"
	case m&syscall.IN_ATTRIB != 0:
		return "CHMOD"
	case m&(syscall.IN_DELETE|syscall.IN_DELETE_SELF) != 0:
		return "REMOVE"
	case m&(syscall.IN_MOVED_FROM|syscall.IN_MOVE_SELF) != 0:
		return "RENAME"
	}
	return "OTHER"
}

type lxInotify struct{ w *inotify.Watcher }

func newLxInotify() (inotifyImpl, error) {
	w, err := inotify.New()
	return &lxInotify{w}, err
}

func (l *lxInotify) add(dir string) error {
	_, err := l.w.Add(dir, inotifyWatchMask)
	return err
}

func (l *lxInotify) next() (string, string, error) {
	ev, err := l.w.Read(context.Background())
	return inotifyOp(uint32(ev.Mask)), ev.Name, err
}

func (l *lxInotify) close() { l.w.Close() }

type fsnotifyImpl struct{ w *fsnotify.Watcher }

func newFsnotify() (inotifyImpl, error) {
	w, err := fsnotify.NewWatcher()
	return &fsnotifyImpl{w}, err
}

func (f *fsnotifyImpl) add(dir string) error { return f.w.Add(dir) }

func (f *fsnotifyImpl) next() (string, string, error) {
	select {
	case ev, ok := <-f.w.Events:
		if !ok {
			return "", "", errors.New("fsnotify: closed")
		}
		op := "OTHER"
		switch {
		case ev.Has(fsnotify.Create):
			op = "CREATE"
		case ev.Has(fsnotify.Write):
			op = "WRITE"
		case ev.Has(fsnotify.Chmod):
			op = "CHMOD"
		case ev.Has(fsnotify.Remove):
			op = "REMOVE"
		case ev.Has(fsnotify.Rename):
			op = "RENAME"
		}
		return op, filepath.Base(ev.Name), nil
	case err := <-f.w.Errors:
		return "", "", err
	}
}

func (f *fsnotifyImpl) close() { f.w.Close() }

// rawInotify is the hand-written poller loop.
type rawInotify struct {
	f        *os.File
	rc       syscall.RawConn
	buf      []byte
	off, end int
}

func newRawInotify() (inotifyImpl, error) {
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "inotify")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &rawInotify{f: f, rc: rc, buf: make([]byte, 32<<10)}, nil
}

func (r *rawInotify) add(dir string) error {
	var err error
	r.rc.Control(func(fd uintptr) {
		_, err = syscall.InotifyAddWatch(int(fd), dir, uint32(inotifyWatchMask))
	})
	return err
}

func (r *rawInotify) next() (string, string, error) {
	if r.off >= r.end {
		var n int
		var rerr error
		err := r.rc.Read(func(fd uintptr) bool {
			n, rerr = syscall.Read(int(fd), r.buf)
			return rerr != syscall.EAGAIN
		})
		if err == nil {
			err = rerr
		}
		if err != nil {
			return "", "", err
		}
		r.off, r.end = 0, n
	}
	b := r.buf[r.off:r.end]
	mask := binary.NativeEndian.Uint32(b[4:])
	nameLen := int(binary.NativeEndian.Uint32(b[12:]))
	name := b[16 : 16+nameLen]
	for i, c := range name {
		if c == 0 {
			name = name[:i]
			break
		}
	}
	r.off += 16 + nameLen
	return inotifyOp(mask), string(name), nil
}

func (r *rawInotify) close() { r.f.Close() }

var inotifyImpls = []struct {
	name string
	new  func() (inotifyImpl, error)
}{
	{"lx", newLxInotify},
	{"fsnotify", newFsnotify},
	{"raw", newRawInotify},
}

// inotifySetup returns a watched directory with files a and b open for
// writing, for impl.
func inotifySetup(tb testing.TB, newImpl func() (inotifyImpl, error)) (inotifyImpl, string, [2]*os.File) {
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
	impl, err := newImpl()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(impl.close)
	if err := impl.add(dir); err != nil {
		tb.Fatal(err)
	}
	return impl, dir, files
}

var inotifyByte = []byte{'x'}

// TestInotifyAgrees: the same operations give the same events in every
// implementation.
func TestInotifyAgrees(t *testing.T) {
	want := []string{
		"WRITE a", "WRITE b", "WRITE a", "WRITE b",
		"CREATE x", "WRITE x", "CHMOD x", "RENAME x", "CREATE y", "REMOVE y",
	}
	for _, impl := range inotifyImpls {
		t.Run(impl.name, func(t *testing.T) {
			w, dir, files := inotifySetup(t, impl.new)
			// A wrong answer must fail, not hang: closing ends the wait.
			defer time.AfterFunc(30*time.Second, w.close).Stop()
			for i := range 4 {
				if _, err := files[i%2].WriteAt(inotifyByte, 0); err != nil {
					t.Fatal(err)
				}
			}
			x, y := filepath.Join(dir, "x"), filepath.Join(dir, "y")
			if err := os.WriteFile(x, []byte("hi"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(x, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(x, y); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(y); err != nil {
				t.Fatal(err)
			}
			var got []string
			for len(got) < len(want) {
				op, name, err := w.next()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, op+" "+name)
			}
			if !slices.Equal(got, want) {
				t.Errorf("events = %q, want %q", got, want)
			}
		})
	}
}

func BenchmarkInotifyThroughput(b *testing.B) {
	const batch = 64
	for _, impl := range inotifyImpls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			w, _, files := inotifySetup(b, impl.new)
			b.ReportAllocs()
			for i := 0; i < b.N; i += batch {
				n := min(batch, b.N-i)
				for j := range n {
					if _, err := files[j%2].WriteAt(inotifyByte, 0); err != nil {
						b.Fatal(err)
					}
				}
				for range n {
					if _, _, err := w.next(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

func BenchmarkInotifyWakeup(b *testing.B) {
	for _, impl := range inotifyImpls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			w, _, files := inotifySetup(b, impl.new)
			ack := make(chan error)
			stop, done := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(done)
				for {
					_, _, err := w.next()
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
			w.close() // ends the reader's wait
			<-done
		})
	}
}
