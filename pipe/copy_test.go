package pipe

import (
	"bytes"
	"context"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// testData is 3 MiB and a bit of pseudo-random bytes: more than one
// round of Copy's 1 MiB pipe, and not a multiple of a page.
func testData() []byte {
	b := make([]byte, 3<<20+123)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i+8 <= len(b); i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func tcpPair(t *testing.T) (*net.TCPConn, *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

func unixPair(t *testing.T) (*net.UnixConn, *net.UnixConn) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.AcceptUnix()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return c, s
}

type closeWriter interface {
	syscall.Conn
	CloseWrite() error
}

// TestCopyFileSocketFile: a file goes to a socket with Copy, another
// Copy takes it from the socket's other end to a file, both at once, so
// each waits in the poller for the other; for TCP and unix sockets.
func TestCopyFileSocketFile(t *testing.T) {
	data := testData()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "src"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	tc, ts := tcpPair(t)
	uc, us := unixPair(t)
	for _, c := range []struct {
		name string
		a    closeWriter
		b    syscall.Conn
	}{{"tcp", tc, ts}, {"unix", uc, us}} {
		t.Run(c.name, func(t *testing.T) {
			src, err := os.Open(filepath.Join(dir, "src"))
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			dst, err := os.Create(filepath.Join(dir, "dst-"+c.name))
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			ctx := timeout(t)
			sent := make(chan error, 1)
			go func() {
				n, err := Copy(ctx, c.a, src)
				if err == nil && n != int64(len(data)) {
					err = errors.New("short copy to the socket")
				}
				c.a.CloseWrite()
				sent <- err
			}()
			n, err := Copy(ctx, dst, c.b)
			if err != nil || n != int64(len(data)) {
				t.Fatalf("Copy from the socket = %d, %v; want %d", n, err, len(data))
			}
			if err := <-sent; err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(dst.Name())
			if !bytes.Equal(got, data) {
				t.Fatal("the file that went through the socket differs")
			}
		})
	}
}

func TestCopyCancel(t *testing.T) {
	a, b := tcpPair(t)
	f, err := os.Create(filepath.Join(t.TempDir(), "dst"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Copy(ctx, f, a)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Copy from an idle socket, cancelled = %v", err)
	}
	// The cancellation did not touch the socket's own deadlines: it
	// still reads.
	b.Write([]byte("x"))
	buf := make([]byte, 1)
	if n, err := a.Read(buf); n != 1 || err != nil {
		t.Fatalf("Read from the socket after a cancelled Copy = %d, %v", n, err)
	}
}

func TestCopyBadInput(t *testing.T) {
	if _, err := Copy(context.Background(), nil, os.Stdin); err == nil {
		t.Error("Copy to nil succeeded")
	}
	// Appending files cannot be spliced into.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "src"), []byte("x"), 0o600)
	src, _ := os.Open(filepath.Join(dir, "src"))
	defer src.Close()
	dst, _ := os.OpenFile(filepath.Join(dir, "dst"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	defer dst.Close()
	if _, err := Copy(context.Background(), dst, src); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("Copy to an O_APPEND file = %v, want EINVAL", err)
	}
}

// TestVmsplice1GiB moves 1 GiB: vmsplice from four fixed buffers into a
// pipe, splice from that pipe into a second, read from the second, with
// a CRC-32C of everything compared with the buffers'. The buffers are
// never modified, as vmsplice requires.
func TestVmsplice1GiB(t *testing.T) {
	const total = 1 << 30
	const chunk = 256 << 10
	bufs := make([][]byte, 4)
	r := rand.New(rand.NewPCG(3, 4))
	table := crc32.MakeTable(crc32.Castagnoli)
	for i := range bufs {
		bufs[i] = make([]byte, chunk)
		for j := range bufs[i] {
			bufs[i][j] = byte(r.Uint32())
		}
	}
	var want uint32
	for i := range total / chunk {
		want = crc32.Update(want, table, bufs[i%len(bufs)])
	}
	r1, w1 := newPipe(t, &Options{Size: 1 << 20})
	r2, w2 := newPipe(t, &Options{Size: 1 << 20})
	ctx := timeout(t)
	errs := make(chan error, 2)
	go func() {
		defer w1.Close()
		for i := range total / chunk {
			if _, err := w1.Vmsplice(ctx, bufs[i%len(bufs)]); err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	}()
	go func() {
		defer w2.Close()
		for {
			n, err := r1.SpliceTo(ctx, w2, 1<<20, nil)
			if err != nil || n == 0 {
				errs <- err
				return
			}
		}
	}()
	var got uint32
	var n int64
	buf := make([]byte, 1<<20)
	for {
		m, err := r2.Read(buf)
		got = crc32.Update(got, table, buf[:m])
		n += int64(m)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n != total || got != want {
		t.Fatalf("read %d bytes with CRC-32C %08x; want %d with %08x", n, got, total, want)
	}
}
