package inotify

import (
	"context"
	"testing"
)

// fillBuffer puts n copies of ev (as the kernel encodes it, with a
// 16-byte name field when it has a name) into w's read buffer, as if one
// read(2) had returned them.
func fillBuffer(w *Watcher, raw []byte, n int) {
	w.off, w.end = 0, 0
	for range n {
		w.end += copy(w.buf[w.end:], raw)
	}
}

// BenchmarkRead decodes events from a full read buffer through Read (the
// lock, the decoding and the path lookup): no allocation for an event
// without a name, one (the name) for an event with one.
func BenchmarkRead(b *testing.B) {
	for _, bc := range []struct {
		name string
		raw  []byte
	}{
		{"noname", rawEvent(1, uint32(Modify), 0, "", 0)},
		{"name", rawEvent(1, uint32(Create), 0, "file.txt", 16)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w, err := New()
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			w.paths[1] = "/watched"
			n := len(w.buf) / len(bc.raw)
			ctx := context.Background()
			b.ReportAllocs()
			left := 0
			for b.Loop() {
				if left == 0 {
					fillBuffer(w, bc.raw, n)
					left = n
				}
				if _, err := w.Read(ctx); err != nil {
					b.Fatal(err)
				}
				left--
			}
		})
	}
}

// BenchmarkParseEvent is the decoder alone.
func BenchmarkParseEvent(b *testing.B) {
	raw := rawEvent(1, uint32(Modify), 0, "", 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := parseEvent(raw); err != nil {
			b.Fatal(err)
		}
	}
}
