package inotify_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/lxgo/lx/inotify"
)

// Watch a directory and print what happens in it.
func Example() {
	dir, err := os.MkdirTemp("", "inotify-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	w, err := inotify.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	if _, err := w.Add(dir, inotify.Create|inotify.CloseWrite|inotify.Move); err != nil {
		fmt.Println(err)
		return
	}

	os.WriteFile(filepath.Join(dir, "draft"), []byte("text"), 0o600)
	os.Rename(filepath.Join(dir, "draft"), filepath.Join(dir, "final"))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var moves inotify.MovePairer
	n := 0
	for ev, err := range w.Events(ctx) {
		if err != nil {
			fmt.Println(err)
			return
		}
		if from, ok := moves.Pair(ev); ok {
			fmt.Printf("%s: %s -> %s\n", ev.Mask, from.Name, ev.Name)
		} else {
			fmt.Printf("%s: %s\n", ev.Mask, ev.Name)
		}
		if n++; n == 4 {
			break
		}
	}
	// Output:
	// IN_CREATE: draft
	// IN_CLOSE_WRITE: draft
	// IN_MOVED_FROM: draft
	// IN_MOVED_TO: draft -> final
}

// The per-user limits of inotify.
func ExampleUserLimits() {
	l, err := inotify.UserLimits()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.MaxUserWatches > 0, l.MaxQueuedEvents > 0)
	// Output: true true
}
