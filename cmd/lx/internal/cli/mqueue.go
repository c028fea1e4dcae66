package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"github.com/lxgo/lx/mqueue"
)

func init() {
	register(func() Command { return &mqueueCommand{} })
	register(func() Command { return &mqueueCreateCommand{} })
	register(func() Command { return &mqueueSendCommand{} })
	register(func() Command { return &mqueueReceiveCommand{} })
	register(func() Command { return &mqueueRmCommand{} })
}

// mqueueCommand is `lx mqueue [NAME]`.
type mqueueCommand struct{}

func (*mqueueCommand) Name() string { return "mqueue" }
func (*mqueueCommand) Synopsis() string {
	return "POSIX message queues: the system's limits, or one queue's attributes"
}
func (*mqueueCommand) Usage() string { return "[flags] [NAME]" }
func (*mqueueCommand) Help() string {
	return `Without a name, shows the POSIX message queue limits of lx's IPC
namespace (/proc/sys/fs/mqueue, mq_overview(7)): the most messages and
the largest message a queue may have without CAP_SYS_RESOURCE, the sizes
a queue gets when none are asked for, and the number of queues. With a
name, opens that queue and shows its attributes: how many messages it
holds, its message size, and how many messages wait in it now.

A name is one path component of up to 255 bytes, with or without POSIX's
leading '/' ("/jobs" and "jobs" are the same queue). A queue whose name
is one of the subcommands (create, send, receive, rm) is named with its
'/'. The subcommands create, send to, receive from and remove queues:
'lx help mqueue create' and so on.

With --json the output is the lx library's value under its Go field
names: mqueue.Limits without a name, {"name", "attr"} with one, "attr"
being mqueue.Attr (go doc github.com/lxgo/lx/mqueue).`
}

// mqueueReport is the output of `lx mqueue NAME --json`.
type mqueueReport struct {
	Name string      `json:"name"`
	Attr mqueue.Attr `json:"attr"`
}

func (*mqueueCommand) Run(ctx context.Context, env *Env, args []string) error {
	switch len(args) {
	case 0:
		l, err := mqueue.ReadLimits()
		if err != nil {
			return err
		}
		if env.JSON {
			return writeJSON(env.Stdout, l)
		}
		t := newTable(env.Stdout)
		t.Row("max messages", formatCount(l.MaxMessages))
		t.Row("max message size", formatCount(l.MaxMessageSize))
		t.Row("default messages", formatCount(l.DefaultMessages))
		t.Row("default message size", formatCount(l.DefaultMessageSize))
		t.Row("max queues", formatCount(l.MaxQueues))
		return t.Flush()
	case 1:
		q, err := mqueueOpen(args[0], mqueue.ReadOnly)
		if err != nil {
			return err
		}
		defer q.Close()
		a, err := q.Attr()
		if err != nil {
			return err
		}
		r := mqueueReport{Name: q.Name(), Attr: a}
		if env.JSON {
			return writeJSON(env.Stdout, r)
		}
		t := newTable(env.Stdout)
		t.Row("name", escape("/"+r.Name))
		t.Row("max messages", formatCount(a.MaxMessages))
		t.Row("message size", formatCount(a.MessageSize))
		t.Row("messages", formatCount(a.Messages))
		return t.Flush()
	}
	return Usagef("want at most one queue name, got %d arguments", len(args))
}

// mqueueOpen opens an existing queue, turning a bad name into a usage
// error.
func mqueueOpen(name string, access mqueue.Access) (*mqueue.Queue, error) {
	if _, err := mqueue.CheckName(name); err != nil {
		return nil, Usagef("%v", err)
	}
	return mqueue.Open(name, &mqueue.OpenOptions{Access: access})
}

// mqueueCreateCommand is `lx mqueue create NAME`.
type mqueueCreateCommand struct {
	maxMessages int
	messageSize int
	mode        string
	exclusive   bool
}

func (*mqueueCreateCommand) Name() string     { return "mqueue create" }
func (*mqueueCreateCommand) Synopsis() string { return "create a POSIX message queue" }
func (*mqueueCreateCommand) Usage() string    { return "[flags] NAME" }
func (*mqueueCreateCommand) Help() string {
	return `Creates the message queue NAME (mq_open(2) with O_CREAT), or leaves an
existing one as it is unless --exclusive is given. --max-messages and
--message-size default to the system's (lx mqueue shows them); beyond
/proc/sys/fs/mqueue's msg_max and msgsize_max the kernel refuses
without CAP_SYS_RESOURCE, and the error names the limits. --mode holds
the permission bits in octal (default 600), reduced by the umask.

With --json the output is {"name", "attr"} as for 'lx mqueue NAME'.`
}

func (c *mqueueCreateCommand) SetFlags(fs *flag.FlagSet) {
	fs.IntVar(&c.maxMessages, "max-messages", 0, "how many messages the queue holds (0: the system default)")
	fs.IntVar(&c.messageSize, "message-size", 0, "the largest message in bytes (0: the system default)")
	fs.StringVar(&c.mode, "mode", "600", "permission bits, octal")
	fs.BoolVar(&c.exclusive, "exclusive", false, "fail if the queue exists")
}

