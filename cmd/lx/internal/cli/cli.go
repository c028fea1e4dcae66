// Package cli is the shell of the lx command: flag parsing, dispatch to
// subcommands, help, and the exit-code contract. Each subcommand is a type
// in a file of its own that registers itself in an init function, so that
// adding a command means adding one file.
//
// Every command accepts --json and --help. By default a command prints
// aligned tables for people (table.go, with the value forms of format.go);
// with --json it prints one indented JSON object carrying the typed values
// the lx library returns, through the CLI's own encoder (json.go), which
// keeps every byte of kernel strings. Errors go to stderr. `lx help json`
// and `lx help text` describe both forms for users.
//
// Exit codes: 0 success, 1 an error while running the command, 2 a usage
// error (unknown command, bad flag, wrong number of arguments). Commands
// that run another command (lx exec, lx cgroup run) exit with that
// command's status instead, and with 125, 126 or 127 when they could not
// run it, as env(1) does (see commandRunner).
//
// A command's name may be two words, "cgroup run": a subcommand, which
// registers itself like any command and is selected by the two words.
//
// This package imports only public lx packages, like any other user of the
// library would.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

// Exit codes of the lx command.
const (
	ExitOK    = 0 // the command succeeded
	ExitError = 1 // the command failed; the reason is on stderr
	ExitUsage = 2 // the command line was wrong; usage is on stderr

	// The codes of a commandRunner that did not get as far as its
	// command's exit, those of env(1), nohup(1) and timeout(1), which
	// commands seldom use for their own failures.
	ExitCannotRun  = 125 // lx failed (or its command line was wrong) before the command ran
	ExitCannotExec = 126 // the command was found but could not be executed
	ExitNotFound   = 127 // the command was not found
)

// commandRunner is a command that runs a command line of its own given
// after its flags (lx exec, lx cgroup run). Its flags end at the first
// positional argument, which starts that command line: everything from
// there on belongs to it, flags included. It exits with the command's
// status (returned as an *exitError); its own failures and usage errors
// exit with ExitCannotRun, or the code of an *exitError that carries an
// error (ExitCannotExec, ExitNotFound).
type commandRunner interface {
	Command
	runsCommand()
}

// exitError ends a command with exit code code. With err nil nothing is
// printed: the code is a status the command forwards (a commandRunner's
// child's); otherwise err is reported as any failure is.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// Env is what a command runs with: where it writes and the flags common to
// every command. Tests inject buffers.
type Env struct {
	// Stdout receives the command's output: tables, or JSON with --json.
	Stdout io.Writer
	// Stderr receives errors and usage messages.
	Stderr io.Writer
	// JSON is set by --json: print one JSON object instead of tables.
	JSON bool
	// Width is the number of characters a line of Stdout may have, or 0
	// for no limit (see outputWidth).
	Width int
}

// Command is one lx subcommand. Commands are structs; Run receives the
// positional arguments left after flag parsing.
type Command interface {
	// Name is the word that selects the command ("overview").
	Name() string
	// Synopsis is a one-line summary for the command list of `lx help`.
	Synopsis() string
	// Usage is the syntax of the arguments after the name, such as
	// "[flags] <pid>"; "[flags]" for a command without arguments.
	Usage() string
	// Help is the long description `lx help NAME` prints after the usage
	// line and before the flags.
	Help() string
	// Run runs the command. It returns a *UsageError (see Usagef) for a
	// wrong command line and any other error for a failure.
	Run(ctx context.Context, env *Env, args []string) error
}

// FlagSetter is implemented by commands that have flags besides --json and
// --help. SetFlags binds them to fields of the command value.
type FlagSetter interface {
	SetFlags(fs *flag.FlagSet)
}

// UsageError is a wrong command line: the command exits with ExitUsage.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a *UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// defaultCommand runs when lx is given no command.
const defaultCommand = "overview"

