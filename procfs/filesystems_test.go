package procfs

import (
	"errors"
	"os"
	"slices"
	"testing"
)

func TestParseFilesystems(t *testing.T) {
	list, err := parseFilesystems(systemFixture(t, "filesystems-minimal"))
	want := []Filesystem{{"sysfs", true}, {"proc", true}, {"ext4", false}, {"btrfs", false}, {"cgroup2", true}}
	if err != nil || !slices.Equal(list, want) {
		t.Errorf("got %v, %v; want %v", list, err, want)
	}
	list, err = parseFilesystems(systemFixture(t, "filesystems-6.18"))
	if err != nil || len(list) < 20 {
		t.Errorf("6.18: %v, %v", list, err)
	}
	for _, in := range []string{"nodev proc extra\n", "ext4 ext3\n"} {
		if list, err := parseFilesystems([]byte(in)); err == nil {
			t.Errorf("parseFilesystems(%q) = %v, want an error", in, list)
		}
	}
	if list, err := parseFilesystems([]byte("\n\n")); err != nil || len(list) != 0 {
		t.Errorf("blank: %v, %v", list, err)
	}
}

func TestSupportsFilesystemRoot(t *testing.T) {
	fs := systemRoot(t, map[string]string{"filesystems": string(systemFixture(t, "filesystems-minimal"))})
	for name, want := range map[string]bool{"proc": true, "ext4": true, "cgroup2": true, "nodev": false, "xfs": false, "": false, "cgroup": false} {
		if got, err := fs.SupportsFilesystem(name); got != want || err != nil {
			t.Errorf("SupportsFilesystem(%q) = %v, %v", name, got, err)
		}
	}
	bad := systemRoot(t, map[string]string{"filesystems": "a b c\n"})
	if _, err := bad.SupportsFilesystem("x"); err == nil {
		t.Error("no error for a bad file")
	}
	if _, err := systemRoot(t, nil).SupportsFilesystem("proc"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestFilesystemsKernel(t *testing.T) {
	fs := Default()
	list, err := fs.Filesystems()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"proc", "sysfs", "tmpfs"} {
		i := slices.IndexFunc(list, func(f Filesystem) bool { return f.Name == name })
		if i < 0 || !list[i].NoDev {
			t.Errorf("%s missing or not nodev: %v", name, list)
		}
		if ok, err := fs.SupportsFilesystem(name); !ok || err != nil {
			t.Errorf("SupportsFilesystem(%q) = %v, %v", name, ok, err)
		}
	}
	if ok, err := fs.SupportsFilesystem("lx-no-such-fs"); ok || err != nil {
		t.Errorf("SupportsFilesystem(lx-no-such-fs) = %v, %v", ok, err)
	}
	if !systemRace {
		if n := testing.AllocsPerRun(20, func() { fs.SupportsFilesystem("sysfs") }); n != 0 {
			t.Errorf("SupportsFilesystem allocates %v times per call", n)
		}
	}
}

func FuzzParseFilesystems(f *testing.F) {
	seedSystemFixtures(f, "filesystems-")
	f.Fuzz(func(t *testing.T, b []byte) {
		list, err := parseFilesystems(b)
		if err != nil {
			return
		}
		// Formatting the list back gives the same list.
		var out []byte
		for _, fs := range list {
			if fs.NoDev {
				out = append(out, "nodev"...)
			}
			out = append(append(append(out, '\t'), fs.Name...), '\n')
		}
		again, err := parseFilesystems(out)
		if err != nil || !slices.Equal(again, list) {
			t.Errorf("round trip %q: %v, %v", out, again, err)
		}
	})
}
