package capability

import (
	"fmt"
	"math/bits"
	"strconv"
)

// State is the three capability sets that capget(2) reports for a thread
// and that file capabilities carry (with Effective all or nothing): what
// libcap calls a cap_t. Its text form is libcap's (cap_from_text(3)).
type State struct {
	Effective   Set // capabilities in force
	Permitted   Set // capabilities that may be made effective
	Inheritable Set // capabilities kept across execve(2) for files that allow them
}

// The flag bits of one capability in a State, numbered as libcap numbers
// them (1 << CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE), which fixes
// the order in which String writes its clauses.
const (
	flagE = 1
	flagP = 2
	flagI = 4
)

// flags returns the flag bits of capability c in st.
func (st State) flags(c uint) int {
	return int(uint64(st.Effective)>>c&1)*flagE |
		int(uint64(st.Permitted)>>c&1)*flagP |
		int(uint64(st.Inheritable)>>c&1)*flagI
}

// appendFlags appends the letters of flag bits f in libcap's order: e, i,
// p.
func appendFlags(b []byte, f int) []byte {
	if f&flagE != 0 {
		b = append(b, 'e')
	}
	if f&flagI != 0 {
		b = append(b, 'i')
	}
	if f&flagP != 0 {
		b = append(b, 'p')
	}
	return b
}

// String returns st in the text form of libcap's cap_to_text(3), clause
// for clause what libcap 2.41 and later prints (getpcaps, capsh --print,
// getcap) on a kernel with 41 capabilities (Linux 5.9 and later):
//
//	=                       no capabilities
//	=ep                     every capability effective and permitted
//	=ep cap_sys_resource-ep all but one
//	cap_net_raw=ep          one
//	cap_chown=i cap_kill+ep two clauses
//
// The most common combination of flags among the 41 named capabilities
// becomes the leading "=" clause (the empty combination when tied), and
// each other combination a clause listing its capabilities with the
// flags to add ("+") and remove ("-"); when the leading clause is a bare
// "=", the first clause takes its place ("cap_net_raw=ep" for "=
// cap_net_raw+ep"). Capabilities 41..63 are listed last by number, with
// "+": libcap treats capabilities beyond the running kernel's last the
// same way. The text is ParseState's input: ParseState(st.String()) == st
// for every State.
func (st State) String() string {
	b, _ := st.AppendText(nil)
	return string(b)
}

// AppendText appends String's text to b.
func (st State) AppendText(b []byte) ([]byte, error) {
	var histo [8]int
	for c := range uint(numNamed) {
		histo[st.flags(c)]++
	}
	// The most popular combination, ties going to the smaller one.
	m := 7
	for t := 6; t >= 0; t-- {
		if histo[t] >= histo[m] {
			m = t
		}
	}
	start := len(b)
	b = appendFlags(append(b, '='), m)
	bare := m == 0 // the text so far is "=", which the first clause may replace
	for t := 7; t >= 0; t-- {
		if t == m || histo[t] == 0 {
			continue
		}
		b = append(b, ' ')
		for c := range uint(numNamed) {
			if st.flags(c) == t {
				b = append(append(b, names[c]...), ',')
			}
		}
		b = b[:len(b)-1]
		if add := t &^ m; add != 0 {
			op := byte('+')
			if bare {
				// "= cap_x+ep" is written as the equivalent, shorter
				// "cap_x=ep".
				b = append(b[:start], b[start+2:]...)
				op, bare = '=', false
			}
			b = appendFlags(append(b, op), add)
		}
		if drop := m &^ t; drop != 0 {
			b = appendFlags(append(b, '-'), drop)
		}
	}
	// Capabilities lx has no name for are never in the "=" clause's list
	// (ParseState's "all" covers only named ones), so each combination
	// present is added.
	var unnamed [8]Set
	for c := uint(numNamed); c < 64; c++ {
		unnamed[st.flags(c)] |= 1 << c
	}
	for t := 7; t >= 1; t-- {
		if unnamed[t] == 0 {
			continue
		}
		b = append(b, ' ')
		for w := uint64(unnamed[t]); w != 0; w &= w - 1 {
			b = strconv.AppendUint(b, uint64(bits.TrailingZeros64(w)), 10)
			b = append(b, ',')
		}
		b = appendFlags(append(b[:len(b)-1], '+'), t)
	}
	return b, nil
}

// MarshalText returns String's text.
func (st State) MarshalText() ([]byte, error) { return st.AppendText(nil) }

// UnmarshalText sets *st from text ParseState accepts.
func (st *State) UnmarshalText(text []byte) error {
	v, err := ParseState(string(text))
	if err != nil {
		return err
	}
	*st = v
	return nil
}

