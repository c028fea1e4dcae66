package pipe_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/lxgo/lx/pipe"
)

// A pipe with a 1 MiB buffer: the kernel rounds the size to a power of
// two pages.
func ExampleNew() {
	r, w, err := pipe.New(&pipe.Options{Size: 1000000})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	defer w.Close()
	n, _ := r.Size()
	fmt.Println(n)
	w.Write([]byte("hello"))
	b, _ := r.Buffered()
	fmt.Println(b)
	// Output:
	// 1048576
	// 5
}

// Copy a file to another through a pipe with splice: the data stays in
// the kernel.
func ExampleCopy() {
	dir, _ := os.MkdirTemp("", "pipe-example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "a"), []byte("spliced\n"), 0o600)
	src, _ := os.Open(filepath.Join(dir, "a"))
	defer src.Close()
	dst, _ := os.Create(filepath.Join(dir, "b"))
	defer dst.Close()

	n, err := pipe.Copy(context.Background(), dst, src)
	fmt.Println(n, err)
	dst.Seek(0, io.SeekStart)
	b, _ := io.ReadAll(dst)
	fmt.Print(string(b))
	// Output:
	// 8 <nil>
	// spliced
}
