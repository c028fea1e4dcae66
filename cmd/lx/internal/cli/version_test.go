package cli

import (
	"bytes"
	"context"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionBuildInfo(t *testing.T) {
	full := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/lxgo/lx", Version: "v1.2.0"},
		Settings: []debug.BuildSetting{
			{Key: "GOARCH", Value: "arm64"}, {Key: "GOOS", Value: "linux"},
			{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "634af33c0ffee"},
			{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "true"},
		},
	}
	bare := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/lxgo/lx", Version: "(devel)"}}
	for _, tc := range []struct {
		name      string
		bi        *debug.BuildInfo
		text      string
		jsonParts []string
	}{
		{"full", full,
			"lx         v1.2.0 github.com/lxgo/lx\nrevision   634af33c0ffee (modified)\ncommitted  2026-01-02 03:04:05 +0000\ngo         go1.26.8 linux/arm64\n",
			[]string{`"version": "v1.2.0"`, `"vcs_revision": "634af33c0ffee"`, `"vcs_time": "2026-01-02T03:04:05Z"`, `"vcs_modified": true`, `"platform": "linux/arm64"`}},
		{"bare", bare,
			"lx  (devel) github.com/lxgo/lx\ngo  go1.26.8\n",
			[]string{`"version": "(devel)"`, `"vcs_revision": null`, `"vcs_time": null`, `"vcs_modified": null`, `"platform": null`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := &versionCommand{buildInfo: func() (*debug.BuildInfo, bool) { return tc.bi, true }}
			var out, errOut bytes.Buffer
			if code := run(context.Background(), cmd, nil, &Env{Stdout: &out, Stderr: &errOut}); code != ExitOK || errOut.Len() > 0 {
				t.Fatalf("exit %d, stderr %q", code, errOut.String())
			}
			if out.String() != tc.text {
				t.Errorf("text:\n%s\nwant:\n%s", out.String(), tc.text)
			}
			out.Reset()
			if code := run(context.Background(), cmd, []string{"--json"}, &Env{Stdout: &out, Stderr: &errOut}); code != ExitOK {
				t.Fatalf("--json: exit %d, stderr %q", code, errOut.String())
			}
			var r versionReport
			if err := decodeOne(out.String(), &r); err != nil {
				t.Fatal(err)
			}
			for _, p := range tc.jsonParts {
				if !strings.Contains(out.String(), p) {
					t.Errorf("JSON lacks %s:\n%s", p, out.String())
				}
			}
		})
	}
	none := &versionCommand{buildInfo: func() (*debug.BuildInfo, bool) { return nil, false }}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), none, nil, &Env{Stdout: &out, Stderr: &errOut}); code != ExitError ||
		!strings.Contains(errOut.String(), "no build information") {
		t.Errorf("without build info: exit %d, stderr %q", code, errOut.String())
	}
}

// TestVersionLive checks lx --version against the test binary's own
// build information.
func TestVersionLive(t *testing.T) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Skip("test binary has no build information")
	}
	stdout, stderr, code := runLX(t, "--version")
	if code != ExitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "\ngo ") || !strings.Contains(stdout, runtime.Version()) || !strings.Contains(stdout, bi.Main.Path) {
		t.Errorf("lx --version:\n%s\nwant %s and %s", stdout, runtime.Version(), bi.Main.Path)
	}
}
