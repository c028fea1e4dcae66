package cpuset

import "strconv"

// ParseError reports text that is not a valid CPU list or mask. It unwraps
// to strconv.ErrSyntax for malformed text and strconv.ErrRange for numbers
// that are too large (a CPU above MaxCPU or the given size, a list number
// above 2^32-1, a mask word over 32 bits).
type ParseError struct {
	Func   string // "Parse", "ParseMask", ... : the function called
	Input  string // the text parsed ("" for FromWords)
	Offset int    // byte offset of the problem in Input
	Msg    string // what is wrong
	Err    error  // strconv.ErrSyntax or strconv.ErrRange
}

func (e *ParseError) Error() string {
	if e.Func == "FromWords" {
		return "cpuset: invalid CPU words: " + e.Msg
	}
	what := "CPU list"
	if e.Func == "ParseMask" || e.Func == "ParseMaskBytes" {
		what = "CPU mask"
	}
	in := e.Input
	if len(in) > 80 {
		in = in[:77] + "..."
	}
	return "cpuset: invalid " + what + " " + strconv.Quote(in) + ": " + e.Msg + " at offset " + strconv.Itoa(e.Offset)
}

func (e *ParseError) Unwrap() error { return e.Err }

// parseErr builds a *ParseError; it is called only on failure, so the copy
// of a []byte input is paid only then.
//
//go:noinline
func parseErr[T text](fn string, in T, off int, msg string, err error) error {
	return &ParseError{Func: fn, Input: string(in), Offset: off, Msg: msg, Err: err}
}

// text is the input type of the generic parsers.
type text interface{ ~string | ~[]byte }

// isSep reports whether c separates regions: a comma or C-locale white space
// (the kernel's isspace), newline included.
func isSep(c byte) bool {
	return c == ',' || c == ' ' || c-'\t' <= '\r'-'\t'
}
