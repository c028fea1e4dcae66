package epoll_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/lxgo/lx/epoll"
)

// Watch two pipes with one instance; the user data says which one is
// ready.
func ExampleInstance_Wait() {
	ep, err := epoll.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ep.Close()

	r1, w1, _ := os.Pipe()
	r2, w2, _ := os.Pipe()
	defer r1.Close()
	defer w1.Close()
	defer r2.Close()
	defer w2.Close()
	ep.Add(r1, epoll.In, 1)
	ep.Add(r2, epoll.In, 2)

	w2.Write([]byte("x"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	evs := make([]epoll.Event, 8)
	n, err := ep.Wait(ctx, evs)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ev := range evs[:n] {
		fmt.Println(ev.Data, ev.Events)
	}
	// Output: 2 EPOLLIN
}

func ExampleParseEvents() {
	e, err := epoll.ParseEvents("EPOLLIN|EPOLLET")
	fmt.Println(e&epoll.ET != 0, e, err)
	// Output: true EPOLLIN|EPOLLET <nil>
}
