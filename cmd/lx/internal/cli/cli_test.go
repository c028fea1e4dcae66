package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
)

// asLXEnv makes the test binary run as the lx command (cli.Program, what
// cmd/lx's main runs) instead of its tests: the end-to-end tests of lx
// exec and lx cgroup run start it so, to run lx as a user does, as a
// process of its own with its own signals. The kernel-matrix guests have
// no go command to build lx with, only the test binary.
const asLXEnv = "LX_CLI_TEST_AS_LX"

// procSelfEnv makes the test binary run lx proc --json on itself: a
// command for lx cgroup run whose output shows the cgroup it ran in.
const procSelfEnv = "LX_CLI_TEST_PROC_SELF"

// allocEnv makes the test binary allocate and touch that many MiB, say
// so, and exit: the command of lx cgroup run's memory tests.
const allocEnv = "LX_CLI_TEST_ALLOC_MIB"

func TestMain(m *testing.M) {
	if os.Getenv(runSeccompEnv) == "1" {
		runSeccompProgram = testRunSeccompProgram
	}
	if os.Getenv(asLXEnv) == "1" {
		os.Unsetenv(asLXEnv) // not for the commands lx runs
		os.Exit(Program())
	}
	if n := os.Getenv(allocEnv); n != "" {
		os.Exit(allocate(n))
	}
	if spec := os.Getenv(runProbeEnv); spec != "" {
		os.Exit(runProbe(spec))
	}
	if os.Getenv(procSelfEnv) == "1" {
		// lx proc of this process, as a command that lx runs.
		os.Args = []string{"lx", "proc", "--json", strconv.Itoa(os.Getpid())}
		os.Exit(Program())
	}
	// In the kernel-matrix guests (internal/vmtest) only the commands
	// whose behaviour depends on the kernel run: lx exec, lx cgroup run
	// and lx run. The others compare with tools and processes of a full machine
	// (procps, the hostile processes, whose orphans the guests' init does
	// not reap) and are tested on the host.
	if os.Getenv("LX_VMTEST_GUEST") == "1" {
		if f := flag.Lookup("test.run"); f != nil && f.Value.String() == "" {
			f.Value.Set("^Test(Exec|CgroupRun|Run)")
		}
	}
	// lx exec's tests that run in-process take signals over (os/signal),
	// which starts a goroutine of the runtime's that runs until the
	// program exits: start it before the leak check's count.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGWINCH)
	signal.Stop(sigs)
	testutil.Main(m)
}

// allocate is the allocEnv helper.
func allocate(mib string) int {
	n, err := strconv.Atoi(mib)
	if err != nil {
		return 2
	}
	var keep [][]byte
	for range n {
		chunk := make([]byte, 1<<20)
		for i := 0; i < len(chunk); i += 4096 {
			chunk[i] = 1
		}
		keep = append(keep, chunk)
	}
	fmt.Printf("allocated %d MiB\n", len(keep))
	return 0
}

// runLX runs the lx command line args in-process, with output of no
// width limit whatever COLUMNS says.
func runLX(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = dispatch(context.Background(), args, &Env{Stdout: &out, Stderr: &errOut})
	return out.String(), errOut.String(), code
}

