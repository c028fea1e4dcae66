package userfaultfd_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"runtime"
	"syscall"

	"github.com/lxgo/lx/userfaultfd"
)

// Lazily filled memory: each page gets its contents when first touched.
func Example() {
	ps := os.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 4*ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		log.Fatal(err)
	}
	defer syscall.Munmap(mem)

	u, err := userfaultfd.New(&userfaultfd.Options{UserModeOnly: true})
	if err != nil {
		log.Fatal(err)
	}
	defer u.Close()
	r, err := userfaultfd.RangeOf(mem)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := u.Register(r, userfaultfd.ModeMissing); err != nil {
		log.Fatal(err)
	}

	// The handler: fill each faulting page with its page number.
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- u.Serve(ctx, func(e userfaultfd.Event) error {
			page := e.Address &^ uintptr(ps-1)
			n := byte((page - r.Start) / uintptr(ps))
			_, err := u.Copy(page, bytes.Repeat([]byte{'A' + n}, ps), nil)
			return err
		})
	}()

	// The faulting side blocks in the kernel until the handler answers,
	// so it runs on a thread of its own.
	out := make(chan string)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		out <- string([]byte{mem[3*ps], mem[0], mem[ps+5]})
	}()
	fmt.Println(<-out)
	cancel()
	fmt.Println(<-served)
	// Output:
	// DAB
	// context canceled
}
