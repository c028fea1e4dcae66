package term_test

import (
	"fmt"
	"os"

	"github.com/lxgo/lx/term"
)

// Cut output to the terminal's width, as ps does, and print it whole when
// it goes to a pipe or a file.
func ExampleSize() {
	width := 0 // no limit
	if term.IsTerminal(os.Stdout) {
		if cols, _, err := term.Size(os.Stdout); err == nil && cols > 0 {
			width = cols
		}
	}
	line := "a long line that a narrow terminal would otherwise wrap"
	if width > 0 && len(line) > width {
		line = line[:width]
	}
	fmt.Println(line)
}

func ExampleIsTerminal() {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		panic(err)
	}
	defer devnull.Close()
	fmt.Println(term.IsTerminal(devnull))
	// Output: false
}
