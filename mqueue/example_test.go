package mqueue_test

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/lxgo/lx/mqueue"
)

// Create a queue, send two messages and receive them highest priority
// first.
func ExampleNew() {
	name := "/lx-example-" + strconv.Itoa(os.Getpid())
	q, err := mqueue.New(name, &mqueue.CreateOptions{MaxMessages: 4, MessageSize: 128, Exclusive: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer mqueue.Unlink(name)
	defer q.Close()

	ctx := context.Background()
	q.Send(ctx, []byte("routine"), 1)
	q.Send(ctx, []byte("urgent"), 10)

	buf := make([]byte, 128)
	for range 2 {
		msg, prio, err := q.Receive(ctx, buf)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(string(msg), prio)
	}
	// Output:
	// urgent 10
	// routine 1
}
