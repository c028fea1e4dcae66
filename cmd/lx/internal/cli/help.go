package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

func init() { register(func() Command { return helpCommand{} }) }

// helpCommand is `lx help [command | topic]`.
type helpCommand struct{}

func (helpCommand) Name() string     { return "help" }
func (helpCommand) Synopsis() string { return "show help for lx, one of its commands, or a topic" }
func (helpCommand) Usage() string    { return "[flags] [command | topic]" }
func (helpCommand) Help() string {
	return `With no argument, help lists the commands and topics; with a command, it
describes that command and its flags ('lx COMMAND --help' does the same);
with a topic, it explains that topic. A subcommand is named by both words:
'lx help cgroup run'.

With --json it prints {"commands": [...], "topics": [...]}: for each
command its name, synopsis, usage, whether it is the default, and its
flags; for each topic its name, synopsis and text.`
}

// helpTopic is a subject of `lx help` that is not a command.
type helpTopic struct {
	name, synopsis, text string
}

// helpTopics are the topics, in the order `lx help` lists them.
var helpTopics = []helpTopic{
	{"json", "the --json output: stable field names, units, exact strings", jsonTopic},
	{"text", "the tables: how strings, sizes, times and widths are shown", textTopic},
}

const jsonTopic = `With --json, every command prints one JSON object on stdout (errors still
go to stderr, and the exit code is the same as without --json).

Stability: the field names of every command's JSON and their meaning,
type and unit are a stable interface. Later versions of lx may add fields,
but do not rename, remove or retype one; a consumer should ignore fields it
does not know.

Library values: where a command's output is a value of the lx library
(lx proc's sections are procfs.Stat, procfs.Status, procfs.IO, ...), its
keys are the library's Go field names ("VmRSS", "CapEff"), which follow
Go's compatibility rules, and 'lx help COMMAND' lists them. lx ns's
namespaces are procfs.NamespaceUse values ("Type", "Inode", "Procs",
"PID", ...) in an envelope of lx's own keys ("namespaces", "denied"); lx
caps's sets are a capability.Sets ("Effective", "Permitted",
"Inheritable", "Bounding", "Ambient") in an envelope of "pid", "sets" and
"securebits".

Units: sizes are integers in bytes (keys of lx's own end in "_bytes"),
durations integers in nanoseconds ("_ns"), counts and ids plain integers,
shares numbers in percent ("_percent", 12.3). Points in time are RFC 3339
strings with the zone, with fractions of a second only when the value has
them ("2024-05-01T12:00:03+02:00", "2024-05-01T12:00:03.47+02:00"). CPU
lists use the kernel's list format ("0-3,8"), device numbers the string
"major:minor" in decimal ("136:3"). A resource limit is a number
in its resource's unit (bytes, a count, seconds for RLIMIT_CPU,
microseconds for RLIMIT_RTTIME), or the string "unlimited". Kernel
enumerations are their kernel names ("SCHED_OTHER", "RLIMIT_NOFILE",
"net", "hybrid"); capabilities are libcap's names, as getpcaps(1) and
capsh(1) print them ("cap_kill"), and a set of capabilities or signals is
one string, the names separated by commas ("cap_chown,cap_kill"). A
process state is the kernel's letter ("S"), and a flag word the kernel
prints as a number is its flags' kernel names joined by "|", any bits
without a name as one hexadecimal number at the end
("PF_KTHREAD|PF_NOFREEZE", "PF_KTHREAD|0x800000"), "0" for none.

Strings: a string lx reads from the kernel (a command name, an argument,
the environment, a path, a descriptor's target, a cgroup path, an error
message quoting one of these) can hold any byte but NUL. lx writes every
such string so that its exact bytes can be recovered:

  - a string that is valid UTF-8 is a JSON string, with '"', '\' and the
    control characters escaped as JSON requires ("a\nb", "\u001b[31m");
  - any other string is an object with one member,
    {"base64": "..."}: the standard base64 encoding (RFC 4648, with
    padding) of its exact bytes.

So a consumer reads a string field as: if it is a JSON string, its UTF-8
bytes; if it is an object, the base64-decoded "base64" member. Object keys
are always valid UTF-8: lx does not put kernel strings in keys.

Missing values: an item or section that could not be read is null (a
member of a map is left out), and the command's "unavailable" object maps
its dotted key ("environ", "namespaces.net") to the reason.`

