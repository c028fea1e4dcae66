package signalfd_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"syscall"

	"github.com/lxgo/lx/signal"
	"github.com/lxgo/lx/signalfd"
)

// A goroutine on a locked thread blocks SIGUSR1 and reads a signal
// directed at that thread, with its sender.
func Example() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread goes with the goroutine
		fd, err := signalfd.BlockThread(signal.SetOf(signal.Usr1))
		if err != nil {
			fmt.Println(err)
			return
		}
		defer fd.Close()
		syscall.Tgkill(os.Getpid(), fd.Thread(), syscall.SIGUSR1)
		si, err := fd.Read(context.Background())
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(si.Signal, si.Code, si.Origin(), si.PID == os.Getpid())
	}()
	<-done
	// Output: SIGUSR1 SI_TKILL process true
}
