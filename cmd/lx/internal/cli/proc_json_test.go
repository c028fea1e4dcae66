package cli

// lx proc --json is the library's own values: every field of each
// section, under its Go name, decoding back to the value the library
// returns.

import (
	"encoding/json"
	"io/fs"
	"maps"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/procfs"
	"github.com/lxgo/lx/rlimit"
)

// TestProcJSONTypes checks that no value in lx proc's JSON is a number
// that stands for a name: every named integer type with a String method
// (an enumeration or a flag set) marshals as text, through its own
// MarshalText (or MarshalJSON). A section that gains such a field fails
// here until its library type is given one.
func TestProcJSONTypes(t *testing.T) {
	// Numbers by design: ids, the pidfs inode, nanoseconds, permission
	// bits.
	numbers := map[reflect.Type]bool{
		reflect.TypeFor[cred.UID](): true, reflect.TypeFor[cred.GID](): true,
		reflect.TypeFor[pidfd.ID](): true, reflect.TypeFor[time.Duration](): true,
		reflect.TypeFor[fs.FileMode](): true,
	}
	marshals := func(typ reflect.Type) bool {
		return hasMethods(typ) || hasMethods(reflect.PointerTo(typ))
	}
	var check func(path string, typ reflect.Type)
	check = func(path string, typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array || typ.Kind() == reflect.Map {
			if typ.Kind() == reflect.Map {
				check(path+"[key]", typ.Key())
			}
			typ = typ.Elem()
		}
		if marshals(typ) || typ == timeType {
			return
		}
		switch typ.Kind() {
		case reflect.Struct:
			fields, err := structFields(typ)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fields {
				check(path+"."+f.name, typ.FieldByIndex(f.index).Type)
			}
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			_, named := typ.MethodByName("String")
			if named && !numbers[typ] {
				t.Errorf("%s: %s has names (a String method) but marshals as a number", path, typ)
			}
		}
	}
	check("proc", reflect.TypeFor[procReport]())
}

// TestProcJSONLibraryValues checks that the sections of lx proc --json
// are the library's values: a stopped child's stat, status, statm and io
// have every field of procfs.Stat, procfs.Status, procfs.Statm and
// procfs.IO under its Go name, and each decodes back (through the
// field's own UnmarshalText or UnmarshalJSON where it has one) to what
// the library reads; so do its limits, an rlimit.Limits.
func TestProcJSONLibraryValues(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "read x")
	pid := startReader(t, cmd)
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Signal(syscall.SIGCONT)
	waitState(t, pid, "T")
	p, err := procfs.Default().Proc(pid)
	if err != nil {
		t.Fatal(err)
	}
	type values struct {
		stat   procfs.Stat
		status procfs.Status
		statm  procfs.Statm
		io     procfs.IO
	}
	read := func() values {
		var v values
		var errs [4]error
		v.stat, errs[0] = p.Stat()
		v.status, errs[1] = p.Status()
		v.statm, errs[2] = p.Statm()
		v.io, errs[3] = p.IO()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		return v
	}
	before := read()
	stdout, _, code := runLX(t, "proc", strconv.Itoa(pid), "--json")
	after := read()
	var sections map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &sections); code != ExitOK || err != nil {
		t.Fatalf("exit %d, %v:\n%s", code, err, stdout)
	}
	// The limits, an rlimit.Limits: numbers or "unlimited", by resource name.
	lims, err := p.Limits()
	if err != nil {
		t.Fatal(err)
	}
	var gotLims rlimit.Limits
	if err := json.Unmarshal(sections["limits"], &gotLims); err != nil || gotLims != lims {
		t.Errorf("limits: %s decodes to %v, %v; want %v", sections["limits"], gotLims, err, lims)
	}
	if !strings.Contains(string(sections["limits"]), `"RLIMIT_CPU": {`) {
		t.Errorf("limits are not keyed by resource name: %s", sections["limits"])
	}
	// The state letter, not the word String gives.
	var states map[string]json.RawMessage
	for _, sec := range []string{"stat", "status"} {
		if err := json.Unmarshal(sections[sec], &states); err != nil || string(states["State"]) != `"T"` {
			t.Errorf("%s.State: %s, %v; want \"T\"", sec, states["State"], err)
		}
	}
	for _, s := range []struct {
		name          string
		before, after any
	}{
		{"stat", before.stat, after.stat}, {"status", before.status, after.status},
		{"statm", before.statm, after.statm}, {"io", before.io, after.io},
	} {
		var got map[string]json.RawMessage
		if err := json.Unmarshal(sections[s.name], &got); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		b, a := reflect.ValueOf(s.before), reflect.ValueOf(s.after)
		var names []string
		for _, f := range reflect.VisibleFields(b.Type()) {
			if !f.IsExported() || f.Anonymous {
				continue
			}
			names = append(names, f.Name)
			key := s.name + "." + f.Name
			raw, ok := got[f.Name]
			want := b.FieldByIndex(f.Index)
			switch {
			case !ok:
				t.Errorf("%s: missing", key)
			case key == "status.SigQ":
				// Signals queued for the user, of any of its processes:
				// it can change and change back while lx reads.
			case !reflect.DeepEqual(want.Interface(), a.FieldByIndex(f.Index).Interface()):
				t.Logf("%s: changed while lx read it (%v, then %v)", key, want, a.FieldByIndex(f.Index))
			default:
				if err := decodedEqual(raw, want); err != nil {
					t.Errorf("%s: %s: %v", key, raw, err)
				}
			}
		}
		slices.Sort(names)
		if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, names) {
			t.Errorf("%s: keys %q, want the fields of %T, %q", s.name, keys, s.before, names)
		}
	}
}

// decodedEqual decodes raw into a new value of want's type (through
// the type's own UnmarshalJSON or UnmarshalText where it has one) and
// reports how it differs from want.
func decodedEqual(raw json.RawMessage, want reflect.Value) error {
	typ := want.Type()
	got := reflect.New(typ)
	if err := json.Unmarshal(raw, got.Interface()); err != nil {
		return err
	}
	if eq := got.MethodByName("Equal"); eq.IsValid() && eq.Type().NumIn() == 1 && eq.Type().In(0) == typ {
		if !eq.Call([]reflect.Value{want})[0].Bool() {
			return &mismatch{got: got.Elem().Interface(), want: want.Interface()}
		}
		return nil
	}
	if !reflect.DeepEqual(got.Elem().Interface(), want.Interface()) {
		return &mismatch{got: got.Elem().Interface(), want: want.Interface()}
	}
	return nil
}

type mismatch struct{ got, want any }

func (m *mismatch) Error() string {
	return "decodes to " + strconv.Quote(fmtValue(m.got)) + ", want " + strconv.Quote(fmtValue(m.want))
}

func fmtValue(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
