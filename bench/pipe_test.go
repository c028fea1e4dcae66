package bench

// Copying a file to a file: lx's pipe.Copy (splice through a private
// pipe: the data never enters user space) against io.Copy through user
// space (impl=userspace: io.Copy with its ReaderFrom/WriterTo fast
// paths hidden, so it reads into its 32 KiB buffer and writes out: the
// copy the 1.5x target is measured against), the same loop with
// a 1 MiB buffer (impl=userloop1m, as many bytes per system call as lx's
// pipe), and plain io.Copy (impl=iocopy), which between two *os.File
// takes copy_file_range(2) and copies nothing through user space either.
//
//	./run PipeCopy

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/lxgo/lx/pipe"
)

const pipeCopySize = 32 << 20

// pipeCopyImpls are the implementations; each copies src from its
// offset to dst at its offset, to the end of src.
var pipeCopyImpls = []struct {
	name string
	copy func(dst, src *os.File) (int64, error)
}{
	{"lx", func(dst, src *os.File) (int64, error) { return pipe.Copy(context.Background(), dst, src) }},
	{"userspace", func(dst, src *os.File) (int64, error) {
		// io.Copy with the fast paths hidden: its 32 KiB buffer.
		return io.Copy(struct{ io.Writer }{dst}, struct{ io.Reader }{src})
	}},
	{"userloop1m", func(dst, src *os.File) (int64, error) {
		buf := make([]byte, 1<<20)
		var n int64
		for {
			m, err := src.Read(buf)
			if m > 0 {
				if _, werr := dst.Write(buf[:m]); werr != nil {
					return n, werr
				}
				n += int64(m)
			}
			if err == io.EOF {
				return n, nil
			}
			if err != nil {
				return n, err
			}
		}
	}},
	{"iocopy", func(dst, src *os.File) (int64, error) { return io.Copy(dst, src) }},
}

// pipeCopyFiles writes a source file of size random bytes (in the page
// cache, as a benchmark rerun finds it) and creates an empty destination.
func pipeCopyFiles(tb testing.TB, size int) (src, dst *os.File, data []byte) {
	tb.Helper()
	dir := tb.TempDir()
	data = make([]byte, size)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	if err := os.WriteFile(filepath.Join(dir, "src"), data, 0o600); err != nil {
		tb.Fatal(err)
	}
	src, err := os.Open(filepath.Join(dir, "src"))
	if err != nil {
		tb.Fatal(err)
	}
	dst, err = os.Create(filepath.Join(dir, "dst"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { src.Close(); dst.Close() })
	return src, dst, data
}

// pipeCopyRewind puts src at its start and empties dst.
func pipeCopyRewind(tb testing.TB, src, dst *os.File) {
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		tb.Fatal(err)
	}
	if err := dst.Truncate(0); err != nil {
		tb.Fatal(err)
	}
	if _, err := dst.Seek(0, io.SeekStart); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkPipeCopy copies a 32 MiB file that is in the page cache to
// another file on the same file system.
func BenchmarkPipeCopy(b *testing.B) {
	src, dst, _ := pipeCopyFiles(b, pipeCopySize)
	for _, impl := range pipeCopyImpls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(pipeCopySize)
			for b.Loop() {
				b.StopTimer()
				pipeCopyRewind(b, src, dst)
				b.StartTimer()
				if n, err := impl.copy(dst, src); err != nil || n != pipeCopySize {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// TestPipeCopyAgrees: every implementation leaves the same bytes in the
// destination, and reports the same count.
func TestPipeCopyAgrees(t *testing.T) {
	src, dst, data := pipeCopyFiles(t, 3<<20+4321)
	for _, impl := range pipeCopyImpls {
		pipeCopyRewind(t, src, dst)
		n, err := impl.copy(dst, src)
		if err != nil || n != int64(len(data)) {
			t.Fatalf("%s: %d, %v", impl.name, n, err)
		}
		got, err := os.ReadFile(dst.Name())
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s: destination differs (%d bytes, %v)", impl.name, len(got), err)
		}
	}
}
