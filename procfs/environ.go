package procfs

import "strings"

// EnvVar is one entry of a process's environment. Entries are kept as the
// process has them: names may repeat, and an entry without '=' has
// HasValue false (Name is then the whole entry). Name and Value hold raw
// bytes, valid UTF-8 or not.
type EnvVar struct {
	Name     string
	Value    string
	HasValue bool // the entry had an '='
}

// String returns the entry as the process holds it: "NAME=value", or just
// the name for an entry without '='.
func (e EnvVar) String() string {
	if !e.HasValue {
		return e.Name
	}
	return e.Name + "=" + e.Value
}

// Environ is a process's environment, in order.
type Environ []EnvVar

// Lookup returns the value of the first entry named name that has an '='
// (the one getenv(3) and Go's os.Getenv would find in that process).
func (env Environ) Lookup(name string) (string, bool) {
	for _, e := range env {
		if e.HasValue && e.Name == name {
			return e.Value, true
		}
	}
	return "", false
}

// Strings returns the raw entries, the form os/exec.Cmd.Env takes.
func (env Environ) Strings() []string {
	s := make([]string, len(env))
	for i, e := range env {
		s[i] = e.String()
	}
	return s
}

// Environ reads /proc/PID/environ: the environment the process was started
// with (execve's envp), as it is now in the process's memory; later setenv
// calls in the process usually do not show. It needs ptrace read access
// (PTRACE_MODE_READ_FSCREDS: the same user, or CAP_SYS_PTRACE); without it
// the error matches fs.ErrPermission. Kernel threads and zombies have no
// user memory and so an empty environment: the result is nil and no
// error (recent kernels, 6.18 for one, say ESRCH for them; older ones give
// an empty file). The strings share one allocation.
func (p Proc) Environ() (Environ, error) {
	env, err := read(p, "environ", func(b []byte) (Environ, error) { return parseEnviron(b), nil })
	if noMemory(err) {
		return nil, nil
	}
	return env, err
}

// parseEnviron splits NUL-terminated entries and each at its first '='.
func parseEnviron(b []byte) Environ {
	args := parseCmdline(b)
	if len(args) == 0 {
		return nil
	}
	env := make(Environ, len(args))
	for i, a := range args {
		name, value, ok := strings.Cut(a, "=")
		env[i] = EnvVar{Name: name, Value: value, HasValue: ok}
	}
	return env
}
