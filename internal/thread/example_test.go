package thread_test

import (
	"fmt"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/thread"
)

// Run gives fn a thread of its own for as long as fn runs.
func ExampleRun() {
	err := thread.Run(func(t *thread.Thread) error {
		fmt.Println("on the locked thread:", t.TID() == sys.Gettid())
		return nil
	})
	fmt.Println("error:", err)
	// Output:
	// on the locked thread: true
	// error: <nil>
}

// A function that moves its thread into a new namespace taints it first:
// the thread is terminated afterwards instead of carrying the namespace to
// other goroutines. (Needs CAP_SYS_ADMIN.)
func ExampleThread_Taint() {
	err := thread.Run(func(t *thread.Thread) error {
		t.Taint()
		if err := sys.Unshare(sys.CLONE_NEWUTS); err != nil {
			return err
		}
		if err := sys.Sethostname("sandbox"); err != nil {
			return err
		}
		u, err := sys.Uname()
		fmt.Println(u.Nodename) // "sandbox", on this thread only
		return err
	})
	if err != nil {
		fmt.Println(err)
	}
}