func (c *mqueueCreateCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) != 1 {
		return Usagef("want one queue name, got %d arguments", len(args))
	}
	if _, err := mqueue.CheckName(args[0]); err != nil {
		return Usagef("%v", err)
	}
	mode, err := strconv.ParseUint(c.mode, 8, 32)
	if err != nil || mode&^uint64(fs.ModePerm) != 0 {
		return Usagef("invalid --mode %q: want permission bits in octal, 0 to 777", c.mode)
	}
	if c.maxMessages < 0 || c.messageSize < 0 {
		return Usagef("--max-messages and --message-size cannot be negative")
	}
	q, err := mqueue.New(args[0], &mqueue.CreateOptions{
		MaxMessages: c.maxMessages, MessageSize: c.messageSize,
		Mode: fs.FileMode(mode), Exclusive: c.exclusive,
	})
	if err != nil {
		return err
	}
	defer q.Close()
	a, err := q.Attr()
	if err != nil {
		return err
	}
	if env.JSON {
		return writeJSON(env.Stdout, mqueueReport{Name: q.Name(), Attr: a})
	}
	_, err = fmt.Fprintf(env.Stdout, "%s: %d messages of up to %d bytes\n", escape("/"+q.Name()), a.MaxMessages, a.MessageSize)
	return err
}

// mqueueSendCommand is `lx mqueue send NAME MESSAGE`.
type mqueueSendCommand struct {
	priority uint
	timeout  time.Duration
}

func (*mqueueSendCommand) Name() string     { return "mqueue send" }
func (*mqueueSendCommand) Synopsis() string { return "send a message to a POSIX message queue" }
func (*mqueueSendCommand) Usage() string    { return "[flags] NAME MESSAGE" }
func (*mqueueSendCommand) Help() string {
	return `Sends MESSAGE (its bytes exactly, without a newline) to the existing
queue NAME with --priority (0 to 32767, default 0; receivers take the
highest priority first). While the queue is full it waits, up to
--timeout if given, or until interrupted.

--json prints nothing more: the command succeeds or fails.`
}

func (c *mqueueSendCommand) SetFlags(fs *flag.FlagSet) {
	fs.UintVar(&c.priority, "priority", 0, "the message's priority, 0 to 32767")
	fs.DurationVar(&c.timeout, "timeout", 0, "how long to wait while the queue is full (0: no limit)")
}

func (c *mqueueSendCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) != 2 {
		return Usagef("want a queue name and a message, got %d arguments", len(args))
	}
	if c.priority > uint(mqueue.MaxPriority) {
		return Usagef("--priority %d out of range 0..%d", c.priority, mqueue.MaxPriority)
	}
	q, err := mqueueOpen(args[0], mqueue.WriteOnly)
	if err != nil {
		return err
	}
	defer q.Close()
	ctx, cancel := mqueueTimeout(ctx, c.timeout)
	defer cancel()
	err = q.Send(ctx, []byte(args[1]), mqueue.Priority(c.priority))
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s stayed full for %v", quoteArg("/"+q.Name()), c.timeout)
	}
	return err
}

// mqueueTimeout bounds ctx by d unless d is 0.
func mqueueTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// mqueueReceiveCommand is `lx mqueue receive NAME`.
type mqueueReceiveCommand struct {
	timeout time.Duration
}

func (*mqueueReceiveCommand) Name() string { return "mqueue receive" }
func (*mqueueReceiveCommand) Synopsis() string {
	return "take the next message from a POSIX message queue"
}
func (*mqueueReceiveCommand) Usage() string { return "[flags] NAME" }
func (*mqueueReceiveCommand) Help() string {
	return `Takes the oldest message of the highest priority from the existing queue
NAME and prints it, its bytes exactly, followed by a newline. While the
queue is empty it waits, up to --timeout if given, or until
interrupted.

With --json the output is {"message", "priority"}: the message as a
JSON string, or {"base64": ...} when it is not UTF-8.`
}

func (c *mqueueReceiveCommand) SetFlags(fs *flag.FlagSet) {
	fs.DurationVar(&c.timeout, "timeout", 0, "how long to wait while the queue is empty (0: no limit)")
}

// mqueueMessage is the output of `lx mqueue receive --json`.
type mqueueMessage struct {
	Message  []byte          `json:"message"`
	Priority mqueue.Priority `json:"priority"`
}

func (c *mqueueReceiveCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) != 1 {
		return Usagef("want one queue name, got %d arguments", len(args))
	}
	q, err := mqueueOpen(args[0], mqueue.ReadOnly)
	if err != nil {
		return err
	}
	defer q.Close()
	a, err := q.Attr()
	if err != nil {
		return err
	}
	ctx, cancel := mqueueTimeout(ctx, c.timeout)
	defer cancel()
	msg, prio, err := q.Receive(ctx, make([]byte, a.MessageSize))
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no message in %s within %v", quoteArg("/"+q.Name()), c.timeout)
	}
	if err != nil {
		return err
	}
	if env.JSON {
		return writeJSON(env.Stdout, mqueueMessage{Message: msg, Priority: prio})
	}
	_, err = env.Stdout.Write(append(msg, '\n'))
	return err
}

// mqueueRmCommand is `lx mqueue rm NAME...`.
type mqueueRmCommand struct{}

func (*mqueueRmCommand) Name() string     { return "mqueue rm" }
func (*mqueueRmCommand) Synopsis() string { return "remove POSIX message queues" }
func (*mqueueRmCommand) Usage() string    { return "[flags] NAME..." }
func (*mqueueRmCommand) Help() string {
	return `Removes each queue NAME (mq_unlink(2)). Processes that have it open
keep using it until they close it. A missing queue is an error; the
others are still removed.

--json prints nothing more: the command succeeds or fails.`
}

func (*mqueueRmCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return Usagef("want at least one queue name")
	}
	for _, n := range args {
		if _, err := mqueue.CheckName(n); err != nil {
			return Usagef("%v", err)
		}
	}
	var first error
	for _, n := range args {
		if err := mqueue.Unlink(n); err != nil {
			fmt.Fprintf(env.Stderr, "lx mqueue rm: %v\n", err)
			if first == nil {
				first = err
			}
		}
	}
	if first != nil {
		return &exitError{code: ExitError}
	}
	return nil
}
