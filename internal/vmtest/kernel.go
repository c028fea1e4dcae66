package vmtest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// KernelNames are the guest kernels the matrix boots, oldest first, as
// .ci/vmtest-kernels names them: Debian bookworm's linux-image-amd64 (6.1)
// and bookworm-backports' (6.12).
var KernelNames = []string{"6.1", "6.12"}

// FetchCommand is the command that puts the kernels into the cache.
const FetchCommand = "bash .ci/vmtest-kernels"

// Kernel is a guest kernel in the cache.
type Kernel struct {
	// Name is the kernel's short name and cache directory: "6.1", "6.12".
	Name string
	// Version is the release the guest reports in uname -r, e.g.
	// "6.1.0-56-amd64".
	Version string
	// Package is the Debian package and version it came from, e.g.
	// "linux-image-6.1.0-56-amd64 6.1.192-2".
	Package string
	// Vmlinuz is the path of the bzImage that qemu boots with -kernel.
	Vmlinuz string
	// Modules is the directory of the modules from the same package that
	// a guest may load (NAME.ko, uncompressed, without dependencies):
	// brd.ko for Options.BlockDevice. Boot checks for the ones it needs.
	Modules string
}

// CacheDir is where kernels live: $LX_VMTEST_CACHE, else lx-vmtest in the
// user's cache directory ($XDG_CACHE_HOME or ~/.cache). .ci/vmtest-kernels
// uses the same rule.
func CacheDir() (string, error) {
	if d := os.Getenv("LX_VMTEST_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("vmtest cache directory: %w (set LX_VMTEST_CACHE)", err)
	}
	return filepath.Join(d, "lx-vmtest"), nil
}

// Kernels returns every kernel of KernelNames from the cache. It fails,
// naming the fetch command, when one is missing.
func Kernels() ([]Kernel, error) {
	ks := make([]Kernel, 0, len(KernelNames))
	for _, n := range KernelNames {
		k, err := LookupKernel(n)
		if err != nil {
			return nil, err
		}
		ks = append(ks, k)
	}
	return ks, nil
}

// LookupKernel returns the cached kernel called name ("6.1", "6.12").
func LookupKernel(name string) (Kernel, error) {
	if !slices.Contains(KernelNames, name) {
		return Kernel{}, fmt.Errorf("vmtest kernel %q: unknown (want one of %s)", name, strings.Join(KernelNames, ", "))
	}
	cache, err := CacheDir()
	if err != nil {
		return Kernel{}, err
	}
	dir := filepath.Join(cache, "kernels", name)
	k := Kernel{Name: name, Vmlinuz: filepath.Join(dir, "vmlinuz"), Modules: filepath.Join(dir, "modules")}
	if _, err := os.Stat(k.Vmlinuz); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Kernel{}, fmt.Errorf("vmtest kernel %s is not in %s: run %s", name, cache, FetchCommand)
		}
		return Kernel{}, fmt.Errorf("vmtest kernel %s: %w", name, err)
	}
	rel, err := os.ReadFile(filepath.Join(dir, "release"))
	if err != nil {
		return Kernel{}, fmt.Errorf("vmtest kernel %s: %w (run %s --refresh %s)", name, err, FetchCommand, name)
	}
	k.Version = strings.TrimSpace(string(rel))
	if p, err := os.ReadFile(filepath.Join(dir, "package")); err == nil {
		k.Package = strings.TrimSpace(string(p))
	}
	return k, nil
}
