package sched_test

import (
	"fmt"

	"github.com/lxgo/lx/sched"
)

func Example() {
	// Field 41 of /proc/PID/stat for a real-time thread.
	p := sched.Policy(1)
	fmt.Println(p, p == sched.FIFO)
	// Output: SCHED_FIFO true
}

func ExampleParse() {
	for _, text := range []string{"SCHED_NORMAL", "idle", "SCHED_RR|SCHED_RESET_ON_FORK", "7"} {
		p, err := sched.Parse(text)
		fmt.Println(uint32(p.Base()), p.ResetsOnFork(), p, err)
	}
	// Output:
	// 0 false SCHED_OTHER <nil>
	// 5 false SCHED_IDLE <nil>
	// 2 true SCHED_RR|SCHED_RESET_ON_FORK <nil>
	// 7 false SCHED_EXT <nil>
}