func TestDispatch(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		code       int
		stdout     []string // substrings
		stderr     []string
		quietOut   bool // nothing on stdout
		quietError bool // nothing on stderr
	}{
		{args: []string{"help"}, code: ExitOK, stdout: []string{"usage: lx [--json]", "overview", "help", "(the default)"}, quietError: true},
		{args: []string{"--help"}, code: ExitOK, stdout: []string{"usage: lx [--json]"}, quietError: true},
		{args: []string{"-h"}, code: ExitOK, stdout: []string{"usage: lx [--json]"}, quietError: true},
		{args: []string{"help", "overview"}, code: ExitOK, stdout: []string{"usage: lx overview [flags]", "-json", "unavailable"}, quietError: true},
		{args: []string{"overview", "--help"}, code: ExitOK, stdout: []string{"usage: lx overview [flags]", "-json"}, quietError: true},
		{args: []string{"overview", "-h"}, code: ExitOK, stdout: []string{"usage: lx overview [flags]"}, quietError: true},
		{args: []string{"help", "--help"}, code: ExitOK, stdout: []string{"usage: lx help [flags] [command | topic]"}, quietError: true},
		{args: []string{"nosuch"}, code: ExitUsage, stderr: []string{`lx: unknown command "nosuch"`, "usage: lx"}, quietOut: true},
		{args: []string{"overview", "--bogus"}, code: ExitUsage, stderr: []string{"flag provided but not defined: -bogus", "usage: lx overview [flags]"}, quietOut: true},
		{args: []string{"--bogus"}, code: ExitUsage, stderr: []string{"lx: flag provided but not defined: -bogus\nusage: lx [--json]"}, quietOut: true},
		{args: []string{"--bogus", "ps"}, code: ExitUsage, stderr: []string{"lx: flag provided but not defined: -bogus\n"}, quietOut: true},
		{args: []string{"--json=maybe", "ps"}, code: ExitUsage, stderr: []string{"lx: invalid boolean value"}, quietOut: true},
		{args: []string{"--json", "help", "help"}, code: ExitOK, stdout: []string{`"name": "help"`}, quietError: true},
		{args: []string{"-json", "--", "help"}, code: ExitOK, stdout: []string{`"commands": [`}, quietError: true},
		{args: []string{"--json", "--help"}, code: ExitOK, stdout: []string{"usage: lx [--json]"}, quietError: true},
		{args: []string{"--version"}, code: ExitOK, stdout: []string{"go  ", runtime.Version()}, quietError: true},
		{args: []string{"--json", "--version"}, code: ExitOK, stdout: []string{`"go_version": "` + runtime.Version() + `"`}, quietError: true},
		{args: []string{"--version", "ps"}, code: ExitUsage, stderr: []string{`lx version: version takes no arguments, got "ps"`}, quietOut: true},
		{args: []string{"version", "--json"}, code: ExitOK, stdout: []string{`"go_version": "`}, quietError: true},
		{args: []string{"proc", "-1"}, code: ExitUsage, stderr: []string{"lx proc: invalid process id -1: want 1..2147483647\nusage: lx proc"}, quietOut: true},
		{args: []string{"proc", "--json", "-5"}, code: ExitUsage, stderr: []string{"lx proc: invalid process id -5: want 1..2147483647\n"}, quietOut: true},
		{args: []string{"overview", "--json=maybe"}, code: ExitUsage, stderr: []string{"invalid boolean value"}, quietOut: true},
		{args: []string{"overview", "extra"}, code: ExitUsage, stderr: []string{`takes no arguments, got "extra"`, "lx help overview"}, quietOut: true},
		{args: []string{"help", "nosuch"}, code: ExitUsage, stderr: []string{`unknown command or topic "nosuch" (commands: ` + strings.Join(commandNames(), ", ") + `; topics: json, text)`}, quietOut: true},
		{args: []string{"help", "overview", "help"}, code: ExitUsage, stderr: []string{"at most one command or topic"}, quietOut: true},
		{args: []string{"help"}, code: ExitOK, stdout: []string{"topics:\n  json  the --json output", "\n  text  "}, quietError: true},
		{args: []string{"help", "json"}, code: ExitOK, stdout: []string{"stable interface", `{"base64": "..."}`, "nanoseconds"}, quietError: true},
		{args: []string{"help", "text"}, code: ExitOK, stdout: []string{`\xNN`, "$'...'"}, quietError: true},
		{args: []string{"help", "--", "--json"}, code: ExitUsage, stderr: []string{`unknown command or topic "--json"`}, quietOut: true},
		{args: []string{"-"}, code: ExitUsage, stderr: []string{`unknown command "-"`}, quietOut: true},
		// Commands that run a command: lx's own failures are 125 (env(1)'s).
		{args: []string{"exec"}, code: ExitCannotRun, stderr: []string{"lx exec: no command to run\nusage: lx exec"}, quietOut: true},
		{args: []string{"exec", "--bogus", "true"}, code: ExitCannotRun, stderr: []string{"flag provided but not defined: -bogus"}, quietOut: true},
		{args: []string{"exec", "--ns", "pid_for_children", "true"}, code: ExitCannotRun, stderr: []string{`unknown namespace type "pid_for_children"`}, quietOut: true},
		{args: []string{"exec", "--join-ns", "net", "true"}, code: ExitCannotRun, stderr: []string{"--join-ns needs --join PID"}, quietOut: true},
		{args: []string{"exec", "--join", "1", "--join-ns", "time", "true"}, code: ExitCannotRun, stderr: []string{"cannot join user or time namespaces"}, quietOut: true},
		{args: []string{"exec", "--join", "-3", "true"}, code: ExitCannotRun, stderr: []string{"--join: invalid pid -3"}, quietOut: true},
		{args: []string{"exec", "--cgroup", "rel", "true"}, code: ExitCannotRun, stderr: []string{"--cgroup rel: want a cgroup path"}, quietOut: true},
		{args: []string{"exec", "lx-no-such-command-here"}, code: ExitNotFound, stderr: []string{"lx exec: lx-no-such-command-here: command not found in $PATH\n"}, quietOut: true},
		{args: []string{"exec", "/"}, code: ExitCannotExec, stderr: []string{"lx exec: spawn /: exec: "}, quietOut: true},
		{args: []string{"exec", "--help"}, code: ExitOK, stdout: []string{"usage: lx exec [flags] [--] <command> [arguments]", "128+N"}, quietError: true},
		{args: []string{"exec", "sh", "-c", `echo "[$1]"; exit 4`, "sh", "--help"}, code: 4, stdout: []string{"[--help]\n"}, quietError: true}, // --help is the command's
		{args: []string{"exec run"}, code: ExitUsage, stderr: []string{`unknown command "exec run"`}, quietOut: true},
		// A subcommand is named by two arguments.
		{args: []string{"cgroup run"}, code: ExitUsage, stderr: []string{`unknown command "cgroup run"`}, quietOut: true},
		{args: []string{"cgroup", "run", "--help"}, code: ExitOK, stdout: []string{"usage: lx cgroup run [flags] [--] <command> [arguments]"}, quietError: true},
		{args: []string{"help", "cgroup", "run"}, code: ExitOK, stdout: []string{"usage: lx cgroup run [flags]"}, quietError: true},
		{args: []string{"help", "cgroup", "walk"}, code: ExitUsage, stderr: []string{"at most one command or topic"}, quietOut: true},
		{args: []string{"help"}, code: ExitOK, stdout: []string{"\n  cgroup run       run a command in a fresh cgroup", "\n  caps decode      name the capabilities"}, quietError: true},
		{args: []string{"cgroup", "--json", "run", "true"}, code: ExitUsage, stderr: []string{"put run right after cgroup"}, quietOut: true},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			stdout, stderr, code := runLX(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if tc.quietOut && stdout != "" {
				t.Errorf("unexpected stdout:\n%s", stdout)
			}
			if tc.quietError && stderr != "" {
				t.Errorf("unexpected stderr:\n%s", stderr)
			}
		})
	}
}

