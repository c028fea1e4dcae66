package fanotify_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/lxgo/lx/fanotify"
)

// Watch a directory for created entries, with the directory's file handle
// and the entry's name (no privilege needed since Linux 5.13).
func Example() {
	dir, err := os.MkdirTemp("", "fanotify-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	g, err := fanotify.New(&fanotify.Options{Flags: fanotify.ReportDFIDName})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Close()
	if err := g.AddMark(dir, fanotify.Create|fanotify.OnDir, nil); err != nil {
		fmt.Println(err)
		return
	}
	os.WriteFile(filepath.Join(dir, "report.txt"), nil, 0o600)
	os.Mkdir(filepath.Join(dir, "archive"), 0o700)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 2 {
		ev, err := g.Read(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(ev.Mask, ev.Name, ev.Dir.Valid())
		ev.Close()
	}
	// Output:
	// FAN_CREATE report.txt true
	// FAN_CREATE|FAN_ONDIR archive true
}

// A permission group: deny every open of a file by other processes.
// (Needs CAP_SYS_ADMIN; the answer must come quickly, the opener waits.)
func ExampleGroup_Respond() {
	g, err := fanotify.New(&fanotify.Options{Class: fanotify.Content})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Close()
	if err := g.AddMark("/etc/hostname", fanotify.OpenPerm, nil); err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for ev, err := range g.Events(ctx) {
		if err != nil {
			return // the second is up
		}
		g.Respond(ev, fanotify.Deny, nil)
		ev.Close()
	}
}
