// Command lx shows what the running Linux kernel offers and what it is
// doing, using the lx library. Run `lx help` for its commands; plain `lx`
// prints an overview of the machine.
//
// Exit codes: 0 success, 1 error (the message is on stderr), 2 usage error;
// lx exec and lx cgroup run exit with their command's status (see their
// help).
package main

import (
	"os"

	"github.com/lxgo/lx/cmd/lx/internal/cli"
)

func main() { os.Exit(cli.Program()) }
