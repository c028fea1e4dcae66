package cli

import (
	"context"
	"flag"
	"strings"
)

func init() { register(func() Command { return helpCommand{} }) }

// helpCommand is `lx help [command]`.
type helpCommand struct{}

func (helpCommand) Name() string     { return "help" }
func (helpCommand) Synopsis() string { return "show help for lx or one of its commands" }
func (helpCommand) Usage() string    { return "[flags] [command]" }
func (helpCommand) Help() string {
	return `With no command, help lists the commands; with one, it describes that command
and its flags ('lx COMMAND --help' does the same).

With --json it prints {"commands": [...]}: for each command its name,
synopsis, usage, whether it is the default, and its flags.`
}

// commandReport is one command in `lx help --json`.
type commandReport struct {
	Name     string       `json:"name"`
	Synopsis string       `json:"synopsis"`
	Usage    string       `json:"usage"`
	Default  bool         `json:"default"`
	Flags    []flagReport `json:"flags"`
}

// flagReport is one flag of a command in `lx help --json`.
type flagReport struct {
	Name    string `json:"name"`
	Usage   string `json:"usage"`
	Default string `json:"default"`
}

func (helpCommand) Run(ctx context.Context, env *Env, args []string) error {
	var names []string
	switch len(args) {
	case 0:
		names = commandNames()
	case 1:
		if _, ok := registry[args[0]]; !ok {
			return Usagef("unknown command %q (commands: %s)", args[0], strings.Join(commandNames(), ", "))
		}
		names = args
	default:
		return Usagef("want at most one command, got %d arguments", len(args))
	}
	if !env.JSON {
		if len(args) == 0 {
			writeMainUsage(env.Stdout)
			return nil
		}
		cmd := registry[args[0]]()
		writeCommandHelp(env.Stdout, cmd, newFlagSet(cmd, &Env{}))
		return nil
	}
	report := struct {
		Commands []commandReport `json:"commands"`
	}{Commands: []commandReport{}}
	for _, name := range names {
		cmd := registry[name]()
		c := commandReport{Name: name, Synopsis: cmd.Synopsis(), Usage: cmd.Usage(), Default: name == defaultCommand, Flags: []flagReport{}}
		newFlagSet(cmd, &Env{}).VisitAll(func(f *flag.Flag) {
			c.Flags = append(c.Flags, flagReport{Name: f.Name, Usage: f.Usage, Default: f.DefValue})
		})
		report.Commands = append(report.Commands, c)
	}
	return writeJSON(env.Stdout, report)
}
