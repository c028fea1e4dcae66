package vmtest

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// Module is lx's module path; package paths without a dot in their first
// element are taken relative to it ("procfs", "internal/sys").
const Module = "github.com/lxgo/lx"

// Image is a set of test binaries built once and booted any number of times
// (one guest per kernel and shape). Close removes the binaries.
type Image struct {
	dir  string
	pkgs []builtPackage
}

type builtPackage struct {
	ImportPath string // full import path
	Dir        string // source directory on the host
	Binary     string // host path of the test binary; "" when no test files
	TestData   string // snapshot of Dir/testdata taken at Build; "" when none
}

// Packages returns the full import paths of the image, in order.
func (im *Image) Packages() []string {
	out := make([]string, len(im.pkgs))
	for i, p := range im.pkgs {
		out[i] = p.ImportPath
	}
	return out
}

// Close removes the built binaries. It is idempotent.
func (im *Image) Close() error {
	if im.dir == "" {
		return nil
	}
	err := os.RemoveAll(im.dir)
	im.dir = ""
	return err
}

// ImportPath expands a module-relative package path ("procfs") to a full
// import path; full paths and patterns starting with "." are kept.
func ImportPath(p string) string {
	first, _, _ := strings.Cut(p, "/")
	if strings.HasPrefix(p, ".") || strings.Contains(first, ".") {
		return p
	}
	return Module + "/" + p
}

// Build compiles the test binaries of pkgs (import paths, module-relative
// paths or go list patterns) with CGO_ENABLED=0 for linux/amd64, the
// guest's architecture. Build runs the go command in the current directory,
// which must be inside the lx module.
func Build(ctx context.Context, pkgs []string) (*Image, error) {
	if len(pkgs) == 0 {
		return nil, errors.New("vmtest build: no packages")
	}
	args := []string{"list", "-e", "-json=ImportPath,Dir,TestGoFiles,XTestGoFiles,Error"}
	for _, p := range pkgs {
		args = append(args, ImportPath(p))
	}
	out, err := goCmd(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("vmtest build: %w", err)
	}
	dir, err := os.MkdirTemp("", "lx-vmtest-")
	if err != nil {
		return nil, fmt.Errorf("vmtest build: %w", err)
	}
	im := &Image{dir: dir}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			ImportPath                string
			Dir                       string
			TestGoFiles, XTestGoFiles []string
			Error                     *struct{ Err string }
		}
		if err := dec.Decode(&p); err != nil {
			im.Close()
			return nil, fmt.Errorf("vmtest build: go list: %w", err)
		}
		if p.Error != nil {
			im.Close()
			return nil, fmt.Errorf("vmtest build %s: %s", p.ImportPath, p.Error.Err)
		}
		bp := builtPackage{ImportPath: p.ImportPath, Dir: p.Dir}
		if len(p.TestGoFiles)+len(p.XTestGoFiles) > 0 {
			bp.Binary = filepath.Join(dir, fmt.Sprintf("%d-%s.test", len(im.pkgs), path.Base(p.ImportPath)))
			// Snapshot testdata now, so that every boot of the image sees
			// the files the binary was built with.
			src := filepath.Join(p.Dir, "testdata")
			if st, err := os.Stat(src); err == nil && st.IsDir() {
				bp.TestData = filepath.Join(dir, fmt.Sprintf("%d-testdata", len(im.pkgs)))
				if err := os.CopyFS(bp.TestData, os.DirFS(src)); err != nil {
					im.Close()
					return nil, fmt.Errorf("vmtest build %s: copy testdata: %w", p.ImportPath, err)
				}
			}
		}
		im.pkgs = append(im.pkgs, bp)
	}
	if err := im.compile(ctx); err != nil {
		im.Close()
		return nil, err
	}
	return im, nil
}