// ParseState parses libcap's text form of a capability state, accepting
// exactly what cap_from_text(3) of libcap 2.41 and later accepts on a
// kernel with 41 capabilities. The text is a list of clauses separated
// by white space, applied in order to an empty state; each clause is an
// optional comma-separated list of capabilities (names or numbers as
// Parse accepts them, or "all" in any case) followed by one or more
// operator-flags pairs:
//
//	cap_net_raw,cap_net_admin+ep   add e and p for the listed capabilities
//	cap_sys_admin-e                remove e
//	cap_chown=ip                   set exactly i and p (clear the others)
//	=ep                            a clause without a list means "all"
//	all=ep cap_sys_resource-ep     every capability but one
//	cap_kill=                      "=" with no flags clears them
//	cap_kill=e+p-i                 several operators in one clause
//
// A list is required before "+" and "-". The flags are 'e', 'i' and 'p'
// in lower case, in any order. "all" and a missing list mean the 41
// capabilities lx names, which is what libcap means (every capability
// of the running kernel) on Linux 5.9 and later. The empty string is the
// empty state. The error wraps strconv.ErrSyntax, or strconv.ErrRange
// for a capability number above 63.
func ParseState(text string) (State, error) {
	st, off, err := parseState(text)
	if err != nil {
		return State{}, fmt.Errorf("capability: invalid state %q at offset %d: %w", text, off, err)
	}
	return st, nil
}

// parseState is ParseState; on failure it returns the offset of the
// problem. It follows cap_from_text's grammar step by step, so that it
// accepts and rejects the same texts.
func parseState(s string) (State, int, error) {
	var st State
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			return st, 0, nil
		}
		var list Set
		listed := false
		switch c := s[i]; {
		case isAlnum(c) || c == '_':
			for {
				if matchAll(s, i) {
					list |= named
					i += len("all")
				} else {
					c, next, err := scanCap(s, i)
					if err != nil {
						return State{}, i, err
					}
					list |= 1 << c
					i = next
				}
				if i == len(s) || s[i] != ',' {
					break
				}
				i++
				if i == len(s) || !(isAlnum(s[i]) || s[i] == '_') {
					return State{}, i, strconv.ErrSyntax
				}
			}
			listed = true
		case c == '+' || c == '-':
			return State{}, i, strconv.ErrSyntax // "+" and "-" need a list
		default:
			list = named
		}

		if i == len(s) {
			return State{}, i, strconv.ErrSyntax
		}
		op := s[i]
		i++
		switch {
		case op == '=' && i < len(s) && (s[i] == '+' || s[i] == '-'):
			// "=+" and "=-": clear, then add or remove.
			if !listed {
				return State{}, i, strconv.ErrSyntax
			}
			op = "PM"[boolIndex(s[i] == '-')]
			i++
		case op != '+' && op != '-' && op != '=':
			return State{}, i - 1, strconv.ErrSyntax
		}

		flags := 0
		for {
			if i < len(s) && !isSpace(s[i]) {
				switch s[i] {
				case 'e':
					flags |= flagE
				case 'i':
					flags |= flagI
				case 'p':
					flags |= flagP
				default:
					return State{}, i, strconv.ErrSyntax
				}
				i++
			} else if op != '=' {
				return State{}, i, strconv.ErrSyntax // only "=" may have no flags
			}
			st.apply(op, list, flags)
			if i < len(s) && (s[i] == '+' || s[i] == '-') {
				if !listed {
					return State{}, i, strconv.ErrSyntax
				}
				flags = 0
				op = s[i]
				i++
				if i == len(s) || !isLetter(s[i]) {
					return State{}, i, strconv.ErrSyntax
				}
			}
			if i == len(s) || isSpace(s[i]) {
				break
			}
		}
	}
}

// apply performs one operator of a clause on the capabilities in list:
// '+' raises the flags, '-' lowers them, '=' and 'P' ("=+") clear all
// three sets and raise the flags, 'M' ("=-") clears all three.
func (st *State) apply(op byte, list Set, flags int) {
	switch op {
	case '=', 'P', 'M':
		st.Effective &^= list
		st.Permitted &^= list
		st.Inheritable &^= list
		if op == 'M' {
			return
		}
		fallthrough
	case '+':
		if flags&flagE != 0 {
			st.Effective |= list
		}
		if flags&flagP != 0 {
			st.Permitted |= list
		}
		if flags&flagI != 0 {
			st.Inheritable |= list
		}
	case '-':
		if flags&flagE != 0 {
			st.Effective &^= list
		}
		if flags&flagP != 0 {
			st.Permitted &^= list
		}
		if flags&flagI != 0 {
			st.Inheritable &^= list
		}
	}
}

// matchAll reports whether s[i:] starts with the word "all" in any ASCII
// case, not followed by a letter, digit or underscore.
func matchAll(s string, i int) bool {
	return len(s)-i >= 3 && equalFoldASCII(s[i:i+3], "all") &&
		(len(s)-i == 3 || !(isAlnum(s[i+3]) || s[i+3] == '_'))
}

// isSpace is C's isspace(3) in the C locale.
func isSpace(c byte) bool { return c == ' ' || c-'\t' <= '\r'-'\t' }

// isAlnum is C's isalnum(3) in the C locale.
func isAlnum(c byte) bool { return isDigit(c) || isLetter(c) }

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}