const textTopic = `Without --json, lx prints aligned tables for people.

Strings from the kernel (command names, paths, descriptor targets, the
environment) may hold control characters that would garble the terminal
and bytes that are not UTF-8. Tables show them unambiguously:

  - printable characters, including the ASCII space, as they are;
  - a backslash doubled: \\;
  - tab, newline and the other C escapes as \t, \n, \r, \a, \b, \f, \v;
  - another ASCII control character, or a byte that is not UTF-8, as \xNN
    (two hex digits);
  - a character that is not printable (U+0085, U+200E, U+2028, ...) as
    \uNNNN or \UNNNNNNNN;
  - a space at the start or the end of the string as \x20, because next
    to a column gap or at the end of a line it could not be seen.

A backslash in such a string therefore always starts an escape, and the
exact bytes can be read back (the escapes are Go's and C's). Command lines
are shown as a shell would need them typed: a plain argument as it is, one
with spaces or quotes in '...', one with anything that needs an escape in
bash's $'...' form with the escapes above.

Sizes use binary units with a space: "512 B", "11.6 MiB". Points in time
are shown to the second with the zone as an offset: "2024-05-01 12:00:03
+0200". Durations read "1d 2h 3m 4s", with as many decimals of a second as
the value has ("1.23s"); lx ps shows CPU time as ps does, [DD-]HH:MM:SS.

Width: when standard output is a terminal, lx ps cuts its lines to the
terminal's width (80 columns if the terminal does not know it); piped or
redirected, lines are whole. The COLUMNS environment variable, when it is
a positive decimal number, sets the width in both cases, as it does for
procps's ps. 'lx ps -w' never cuts. Widths count characters.`

// topic returns the topic called name.
func topic(name string) (helpTopic, bool) {
	i := slices.IndexFunc(helpTopics, func(t helpTopic) bool { return t.name == name })
	if i < 0 {
		return helpTopic{}, false
	}
	return helpTopics[i], true
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

// topicReport is one topic in `lx help --json`.
type topicReport struct {
	Name     string `json:"name"`
	Synopsis string `json:"synopsis"`
	Text     string `json:"text"`
}

func (helpCommand) Run(ctx context.Context, env *Env, args []string) error {
	names := commandNames()
	topics := helpTopics
	if len(args) == 2 {
		if _, sub := registry[args[0]+" "+args[1]]; sub {
			args = []string{args[0] + " " + args[1]} // "cgroup run"
		}
	}
	switch len(args) {
	case 0:
	case 1:
		_, isCommand := registry[args[0]]
		t, isTopic := topic(args[0])
		switch {
		case isCommand:
			names, topics = args, nil
		case isTopic:
			names, topics = nil, []helpTopic{t}
		default:
			return Usagef("unknown command or topic %q (commands: %s; topics: %s)", args[0],
				strings.Join(commandNames(), ", "), strings.Join(topicNames(), ", "))
		}
	default:
		return Usagef("want at most one command or topic, got %d arguments", len(args))
	}
	if !env.JSON {
		switch {
		case len(args) == 0:
			writeMainUsage(env.Stdout)
		case len(names) == 1:
			cmd := registry[names[0]]()
			writeCommandHelp(env.Stdout, cmd, newFlagSet(cmd, &Env{}))
		default:
			fmt.Fprintf(env.Stdout, "%s\n\n%s\n", topics[0].synopsis, topics[0].text)
		}
		return nil
	}
	report := struct {
		Commands []commandReport `json:"commands"`
		Topics   []topicReport   `json:"topics"`
	}{Commands: []commandReport{}, Topics: []topicReport{}}
	for _, name := range names {
		cmd := registry[name]()
		c := commandReport{Name: name, Synopsis: cmd.Synopsis(), Usage: cmd.Usage(), Default: name == defaultCommand, Flags: []flagReport{}}
		newFlagSet(cmd, &Env{}).VisitAll(func(f *flag.Flag) {
			c.Flags = append(c.Flags, flagReport{Name: f.Name, Usage: f.Usage, Default: f.DefValue})
		})
		report.Commands = append(report.Commands, c)
	}
	for _, t := range topics {
		report.Topics = append(report.Topics, topicReport{Name: t.name, Synopsis: t.synopsis, Text: t.text})
	}
	return writeJSON(env.Stdout, report)
}

// topicNames returns the topics' names.
func topicNames() []string {
	names := make([]string, len(helpTopics))
	for i, t := range helpTopics {
		names[i] = t.name
	}
	return names
}

// writeTopics writes the topic list of the top-level help.
func writeTopics(w io.Writer) {
	fmt.Fprintf(w, "\ntopics:\n")
	t := newTable(w)
	for _, topic := range helpTopics {
		t.Row("  "+topic.name, topic.synopsis)
	}
	t.Flush()
}
