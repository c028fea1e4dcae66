package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/lxgo/lx/inotify"
)

func init() {
	register(func() Command { return &watchCommand{events: watchDefaultEvents} })
}

// watchDefaultEvents are the changes lx watch reports by default: what
// changes the contents of a directory or a file, not reads.
const watchDefaultEvents = inotify.Create | inotify.Delete | inotify.Modify | inotify.CloseWrite |
	inotify.Attrib | inotify.Move | inotify.DeleteSelf | inotify.MoveSelf

// watchCommand is `lx watch PATH...`.
type watchCommand struct {
	events inotify.Mask // --events
	count  int          // --count; 0 for no limit
}

// watchMaskFlag is --events: an inotify mask in its text form.
type watchMaskFlag struct{ m *inotify.Mask }

func (f watchMaskFlag) String() string {
	if f.m == nil {
		return ""
	}
	return f.m.String()
}

func (f watchMaskFlag) Set(s string) error {
	m, err := inotify.ParseMask(s)
	if err != nil {
		return err
	}
	*f.m = m
	return nil
}

func (c *watchCommand) SetFlags(fs *flag.FlagSet) {
	fs.Var(watchMaskFlag{&c.events}, "events", "the inotify `mask` to watch for, IN_* names joined by '|' (default: changes, not reads)")
	fs.IntVar(&c.count, "count", 0, "exit after `n` events (0: run until interrupted)")
}

func (*watchCommand) Name() string { return "watch" }
func (*watchCommand) Synopsis() string {
	return "print the inotify events of files and directories as they happen"
}
func (*watchCommand) Usage() string { return "[flags] <path>..." }
func (*watchCommand) Help() string {
	return `Watches each path with inotify(7) and prints one line per event until
interrupted (or --count events): the watched path, the event mask in the
kernel's names ("IN_CREATE|IN_ISDIR") and, for an event about an entry of
a watched directory, the entry's name, separated by tabs. Paths and names
are printed with lx's escapes (` + "`lx help text`" + `), so a newline or
a tab in a name cannot be mistaken for the separators. A rename within
the watched directories prints its IN_MOVED_FROM and IN_MOVED_TO lines,
then "renamed OLD -> NEW" joined by their cookie.

inotify is not recursive: a watched directory reports its own entries,
not those of its subdirectories. By default lx reports changes
(IN_CREATE, IN_DELETE, IN_MODIFY, IN_CLOSE_WRITE, IN_ATTRIB, IN_MOVE,
IN_DELETE_SELF, IN_MOVE_SELF); --events IN_ALL_EVENTS adds opens, reads
and closes. When the kernel's queue overflows (more than
max_queued_events waiting), lx says so on stderr and goes on.

With --json the output is a stream of JSON values, one per event: the
lx library's inotify.Event (go doc github.com/lxgo/lx/inotify.Event)
under its Go field names, "Mask" as its text form.`
}

func (c *watchCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return Usagef("want at least one path to watch")
	}
	if c.count < 0 {
		return Usagef("--count %d: want 0 or more", c.count)
	}
	w, err := inotify.New()
	if err != nil {
		return err
	}
	defer w.Close()
	for _, p := range args {
		if _, err := w.Add(p, c.events); err != nil {
			return err
		}
	}
	var moves inotify.MovePairer
	for n := 0; c.count == 0 || n < c.count; n++ {
		ev, err := w.Read(ctx)
		switch {
		case errors.Is(err, inotify.ErrOverflow):
			fmt.Fprintln(env.Stderr, "lx watch: events were lost: the kernel's queue overflowed (max_queued_events)")
		case errors.Is(err, context.Canceled):
			return nil // interrupted: the normal end
		case err != nil:
			return err
		}
		if env.JSON {
			if err := writeJSON(env.Stdout, ev); err != nil {
				return err
			}
			continue
		}
		line := escape(ev.Path) + "\t" + ev.Mask.String()
		if ev.Name != "" {
			line += "\t" + escape(ev.Name)
		}
		if from, ok := moves.Pair(ev); ok {
			line += "\n" + escape(ev.Path) + "\trenamed " + escape(from.FullPath()) + " -> " + escape(ev.FullPath())
		}
		if _, err := fmt.Fprintln(env.Stdout, line); err != nil {
			return err
		}
	}
	return nil
}
