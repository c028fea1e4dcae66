package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lxgo/lx/cgroup"
	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
	"github.com/lxgo/lx/rlimit"
)

// exact is a kernel string as lx's JSON carries it: a JSON string, or
// {"base64": "..."} for bytes that are not UTF-8. Tests decode into it to
// get the exact bytes back.
type exact string

func (x *exact) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		err := json.Unmarshal(b, &s)
		*x = exact(s)
		return err
	}
	var o struct {
		Base64 *string `json:"base64"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return fmt.Errorf("exact string: %w", err)
	}
	if o.Base64 == nil {
		return errors.New(`exact string: object without "base64"`)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(*o.Base64)
	if err != nil {
		return fmt.Errorf("exact string: %w", err)
	}
	if utf8.Valid(raw) {
		return fmt.Errorf("exact string: base64 form of valid UTF-8 %q", raw)
	}
	*x = exact(raw)
	return nil
}

// exacts converts decoded strings back to plain ones.
func exacts(xs []exact) []string {
	if xs == nil {
		return nil
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// stdJSON is what encoding/json writes for v with lx's settings.
func stdJSON(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := marshalJSON(v)
	if err != nil {
		t.Fatalf("marshalJSON(%#v): %v", v, err)
	}
	return string(b)
}

// Types that exercise encoding/json's rules.

type textValue struct{ s string }

func (v textValue) MarshalText() ([]byte, error) { return []byte("text:" + v.s), nil }

type ptrText struct{ n int }

func (p *ptrText) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "ptr%d", p.n), nil }

type jsonValue struct{ n int }

func (v jsonValue) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `{"n": %d, "list": [1, 2, {"deep": true}], "empty": {}}`, v.n), nil
}

type ptrJSON struct{ n int }

func (p *ptrJSON) MarshalJSON() ([]byte, error) { return fmt.Appendf(nil, "[%d]", p.n), nil }

type Inner struct {
	A      int
	B      string `json:"b"`
	Shadow string
}

type Deep struct {
	D      int
	Shadow string // deeper than Outer's, so Outer's wins
}

type Middle struct {
	Deep
	M int `json:"m"`
}

type tagged struct {
	X int `json:"X"`
}

type untagged struct {
	X int
}

type Outer struct {
	Inner
	*Middle
	tagged          // X from the tag wins over untagged's X at the same depth
	untagged        //
	Shadow   string `json:"shadow"`
	Skip     int    `json:"-"`
	//lint:ignore SA5008 the tag "-," names the field "-", as encoding/json documents; the encoder must do the same
	Dash     int `json:"-,"`
	private  int
	Omit     []int          `json:"omit,omitempty"`
	OmitZero time.Time      `json:"omit_zero,omitzero"`
	OmitMap  map[string]int `json:",omitempty"`
	Keep     []int          `json:"keep"`
}

type ambiguousA struct{ Same int }
type ambiguousB struct{ Same int }
type ambiguous struct {
	ambiguousA
	ambiguousB
	Other int
}

type twice struct {
	Middle
	Other Middle
}

type intKeys map[int8]string

type stringKind string

func (s stringKind) MarshalText() ([]byte, error) { return []byte("ignored for keys: " + s), nil }

// hiddenText embeds unexported types under tags. Their MarshalText
// methods are not promoted (two at the same depth), and reflect cannot
// call them on the embedded values: they are encoded by kind.
//
//lint:ignore U1000 the embedded fields are read by reflection only
type hiddenText struct {
	textValue `json:"hidden"`
	badText   `json:"bad"` // would fail if called
	Shown     int
}

// manyPointers returns n pointers: many siblings are not deep nesting.
func manyPointers(n int) []*int {
	ps := make([]*int, n)
	for i := range ps {
		ps[i] = &i
	}
	return ps
}

// TestJSONMatchesEncodingJSON checks that for values whose strings are
// valid UTF-8 and that hold no error values or []byte, the encoder writes
// exactly what encoding/json writes.
func TestJSONMatchesEncodingJSON(t *testing.T) {
	str := "s"
	n := 42
	var nilPtr *int
	var nilMap map[string]int
	var nilSlice []string
	var iface any = Inner{A: 1}
	for i, v := range []any{
		nil, true, false, 0, -1, int8(-128), uint64(math.MaxUint64), uintptr(7),
		"", "plain", "quote\" back\\slash", "\x00\x01\x1f\x7f \b\f\n\r\t", "<html>&amp;", "é日本\u2028\u2029\U0001F600",
		0.0, 1.5, -2.25, 1e20, 1e21, 1e-6, 1e-7, 123456789.125, float32(1.1), float32(1e-7), math.SmallestNonzeroFloat64, math.MaxFloat64,
		&str, &n, nilPtr, &nilPtr, nilMap, map[string]int{}, nilSlice, []string{}, [0]int{}, [3]int{1, 2, 3},
		[]any{1, "a", nil, []int{}, map[string]any{}}, map[string]any{"z": 1, "a": []int{1}, "m": map[string]int{"x": 2}},
		intKeys{-3: "a", 10: "b", 2: "c"}, map[uint16]bool{7: true, 300: false},
		map[textValue]int{{"b"}: 1, {"a"}: 2}, map[stringKind]int{"net": 1, "mnt": 2},
		textValue{"x"}, &textValue{"y"}, []textValue{{"p"}, {"q"}}, []*ptrText{{1}, nil},
		jsonValue{3}, []jsonValue{{4}}, map[string]jsonValue{"k": {5}}, &ptrJSON{6},
		time.Date(2024, 5, 1, 12, 0, 3, 0, time.FixedZone("", 2*3600)),
		time.Date(2024, 5, 1, 12, 0, 3, 120_000_000, time.UTC), &time.Time{},
		90 * time.Second, []time.Duration{1, -1},
		Outer{Inner: Inner{A: 1, B: "b", Shadow: "inner"}, Middle: &Middle{Deep: Deep{D: 4, Shadow: "deep"}, M: 5},
			tagged: tagged{7}, untagged: untagged{8}, Shadow: "outer", Skip: 9, Dash: 10, private: 11},
		Outer{Omit: []int{1}, OmitZero: time.Unix(1, 0).UTC(), OmitMap: map[string]int{"a": 1}, Keep: []int{}},
		ambiguous{Other: 3}, twice{Middle: Middle{M: 1}, Other: Middle{M: 2}},
		struct {
			I any
			P *Inner
			E struct{}
		}{I: iface},
		manyPointers(2 * maxJSONDepth),
		cpuset.Of(0, 1, 2, 3, 8), cgroup.Hybrid, procfs.MakeComm("sh"), netip.MustParseAddr("::1"),
		rlimit.Value(5), rlimit.Unlimited, rlimit.Limits{rlimit.NoFile: {Soft: 1024, Hard: rlimit.Unlimited}},
		procfs.StateSleeping, procfs.Dev{Major: 136, Minor: 3}, procfs.PFKthread | procfs.PFNoFreeze,
		procfs.LoginUIDUnset, procfs.LoginUID(1000),
	} {
		want := stdJSON(t, v)
		if got := mustJSON(t, v); got != want {
			t.Errorf("value %d (%T):\ngot:\n%s\nwant (encoding/json):\n%s", i, v, got, want)
		}
	}
}

// TestJSONLibraryRoundTrip checks that library values the CLI prints
// read back through encoding/json into the library's types: limits as
// numbers or "unlimited" keyed by resource name, states as letters,
// device numbers as "major:minor", flag words as names.
func TestJSONLibraryRoundTrip(t *testing.T) {
	type values struct {
		Limits  rlimit.Limits
		RSS     rlimit.Value
		State   procfs.State
		TTY     procfs.Dev
		Flags   procfs.TaskFlags
		Open    procfs.OpenFlags
		Kind    procfs.FDKind
		Login   procfs.LoginUID
		Session procfs.SessionID
		Comm    procfs.Comm
	}
	in := values{RSS: rlimit.Unlimited, State: procfs.StateZombie, TTY: procfs.Dev{Major: 136, Minor: 3},
		Flags: procfs.PFKthread | 1<<30, Open: procfs.OpenReadWrite | procfs.OpenCloexec, Kind: procfs.FDAnonInode,
		Login: procfs.LoginUIDUnset, Session: 7, Comm: procfs.MakeComm("kworker/0:1-events")}
	for r := range in.Limits {
		in.Limits[r] = rlimit.Limit{Soft: rlimit.Value(r) * 1000, Hard: rlimit.Unlimited}
	}
	b, err := marshalJSON(in)
	if err != nil {
		t.Fatal(err)
	}
	var out values
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("%s\nreads back as %+v, %v", b, out, err)
	}
	for _, want := range []string{`"RLIMIT_CPU": {`, `"Soft": 7000,`, `"RSS": "unlimited"`, `"State": "Z"`,
		`"TTY": "136:3"`, `"Flags": "PF_KTHREAD|0x40000000"`, `"Login": "unset"`, `"Session": 7`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("no %s in\n%s", want, b)
		}
	}
}

// TestJSONExactStrings checks the exact-string rule wherever a string can
// be: the bytes come back exactly, valid UTF-8 as a JSON string, the rest
// as {"base64": ...}.
func TestJSONExactStrings(t *testing.T) {
	type withStrings struct {
		S    string   `json:"s"`
		B    []byte   `json:"b"`
		L    []string `json:"l"`
		Comm procfs.Comm
		M    map[string]string `json:"m"`
		P    *string           `json:"p"`
		I    any               `json:"i"`
		E    error             `json:"e"`
	}
	type decoded struct {
		S    exact            `json:"s"`
		B    exact            `json:"b"`
		L    []exact          `json:"l"`
		Comm exact            `json:"Comm"`
		M    map[string]exact `json:"m"`
		P    exact            `json:"p"`
		I    exact            `json:"i"`
		E    exact            `json:"e"`
	}
	for _, s := range []string{"", "plain", "é", "a\nb\x1b[31m\x7f", "\xff", "a\xffb", "\xc3", "\xed\xa0\x80" /* a surrogate */, "\xf4\x90\x80\x80" /* beyond U+10FFFF */, "x) R 1 (y", "\uFFFD"} {
		p := s
		v := withStrings{S: s, B: []byte(s), L: []string{"ok", s}, Comm: procfs.MakeComm(s),
			M: map[string]string{"k": s}, P: &p, I: s, E: errors.New(s)}
		out := mustJSON(t, v)
		if !json.Valid([]byte(out)) {
			t.Fatalf("%q: invalid JSON:\n%s", s, out)
		}
		var d decoded
		if err := decodeOne(out, &d); err != nil {
			t.Fatalf("%q: %v\n%s", s, err, out)
		}
		got := []string{string(d.S), string(d.B), string(d.L[1]), string(d.Comm), string(d.M["k"]), string(d.P), string(d.I), string(d.E)}
		for i, g := range got {
			if g != s {
				t.Errorf("%q: member %d came back as %q\n%s", s, i, g, out)
			}
		}
		if utf8.ValidString(s) != !strings.Contains(out, `"base64"`) {
			t.Errorf("%q: base64 used wrongly:\n%s", s, out)
		}
	}
	// The form, indentation included.
	got := mustJSON(t, map[string]any{"a": []string{"ok", "\xff\xfe"}, "b": "\x01"})
	want := `{
  "a": [
    "ok",
    {
      "base64": "//4="
    }
  ],
  "b": "\u0001"
}`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestJSONValues checks the types encoding/json encodes otherwise or not
// at all: errors, []byte.
func TestJSONValues(t *testing.T) {
	var nilErr error
	for _, tc := range []struct {
		v    any
		want string
	}{
		{errors.New("boom"), `"boom"`},
		{struct{ E error }{}, "{\n  \"E\": null\n}"},
		{struct{ E error }{nilErr}, "{\n  \"E\": null\n}"},
		{fmt.Errorf("read: %w", fs.ErrNotExist), `"read: file does not exist"`},
		{&fs.PathError{Op: "open", Path: "/x", Err: syscall.ENOENT}, `"open /x: no such file or directory"`},
		{syscall.EPERM, `"operation not permitted"`},
		{kernel.CheckPID(-1), `"invalid pid -1: want 1..2147483647"`},
		{[]error{os.ErrProcessDone, nil}, "[\n  \"os: process already finished\",\n  null\n]"},
		{[]byte("bytes"), `"bytes"`},
		{[]byte{}, `""`},
		{[]byte(nil), `null`},
		{[2]byte{1, 2}, "[\n  1,\n  2\n]"},
		{map[string][]byte{"k": []byte("\xff")}, "{\n  \"k\": {\n    \"base64\": \"/w==\"\n  }\n}"},
		{time.Duration(1500), `1500`},
		{hiddenText{Shown: 1}, "{\n  \"hidden\": {},\n  \"bad\": {},\n  \"Shown\": 1\n}"},
		{time.Date(2024, 5, 1, 12, 0, 3, 0, time.FixedZone("X", -90*60)), `"2024-05-01T12:00:03-01:30"`},
	} {
		if got := mustJSON(t, tc.v); got != tc.want {
			t.Errorf("%#v:\ngot  %s\nwant %s", tc.v, got, tc.want)
		}
	}
}

type badText struct{}

func (badText) MarshalText() ([]byte, error) { return nil, errors.New("no text") }

type badJSON struct{}

func (badJSON) MarshalJSON() ([]byte, error) { return []byte("{not json"), nil }

type failJSON struct{}

func (failJSON) MarshalJSON() ([]byte, error) { return nil, errors.New("no json") }

type cycle struct {
	Next *cycle
}

type selfPtr *selfPtr

type stringTag struct {
	N int `json:"n,string"`
}

func TestJSONErrors(t *testing.T) {
	loop := &cycle{}
	loop.Next = loop
	var sp selfPtr
	sp = &sp
	for _, tc := range []struct {
		v    any
		want string
	}{
		{map[string]int{"ok": 1, "bad\xff": 2}, "map key is not valid UTF-8"},
		{map[textValue]int{{"\xff"}: 1}, "map key is not valid UTF-8"},
		{map[[2]int]int{{1, 2}: 3}, "unsupported map key type [2]int"},
		{make(chan int), "unsupported type chan int"},
		{struct{ F func() }{func() {}}, `"F": unsupported type func()`},
		{complex(1, 2), "unsupported type complex128"},
		{math.NaN(), "unsupported value NaN"},
		{[]float64{1, math.Inf(-1)}, "[1]: unsupported value -Inf"},
		{loop, "nesting deeper than 1000 levels"},
		{sp, "nesting deeper than 1000 levels"},
		{stringTag{}, `unsupported json tag option "string"`},
		{badText{}, "MarshalText: no text"},
		{map[badText]int{{}: 1}, "MarshalText: no text"},
		{badJSON{}, "MarshalJSON returned invalid JSON"},
		{failJSON{}, "MarshalJSON: no json"},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "time: "},
	} {
		_, err := marshalJSON(tc.v)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "json: ") {
			t.Errorf("%T: error %v, want one with %q", tc.v, err, tc.want)
		}
	}
	// Nothing is written on error.
	var b bytes.Buffer
	if err := writeJSON(&b, []any{1, math.NaN()}); err == nil || b.Len() != 0 {
		t.Errorf("writeJSON of NaN: %v, wrote %q", err, b.String())
	}
}

// FuzzJSONString checks that every string comes back exactly, and that
// the output is valid JSON.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "a", "\xff", "\u2028\"\\\n", "é\xc3", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := marshalJSON(struct {
			S string
			L []string
			B []byte
		}{s, []string{s}, []byte(s)})
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(b) {
			t.Fatalf("%q: invalid JSON %s", s, b)
		}
		var d struct {
			S exact
			L []exact
			B exact
		}
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if string(d.S) != s || len(d.L) != 1 || string(d.L[0]) != s || string(d.B) != s {
			t.Fatalf("%q came back as %q, %q, %q", s, d.S, d.L, d.B)
		}
	})
}

// TestJSONFieldCache checks that struct fields are computed once per type
// and that a second encoding of the same type gives the same output.
func TestJSONFieldCache(t *testing.T) {
	v := Outer{Keep: []int{1}}
	a, b := mustJSON(t, v), mustJSON(t, v)
	if a != b {
		t.Errorf("second encoding differs:\n%s\n%s", a, b)
	}
	if _, ok := fieldCache.Load(reflect.TypeFor[Outer]()); !ok {
		t.Error("Outer's fields are not cached")
	}
}