// TestGlobalJSON checks that --json before the command applies to it
// (it used to select the overview, which then rejected the command).
func TestGlobalJSON(t *testing.T) {
	for _, args := range [][]string{
		{"--json", "ps"},
		{"--json", "proc", strconv.Itoa(os.Getpid())},
		{"-json", "proc", "1"},
		{"--json", "overview"},
		{"--json"},
	} {
		stdout, stderr, code := runLX(t, args...)
		var m map[string]any
		if err := decodeOne(stdout, &m); code != ExitOK || stderr != "" || err != nil {
			t.Errorf("lx %s: exit %d, %v, stderr %q", strings.Join(args, " "), code, err, stderr)
		}
	}
}

// TestHelpForms checks that the three ways of asking for a command's help
// print the same text. A subcommand is named by two arguments.
func TestHelpForms(t *testing.T) {
	for _, name := range commandNames() {
		words := strings.Fields(name)
		a, _, _ := runLX(t, append([]string{"help"}, words...)...)
		b, _, _ := runLX(t, append(words, "--help")...)
		c, _, _ := runLX(t, append(words, "-help")...)
		if a != b || a != c || a == "" {
			t.Errorf("help of %s differs:\n%s\n---\n%s\n---\n%s", name, a, b, c)
		}
	}
}

func TestHelpJSON(t *testing.T) {
	type report struct {
		Commands []commandReport `json:"commands"`
		Topics   []topicReport   `json:"topics"`
	}
	stdout, stderr, code := runLX(t, "help", "--json")
	if code != ExitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var all report
	if err := decodeOne(stdout, &all); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range all.Commands {
		names = append(names, c.Name)
		if c.Synopsis == "" || c.Usage == "" {
			t.Errorf("command %s lacks synopsis or usage: %+v", c.Name, c)
		}
		if c.Default != (c.Name == "overview") {
			t.Errorf("command %s: default = %v", c.Name, c.Default)
		}
		if !slices.Contains(c.Flags, flagReport{Name: "json", Usage: "print one JSON object instead of tables", Default: "false"}) {
			t.Errorf("command %s: flags %+v, want json among them", c.Name, c.Flags)
		}
	}
	if !reflect.DeepEqual(names, commandNames()) {
		t.Errorf("help --json lists %v, registry has %v", names, commandNames())
	}
	var topics []string
	for _, tp := range all.Topics {
		topics = append(topics, tp.Name)
		if tp.Synopsis == "" || len(tp.Text) < 100 {
			t.Errorf("topic %s lacks synopsis or text: %+v", tp.Name, tp)
		}
	}
	if !reflect.DeepEqual(topics, topicNames()) {
		t.Errorf("help --json lists topics %v, want %v", topics, topicNames())
	}
	// Flags may follow the positional argument.
	stdout, _, code = runLX(t, "help", "overview", "--json")
	var one report
	if err := decodeOne(stdout, &one); code != ExitOK || err != nil || len(one.Commands) != 1 || one.Commands[0].Name != "overview" || len(one.Topics) != 0 {
		t.Fatalf("help overview --json: exit %d, %v, %+v", code, err, one)
	}
	stdout, _, code = runLX(t, "--json", "help", "json")
	one = report{}
	if err := decodeOne(stdout, &one); code != ExitOK || err != nil || len(one.Commands) != 0 || len(one.Topics) != 1 || one.Topics[0].Text != jsonTopic {
		t.Fatalf("help json --json: exit %d, %v, %+v", code, err, one)
	}
}

