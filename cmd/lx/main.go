// Command lx shows what the running Linux kernel offers and what it is
// doing, using the lx library. Run `lx help` for its commands; plain `lx`
// prints an overview of the machine.
//
// Exit codes: 0 success, 1 error (the message is on stderr), 2 usage error.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/lxgo/lx/cmd/lx/internal/cli"
)

func main() {
	// Ctrl-C or SIGTERM cancels the context; commands that block take it.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