// registry maps command names to constructors. A fresh value per run keeps
// flag state out of shared variables.
var registry = map[string]func() Command{}

// register adds a command; each command file calls it from init.
func register(newCommand func() Command) {
	name := newCommand().Name()
	if _, dup := registry[name]; dup {
		panic("cli: command " + name + " registered twice")
	}
	registry[name] = newCommand
}

// commandNames returns the registered names in sorted order (a
// subcommand, "cgroup run", right after its parent).
func commandNames() []string {
	names := make([]string, 0, len(registry))
	for name := range registry {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Program is the lx command, which main runs and exits with: the command
// line of os.Args, stdout and stderr, and a context that Ctrl-C (SIGINT)
// or SIGTERM cancels, for commands that block. (lx exec and lx cgroup run
// take these signals over while their command runs.) The CLI's tests run
// their own binary as lx through it.
func Program() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

// Main runs the lx command line args (without the program name), writing
// to stdout and stderr, and returns the exit code. When stdout is a
// terminal, tables that would be wider are cut to its width.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return dispatch(ctx, args, &Env{Stdout: stdout, Stderr: stderr, Width: outputWidth(stdout, os.Getenv)})
}

// mainUsage is the syntax line of lx itself.
const mainUsage = "usage: lx [--json] [--version] [--help] [command] [flags] [arguments]"

// dispatch parses the global flags (--json, --version, --help, before the
// command), picks the command (overview when there is none) and runs it
// with the rest of args.
func dispatch(ctx context.Context, args []string, env *Env) int {
	global := flag.NewFlagSet("lx", flag.ContinueOnError)
	global.SetOutput(io.Discard) // errors are reported below, help by writeMainUsage
	global.Usage = func() {}
	global.BoolVar(&env.JSON, "json", false, "print one JSON object instead of tables")
	version := global.Bool("version", false, "print lx's version (the same as 'lx version')")
	err := global.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		writeMainUsage(env.Stdout)
		return ExitOK
	case err != nil:
		// A flag before the command is lx's own: the command is not
		// known yet, so it is not to blame.
		fmt.Fprintf(env.Stderr, "lx: %v\n%s\nRun 'lx help' for the commands.\n", err, mainUsage)
		return ExitUsage
	}
	args = global.Args()
	name := defaultCommand
	switch {
	case *version:
		name = "version"
	case len(args) > 0:
		name, args = args[0], args[1:]
	}
	newCommand, ok := registry[name]
	if strings.Contains(name, " ") {
		ok = false // a subcommand is named by two arguments, not one with a space
	}
	if ok && len(args) > 0 {
		if sub, isSub := registry[name+" "+args[0]]; isSub {
			newCommand, args = sub, args[1:] // "cgroup run"
		}
	}
	if !ok {
		fmt.Fprintf(env.Stderr, "lx: unknown command %q\n\n", name)
		writeMainUsage(env.Stderr)
		return ExitUsage
	}
	return run(ctx, newCommand(), args, env)
}

// run parses the flags of cmd and runs it.
func run(ctx context.Context, cmd Command, args []string, env *Env) int {
	fs := newFlagSet(cmd, env)
	_, runner := cmd.(commandRunner)
	pos, err := parseFlags(fs, args, runner)
	switch {
	case errors.Is(err, flag.ErrHelp):
		writeCommandHelp(env.Stdout, cmd, fs)
		return ExitOK
	case err != nil:
		err = &UsageError{Msg: err.Error()}
	default:
		err = cmd.Run(ctx, env, pos)
	}
	usageCode, failCode := ExitUsage, ExitError
	if runner {
		usageCode, failCode = ExitCannotRun, ExitCannotRun
	}
	var usage *UsageError
	var exit *exitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &exit) && exit.err == nil:
		return exit.code
	case errors.As(err, &usage):
		fmt.Fprintf(env.Stderr, "lx %s: %v\nusage: lx %s %s\nRun 'lx help %s' for details.\n",
			cmd.Name(), err, cmd.Name(), cmd.Usage(), cmd.Name())
		return usageCode
	default:
		fmt.Fprintf(env.Stderr, "lx %s: %v\n", cmd.Name(), err)
		if exit != nil {
			return exit.code
		}
		return failCode
	}
}

