package epoll

import (
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/lxgo/lx/kernel"
)

func TestParseFdinfo(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		want []Registration
		key  string // failing key, "" when no error
	}{
		{"none", "pos:\t0\nflags:\t02000002\nmnt_id:\t17\nino:\t12\n", nil, ""},
		{"full", "pos:\t0\ntfd:        4 events: 80000019 data:                4  pos:0 ino:315814 sdev:f\n",
			[]Registration{{FD: 4, Events: ET | In | Err | Hup, Data: 4, Inode: 0x315814, DevMinor: 0xf}}, ""},
		{"old kernel", "tfd:       12 events:       1d data: ffffffffffffffff\n",
			[]Registration{{FD: 12, Events: In | Out | Err | Hup, Data: 1<<64 - 1}}, ""},
		{"sdev major", "tfd: 1 events: 1 data: 0 pos:5 ino:1 sdev:800003\n",
			[]Registration{{FD: 1, Events: In, Pos: 5, Inode: 1, DevMajor: 8, DevMinor: 3}}, ""},
		{"no data", "tfd: 1 events: 1\n", nil, "data"},
		{"bad events", "tfd: 1 events: zz data: 0\n", nil, "events"},
		{"events beyond 32 bits", "tfd: 1 events: 100000000 data: 0\n", nil, "events"},
		{"negative fd", "tfd: -1 events: 1 data: 0\n", nil, "tfd"},
		{"data missing value", "tfd: 1 events: 1 data: pos:0\n", nil, "data"},
	} {
		got, err := parseFdinfo([]byte(c.in))
		if c.key != "" {
			var pe *kernel.ParseError
			if !errors.As(err, &pe) || pe.Key != c.key {
				t.Errorf("%s: err %v, want a ParseError for %s", c.name, err, c.key)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

func TestParseFdinfoFixture(t *testing.T) {
	b, err := os.ReadFile("testdata/fdinfo-6.18-pipe")
	if err != nil {
		t.Fatal(err)
	}
	regs, err := parseFdinfo(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []Events{In | Err | Hup | ET, Out | Err | Hup}
	if len(regs) != 2 || regs[0].Events != want[0] || regs[1].Events != want[1] || regs[0].FD != 4 || regs[1].Data != 5 {
		t.Fatalf("fixture: %+v", regs)
	}
}

func FuzzParseFdinfo(f *testing.F) {
	if b, err := os.ReadFile("testdata/fdinfo-6.18-pipe"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("tfd: 1 events: 1 data: 0 pos:-1 ino:ff sdev:fffff\n"))
	f.Add([]byte("tfd:\ntfd: events: data:"))
	f.Fuzz(func(t *testing.T, b []byte) {
		regs, err := parseFdinfo(b)
		if err != nil && regs != nil {
			t.Fatal("registrations with an error")
		}
		for _, r := range regs {
			if r.FD < 0 {
				t.Fatalf("negative fd %d", r.FD)
			}
		}
	})
}

func FuzzParseEvents(f *testing.F) {
	f.Add("EPOLLIN|EPOLLET")
	f.Add("0")
	f.Add("0x80000000|EPOLLOUT")
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEvents(s)
		if err != nil {
			return
		}
		back, err := ParseEvents(e.String())
		if err != nil || back != e {
			t.Fatalf("%q -> %v -> %v, %v", s, e, back, err)
		}
	})
}
