package pipe

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkCopyFile: Copy of a 4 MiB file in the page cache to another
// file (bench/ compares it with io.Copy through user space).
func BenchmarkCopyFile(b *testing.B) {
	const size = 4 << 20
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "src"), make([]byte, size), 0o600); err != nil {
		b.Fatal(err)
	}
	src, err := os.Open(filepath.Join(dir, "src"))
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(filepath.Join(dir, "dst"))
	if err != nil {
		b.Fatal(err)
	}
	defer dst.Close()
	ctx := context.Background()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		src.Seek(0, io.SeekStart)
		dst.Seek(0, io.SeekStart)
		if n, err := Copy(ctx, dst, src); n != size || err != nil {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkWriteRead: a 4 KiB Write and Read on one goroutine, neither
// waiting.
func BenchmarkWriteRead(b *testing.B) {
	r, w := newPipe(b, nil)
	buf := make([]byte, 4096)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := r.Read(buf); err != nil {
			b.Fatal(err)
		}
	}
}