// newFlagSet returns the flags of cmd: --json, bound to env.JSON (keeping
// a --json given before the command), and the command's own.
func newFlagSet(cmd Command, env *Env) *flag.FlagSet {
	fs := flag.NewFlagSet("lx "+cmd.Name(), flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by run, help by writeCommandHelp
	fs.Usage = func() {}
	fs.BoolVar(&env.JSON, "json", env.JSON, "print one JSON object instead of tables")
	if s, ok := cmd.(FlagSetter); ok {
		s.SetFlags(fs)
	}
	return fs
}

// parseFlags parses args with flags anywhere among the positional
// arguments (`lx help overview --json` as well as `lx help --json
// overview`); everything after "--" is positional. It hands the flag
// package one flag (and its value) at a time, because flag.FlagSet alone
// stops at the first positional argument. An argument of a dash and a
// digit ("-1") is positional: no lx flag is named by a digit, and a
// negative number where a number is expected deserves the command's own
// message, not "flag provided but not defined". With stopAtArg (a
// commandRunner) the first positional argument ends the flags: it and
// everything after it are positional.
func parseFlags(fs *flag.FlagSet, args []string, stopAtArg bool) ([]string, error) {
	var pos []string
	for len(args) > 0 {
		a := args[0]
		switch {
		case a == "--":
			return append(pos, args[1:]...), nil
		case len(a) < 2 || a[0] != '-' || isDigit(a[1]):
			if stopAtArg {
				return append(pos, args...), nil
			}
			pos = append(pos, a)
			args = args[1:]
			continue
		}
		n := 1
		if takesValue(fs, a) && len(args) > 1 {
			n = 2
		}
		if err := fs.Parse(args[:n]); err != nil {
			return nil, err
		}
		args = args[n:]
	}
	return pos, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// takesValue reports whether the flag argument a ("-n", "--name") names a
// flag of fs that takes its value from the next argument: one that is not
// boolean and has no "=value" of its own.
func takesValue(fs *flag.FlagSet, a string) bool {
	name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
	if strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false // fs.Parse reports it
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}

// writeMainUsage writes the top-level help: what lx is and its commands.
func writeMainUsage(w io.Writer) {
	fmt.Fprintf(w, "lx shows what the running Linux kernel offers and what it is doing.\n\n")
	fmt.Fprintf(w, "%s\n\ncommands:\n", mainUsage)
	t := newTable(w)
	for _, name := range commandNames() {
		cmd := registry[name]()
		suffix := ""
		if name == defaultCommand {
			suffix = " (the default)"
		}
		t.Row("  "+name, cmd.Synopsis()+suffix)
	}
	t.Flush()
	writeTopics(w)
	fmt.Fprintf(w, "\nEvery command accepts --json (one JSON object on stdout) and --help, before or\n")
	fmt.Fprintf(w, "after the command; 'lx --version' is 'lx version'. Run 'lx help <command>' or\n")
	fmt.Fprintf(w, "'lx help <topic>' for details. Exit codes: 0 ok, 1 error, 2 usage error;\n")
	fmt.Fprintf(w, "lx exec and lx cgroup run exit with their command's status, or 125 to 127.\n")
}

// writeCommandHelp writes the help of one command.
func writeCommandHelp(w io.Writer, cmd Command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: lx %s %s\n\n%s\n", cmd.Name(), cmd.Usage(), cmd.Synopsis())
	if h := strings.TrimSpace(cmd.Help()); h != "" {
		fmt.Fprintf(w, "\n%s\n", h)
	}
	fmt.Fprintf(w, "\nflags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