// TestTopicsDoNotShadowCommands checks that no topic has a command's name
// (lx help NAME would show only the command).
func TestTopicsDoNotShadowCommands(t *testing.T) {
	for _, name := range topicNames() {
		if _, ok := registry[name]; ok {
			t.Errorf("topic %q is also a command", name)
		}
	}
}

// decodeOne decodes s, which must be exactly one JSON value.
func decodeOne(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

// failCommand fails with a run-time error or a usage error.
type failCommand struct{ usage bool }

func (failCommand) Name() string     { return "fail" }
func (failCommand) Synopsis() string { return "fails" }
func (failCommand) Usage() string    { return "[flags]" }
func (failCommand) Help() string     { return "" }
func (c failCommand) Run(ctx context.Context, env *Env, args []string) error {
	if c.usage {
		return Usagef("bad %s", "thing")
	}
	return errors.New("boom")
}

func TestRunErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errOut}
	if code := run(context.Background(), failCommand{}, nil, env); code != ExitError {
		t.Errorf("run-time error: exit %d, want %d", code, ExitError)
	}
	if got := errOut.String(); got != "lx fail: boom\n" {
		t.Errorf("stderr %q", got)
	}
	errOut.Reset()
	if code := run(context.Background(), failCommand{usage: true}, nil, env); code != ExitUsage {
		t.Errorf("usage error: exit %d, want %d", code, ExitUsage)
	}
	if got := errOut.String(); !strings.HasPrefix(got, "lx fail: bad thing\nusage: lx fail [flags]\n") {
		t.Errorf("stderr %q", got)
	}
	if out.Len() != 0 {
		t.Errorf("stdout %q", out.String())
	}
}

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		pos  []string
		json bool
		n    int
		stop bool // a commandRunner's flags: they end at the first positional argument
	}{
		{nil, nil, false, 0, false},
		{[]string{"a", "b"}, []string{"a", "b"}, false, 0, false},
		{[]string{"--json", "a"}, []string{"a"}, true, 0, false},
		{[]string{"a", "--json", "b"}, []string{"a", "b"}, true, 0, false},
		{[]string{"a", "-n", "3", "b", "-json"}, []string{"a", "b"}, true, 3, false},
		{[]string{"a", "--", "--json", "-n"}, []string{"a", "--json", "-n"}, false, 0, false},
		{[]string{"--", "a"}, []string{"a"}, false, 0, false},
		{[]string{"-1", "--json"}, []string{"-1"}, true, 0, false},                   // a negative number is positional
		{[]string{"a", "-n", "-7", "-2x"}, []string{"a", "-2x"}, false, -7, false},   // but a flag's value may be one
		{[]string{"-n=5", "-", "--n", "6"}, []string{"-"}, false, 6, false},          // "-" alone is positional
		{[]string{"--json=false", "-json=true", "x"}, []string{"x"}, true, 0, false}, // the last one counts
		{[]string{"-n", "2", "sh", "-c", "--json", "echo"}, []string{"sh", "-c", "--json", "echo"}, false, 2, true},
		{[]string{"--json", "--", "-n", "3"}, []string{"-n", "3"}, true, 0, true},
		{[]string{"-1", "-n", "4"}, []string{"-1", "-n", "4"}, false, 0, true},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		j := fs.Bool("json", false, "")
		n := fs.Int("n", 0, "")
		pos, err := parseFlags(fs, tc.args, tc.stop)
		if err != nil || !reflect.DeepEqual(pos, tc.pos) || *j != tc.json || *n != tc.n {
			t.Errorf("parseFlags(%q, %v) = %q, json %v, n %d, %v; want %q, %v, %d", tc.args, tc.stop, pos, *j, *n, err, tc.pos, tc.json, tc.n)
		}
	}
}
