package inotify

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// newWatcher returns a Watcher closed at cleanup.
func newWatcher(t testing.TB) *Watcher {
	t.Helper()
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// testCtx bounds a test's reads, so that a bug fails the test instead of
// hanging the run.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// readN reads n events.
func readN(t *testing.T, w *Watcher, n int) []Event {
	t.Helper()
	ctx := testCtx(t)
	var evs []Event
	for len(evs) < n {
		ev, err := w.Read(ctx)
		if err != nil {
			t.Fatalf("Read after %d events %v: %v", len(evs), evs, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// noMore checks that no event is queued.
func noMore(t *testing.T, w *Watcher) {
	t.Helper()
	ready, err := w.pfd.Readable()
	if err != nil {
		t.Fatal(err)
	}
	if ready || w.off < w.end {
		ev, _ := w.Read(context.Background())
		t.Fatalf("unexpected event %+v", ev)
	}
}

func TestOrdinaryUse(t *testing.T) {
	dir := t.TempDir()
	w := newWatcher(t)
	wd, err := w.Add(dir, Create|CloseWrite|Delete|OnlyDir)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := w.Path(wd); !ok || p != dir {
		t.Fatalf("Path(%v) = %q, %v; want %q", wd, p, ok, dir)
	}
	// Names are bytes: a newline, a parenthesis and invalid UTF-8.
	name := "a\nb(\xff)"
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	want := []Event{
		{Watch: wd, Path: dir, Name: name, Mask: Create},
		{Watch: wd, Path: dir, Name: name, Mask: CloseWrite},
		{Watch: wd, Path: dir, Name: name, Mask: Delete},
		{Watch: wd, Path: dir, Name: "sub", Mask: Create | IsDir},
	}
	got := readN(t, w, len(want))
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if !got[3].IsDir() || got[3].FullPath() != filepath.Join(dir, "sub") {
		t.Errorf("IsDir, FullPath of %+v = %v, %q", got[3], got[3].IsDir(), got[3].FullPath())
	}
	noMore(t, w)
}

func TestWatchFileItself(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w := newWatcher(t)
	wd, err := w.Add(file, Modify|DeleteSelf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("y"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	got := readN(t, w, 3)
	want := []Event{
		{Watch: wd, Path: file, Mask: Modify},
		{Watch: wd, Path: file, Mask: DeleteSelf},
		{Watch: wd, Path: file, Mask: Ignored},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, ok := w.Path(wd); ok {
		t.Errorf("watch %v still known after its Ignored event", wd)
	}
}

func TestRenamePairs(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	for _, d := range []string{a, b} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(a, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "out"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w := newWatcher(t)
	wa, err := w.Add(a, Move)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := w.Add(b, Move)
	if err != nil {
		t.Fatal(err)
	}
	// A rename between watched directories, then one into them from an
	// unwatched one (no MovedFrom), then one out of them (no MovedTo).
	for _, r := range [][2]string{
		{filepath.Join(a, "x"), filepath.Join(b, "y")},
		{filepath.Join(root, "out"), filepath.Join(a, "in")},
		{filepath.Join(b, "y"), filepath.Join(root, "gone")},
	} {
		if err := os.Rename(r[0], r[1]); err != nil {
			t.Fatal(err)
		}
	}
	evs := readN(t, w, 4)
	var p MovePairer
	var pairs [][2]Event
	for _, ev := range evs {
		if from, ok := p.Pair(ev); ok {
			pairs = append(pairs, [2]Event{from, ev})
		}
	}
	if len(pairs) != 1 {
		t.Fatalf("pairs = %+v from %+v; want one", pairs, evs)
	}
	from, to := pairs[0][0], pairs[0][1]
	if from.Watch != wa || from.Name != "x" || from.Mask != MovedFrom ||
		to.Watch != wb || to.Name != "y" || to.Mask != MovedTo || from.Cookie != to.Cookie || from.Cookie == 0 {
		t.Errorf("pair = %+v -> %+v", from, to)
	}
	if evs[2].Name != "in" || evs[2].Mask != MovedTo || evs[3].Name != "y" || evs[3].Mask != MovedFrom {
		t.Errorf("unpaired events = %+v, %+v", evs[2], evs[3])
	}
	// The pairer forgot the pair it handed back.
	if _, ok := p.Pair(to); ok {
		t.Error("a MovedTo paired twice")
	}
}

func TestOverflow(t *testing.T) {
	limits, err := UserLimits()
	if err != nil {
		t.Fatal(err)
	}
	n := limits.MaxQueuedEvents
	if n > 1<<18 {
		t.Skipf("max_queued_events is %d: too many events to queue in a test", n)
	}
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w := newWatcher(t)
	if _, err := w.Add(file, Open|CloseNoWrite); err != nil {
		t.Fatal(err)
	}
	// Each open and close queues two events that differ from their
	// predecessor, so the kernel merges none of them.
	for i := 0; i < n/2+8; i++ {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	ctx := testCtx(t)
	got := 0
	for {
		ev, err := w.Read(ctx)
		if errors.Is(err, ErrOverflow) {
			if ev.Mask != QOverflow || ev.Watch != -1 {
				t.Errorf("overflow event = %+v", ev)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got++
	}
	if got != n {
		t.Errorf("%d events before the overflow, want max_queued_events = %d", got, n)
	}
	// The queue works again afterwards, and Events goes on past an
	// overflow.
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	for ev, err := range w.Events(ctx) {
		if err != nil || ev.Mask != Open {
			t.Fatalf("event after overflow = %+v, %v", ev, err)
		}
		break
	}
}

// blockedRead starts a Read and returns its result channel, after giving
// the reader time to park (the result does not depend on whether it did).
func blockedRead(w *Watcher, ctx context.Context) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := w.Read(ctx)
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	return done
}

func TestReadContextCancel(t *testing.T) {
	dir := t.TempDir()
	w := newWatcher(t)
	if _, err := w.Add(dir, Create); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := blockedRead(w, ctx)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Read: %v", err)
	}
	// The Watcher still works.
	if err := os.WriteFile(filepath.Join(dir, "f"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if ev := readN(t, w, 1)[0]; ev.Name != "f" || ev.Mask != Create {
		t.Fatalf("event after a cancelled Read = %+v", ev)
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	w := newWatcher(t)
	if _, err := w.Add(t.TempDir(), Create); err != nil {
		t.Fatal(err)
	}
	done := blockedRead(w, context.Background())
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Read blocked across Close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := w.Read(context.Background()); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Read after Close: %v", err)
	}
	if _, err := w.Add(t.TempDir(), Create); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Add after Close: %v", err)
	}
}

func TestRemove(t *testing.T) {
	dir := t.TempDir()
	w := newWatcher(t)
	wd, err := w.Add(dir, Create)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Remove(wd); err != nil {
		t.Fatal(err)
	}
	if ev := readN(t, w, 1)[0]; ev != (Event{Watch: wd, Path: dir, Mask: Ignored}) {
		t.Fatalf("event after Remove = %+v", ev)
	}
	if err := w.Remove(wd); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("second Remove: %v, want EINVAL", err)
	}
}

func TestAddFlags(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w := newWatcher(t)
	if _, err := w.Add(file, Create|OnlyDir); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("OnlyDir on a file: %v", err)
	}
	if _, err := w.Add(filepath.Join(dir, "missing"), Create); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing path: %v", err)
	}
	wd, err := w.Add(dir, Create|MaskCreate)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Add(dir, Delete|MaskCreate); !errors.Is(err, fs.ErrExist) {
		t.Errorf("MaskCreate on a watched inode: %v", err)
	}
	// MaskAdd extends the mask: both events come.
	if wd2, err := w.Add(dir, Delete|MaskAdd); err != nil || wd2 != wd {
		t.Fatalf("MaskAdd = %v, %v; want %v", wd2, err, wd)
	}
	if err := os.WriteFile(filepath.Join(dir, "g"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "g")); err != nil {
		t.Fatal(err)
	}
	evs := readN(t, w, 2)
	if evs[0].Mask != Create || evs[1].Mask != Delete {
		t.Errorf("events = %+v", evs)
	}
	// Oneshot: one event, then the watch is gone.
	ws, err := w.Add(file, Attrib|Oneshot)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := os.Chmod(file, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	evs = readN(t, w, 2)
	if evs[0] != (Event{Watch: ws, Path: file, Mask: Attrib}) || evs[1] != (Event{Watch: ws, Path: file, Mask: Ignored}) {
		t.Errorf("oneshot events = %+v", evs)
	}
	noMore(t, w)
}

func TestUserLimits(t *testing.T) {
	l, err := UserLimits()
	if err != nil {
		t.Fatal(err)
	}
	if l.MaxUserInstances <= 0 || l.MaxUserWatches <= 0 || l.MaxQueuedEvents <= 0 {
		t.Errorf("limits = %+v", l)
	}
}

// Events buffered when the Watcher closes are not returned afterwards.
func TestCloseDropsBufferedEvents(t *testing.T) {
	dir := t.TempDir()
	w := newWatcher(t)
	if _, err := w.Add(dir, Create); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	readN(t, w, 1)
	if w.off >= w.end {
		t.Skip("the kernel delivered the events in separate reads")
	}
	w.Close()
	if ev, err := w.Read(context.Background()); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Read after Close = %+v, %v; want os.ErrClosed", ev, err)
	}
}