// compile runs go test -c for every package that has tests. The go command
// builds one package per invocation here so that two packages with the same
// last element cannot collide; the build cache makes the repeats cheap.
func (im *Image) compile(ctx context.Context) error {
	for _, p := range im.pkgs {
		if p.Binary == "" {
			continue
		}
		if _, err := goCmd(ctx, "test", "-c", "-o", p.Binary, p.ImportPath); err != nil {
			return fmt.Errorf("vmtest build %s: %w", p.ImportPath, err)
		}
	}
	return nil
}

// goCmd runs the go command for the guest (linux/amd64, no cgo) and
// returns its standard output, or an error carrying its standard error.
func goCmd(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOFLAGS=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}

// guestDir is where package p's binary and testdata are in the guest: its
// import path under /lxvm, so that relative paths between packages hold.
func guestDir(importPath string) string { return "/lxvm/" + importPath }

// initScript is the guest's /init.
//
//go:embed init.sh
var initScript []byte

// busyboxPath is the static busybox from Debian's busybox-static, or
// $LX_VMTEST_BUSYBOX.
func busyboxPath() string {
	if p := os.Getenv("LX_VMTEST_BUSYBOX"); p != "" {
		return p
	}
	return "/bin/busybox"
}

// checkBusybox reports whether the busybox binary is static: a dynamic one
// (Debian's busybox package, not busybox-static) cannot run in the guest.
func checkBusybox() error {
	p := busyboxPath()
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("busybox: %w (install busybox-static)", err)
	}
	defer f.Close()
	b := make([]byte, 1<<20)
	n, _ := io.ReadFull(f, b)
	if !bytes.HasPrefix(b[:n], []byte("\x7fELF")) {
		return fmt.Errorf("busybox %s is not an ELF binary (install busybox-static)", p)
	}
	if bytes.Contains(b[:n], []byte("/lib64/ld-linux")) || bytes.Contains(b[:n], []byte("/lib/ld-linux")) {
		return fmt.Errorf("busybox %s is dynamically linked (install busybox-static)", p)
	}
	return nil
}

// writeInitramfs writes the guest's root filesystem as an uncompressed
// newc cpio archive (the kernel unpacks it faster under TCG than a
// compressed one). config and tests are the per-boot files read by init;
// modules are host paths of kernel modules, put in /lib/modules under
// their base names for init to insmod.
func (im *Image) writeInitramfs(w io.Writer, config, tests []byte, modules []string) error {
	c := newCPIOWriter(w)
	for _, d := range []string{"bin", "dev", "etc", "etc/lxvm", "lib", "lib/modules", "proc", "sys", "tmp", "root", "run", "lxvm"} {
		c.Dir(d, 0o755)
	}
	for _, m := range modules {
		c.CopyFile("lib/modules/"+filepath.Base(m), 0o644, m)
	}
	c.CharDev("dev/console", 0o600, 5, 1)
	c.CopyFile("bin/busybox", 0o755, busyboxPath())
	c.Symlink("bin/sh", "busybox")
	c.File("init", 0o755, initScript)
	c.File("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"))
	c.File("etc/group", 0o644, []byte("root:x:0:\ntty:x:5:\nnogroup:x:65534:\n"))
	c.File("etc/lxvm/config", 0o600, config)
	c.File("etc/lxvm/tests", 0o644, tests)
	made := map[string]bool{"lxvm": true}
	for _, p := range im.pkgs {
		if p.Binary == "" {
			continue
		}
		gd := cleanName(guestDir(p.ImportPath))
		// Parent directories first.
		for i := range gd {
			if gd[i] == '/' && !made[gd[:i]] {
				made[gd[:i]] = true
				c.Dir(gd[:i], 0o755)
			}
		}
		made[gd] = true
		c.Dir(gd, 0o755)
		c.CopyFile(gd+"/"+path.Base(p.Binary), 0o755, p.Binary)
		if p.TestData != "" {
			c.Tree(gd+"/testdata", p.TestData)
		}
	}
	if err := c.Close(); err != nil {
		return fmt.Errorf("vmtest initramfs: %w", err)
	}
	return nil
}

// shellQuote quotes s as one word for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
