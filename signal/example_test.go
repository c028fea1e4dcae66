package signal_test

import (
	"fmt"
	"os"

	"github.com/lxgo/lx/signal"
)

func Example() {
	// The SigCgt line of /proc/PID/status: the signals a process catches.
	caught, err := signal.ParseHex("0000000000014002")
	if err != nil {
		panic(err)
	}
	fmt.Println(caught, caught.Has(signal.Term), caught.Has(signal.Kill))
	// Output: SIGINT,SIGTERM,SIGCHLD true false
}

func ExampleParse() {
	for _, name := range []string{"TERM", "sigkill", "15", "RTMIN+3", "SIGRTMAX-1", "SIG33"} {
		s, err := signal.Parse(name)
		fmt.Println(int(s), s, err)
	}
	// Output:
	// 15 SIGTERM <nil>
	// 9 SIGKILL <nil>
	// 15 SIGTERM <nil>
	// 37 SIGRTMIN+3 <nil>
	// 63 SIGRTMAX-1 <nil>
	// 33 SIG33 <nil>
}

func ExampleSignal_Sys() {
	// Signal 0 checks that the process exists and may be signalled.
	p, _ := os.FindProcess(os.Getpid())
	fmt.Println(p.Signal(signal.Signal(0).Sys()))
	// Output: <nil>
}

func ExampleCode_Name() {
	// A core dump's si_code, as pidfd's Coredump reports it, means
	// nothing without its signal.
	code := signal.Code(1)
	fmt.Println(code, code.Name(signal.Segv), code.Name(signal.Chld), code.FromKernel())
	fmt.Println(signal.CodeQueue.Name(signal.Usr1))
	// Output:
	// 1 SEGV_MAPERR CLD_EXITED true
	// SI_QUEUE
}

func ExampleSet_All() {
	blocked := signal.SetOf(signal.Usr1, signal.Usr2, signal.RTMin)
	for s := range blocked.All() {
		fmt.Println(int(s), s)
	}
	// Output:
	// 10 SIGUSR1
	// 12 SIGUSR2
	// 34 SIGRTMIN
}
