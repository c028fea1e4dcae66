package cli

import (
	"context"
	"errors"
	"runtime/debug"
	"time"
)

func init() { register(func() Command { return &versionCommand{buildInfo: debug.ReadBuildInfo} }) }

// versionCommand is `lx version`, also `lx --version`.
type versionCommand struct {
	// buildInfo returns what the Go toolchain recorded in the binary;
	// tests replace it.
	buildInfo func() (*debug.BuildInfo, bool)
}

func (*versionCommand) Name() string { return "version" }
func (*versionCommand) Synopsis() string {
	return "which lx this is: module version, source revision, Go version"
}
func (*versionCommand) Usage() string { return "[flags]" }
func (*versionCommand) Help() string {
	return `Prints what the Go toolchain recorded in the lx binary (runtime/debug
ReadBuildInfo): the module path and version ("(devel)" for a build from a
source tree without a version tag), the version control revision, its
commit time and whether the tree had uncommitted changes (present when lx
was built with 'go build' from a git checkout), the Go version and the
target platform. 'lx --version' is the same command.

With --json the output is {"module", "version", "vcs_revision", "vcs_time",
"vcs_modified", "go_version", "platform"}; an item the binary does not
record is null.`
}

// versionReport is the output of `lx version --json`.
type versionReport struct {
	Module  string `json:"module"`  // "github.com/lxgo/lx"
	Version string `json:"version"` // "v1.2.0", "(devel)"
	// The vcs.* build settings: the commit, its time (RFC 3339, as the
	// toolchain records it) and whether the tree had local changes.
	Revision  *string `json:"vcs_revision"`
	Time      *string `json:"vcs_time"`
	Modified  *bool   `json:"vcs_modified"`
	GoVersion string  `json:"go_version"` // "go1.26.8"
	Platform  *string `json:"platform"`   // GOOS/GOARCH: "linux/amd64"
}

func (c *versionCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 {
		return Usagef("version takes no arguments, got %q", args[0])
	}
	bi, ok := c.buildInfo()
	if !ok {
		return errors.New("the binary carries no build information (built without module support?)")
	}
	r := newVersionReport(bi)
	if env.JSON {
		return writeJSON(env.Stdout, r)
	}
	return renderVersion(env, r)
}

// newVersionReport picks the version facts out of bi.
func newVersionReport(bi *debug.BuildInfo) versionReport {
	r := versionReport{Module: bi.Main.Path, Version: bi.Main.Version, GoVersion: bi.GoVersion}
	var goos, goarch string
	for _, s := range bi.Settings {
		v := s.Value
		switch s.Key {
		case "vcs.revision":
			r.Revision = &v
		case "vcs.time":
			r.Time = &v
		case "vcs.modified":
			m := v == "true"
			r.Modified = &m
		case "GOOS":
			goos = v
		case "GOARCH":
			goarch = v
		}
	}
	if goos != "" && goarch != "" {
		p := goos + "/" + goarch
		r.Platform = &p
	}
	return r
}

// renderVersion writes r for people.
func renderVersion(env *Env, r versionReport) error {
	t := newTable(env.Stdout)
	t.Row("lx", joinNonEmpty(" ", r.Version, r.Module))
	if r.Revision != nil {
		rev := *r.Revision
		if r.Modified != nil && *r.Modified {
			rev += " (modified)"
		}
		t.Row("revision", rev)
	}
	if r.Time != nil {
		committed := *r.Time
		if tm, err := time.Parse(time.RFC3339, committed); err == nil {
			committed = formatTime(tm)
		}
		t.Row("committed", committed)
	}
	goLine := r.GoVersion
	if r.Platform != nil {
		goLine += " " + *r.Platform
	}
	t.Row("go", goLine)
	return t.Flush()
}
