package eventfd_test

import (
	"context"
	"fmt"

	"github.com/lxgo/lx/eventfd"
)

// One goroutine wakes another through an eventfd; the reader takes the
// sum of everything added since its last read.
func Example() {
	fd, err := eventfd.New(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer fd.Close()
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fd.Add(ctx, 2)
		fd.Add(ctx, 3)
	}()
	<-done
	n, err := fd.Read(ctx)
	fmt.Println(n, err)
	// Output: 5 <nil>
}

// A semaphore hands out its count one read at a time.
func Example_semaphore() {
	fd, err := eventfd.New(&eventfd.Options{Mode: eventfd.Semaphore, Initial: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer fd.Close()
	a, _ := fd.Read(context.Background())
	b, _ := fd.Read(context.Background())
	fmt.Println(a, b)
	// Output: 1 1
}
