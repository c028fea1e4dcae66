package timerfd_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lxgo/lx/timerfd"
)

// A periodic timer on the monotonic clock: each Wait returns how many
// periods passed since the previous one.
func Example() {
	t, err := timerfd.New(timerfd.Monotonic)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer t.Close()
	if _, err := t.Set(time.Millisecond, time.Millisecond); err != nil {
		fmt.Println(err)
		return
	}
	total := uint64(0)
	for total < 3 {
		n, err := t.Wait(context.Background())
		if err != nil {
			fmt.Println(err)
			return
		}
		total += n
	}
	fmt.Println("at least 3 expirations")
	// Output: at least 3 expirations
}

// An absolute wall-clock deadline that reports a change of the system
// time instead of silently moving with it.
func ExampleTimer_SetAt() {
	t, err := timerfd.New(timerfd.Realtime)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer t.Close()
	when := time.Now().Add(time.Millisecond)
	if _, err := t.SetAt(when, 0, &timerfd.AbsoluteOptions{CancelOnSet: true}); err != nil {
		fmt.Println(err)
		return
	}
	n, err := t.Wait(context.Background())
	switch {
	case errors.Is(err, timerfd.ErrCanceled):
		fmt.Println("the clock was set; deciding again")
	case err != nil:
		fmt.Println(err)
	default:
		fmt.Println(n, "expiration")
	}
	// Output: 1 expiration
}
