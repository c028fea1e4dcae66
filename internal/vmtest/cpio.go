package vmtest

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// cpioWriter writes a "newc" (SVR4, no CRC) cpio archive, the format the
// kernel unpacks as an initramfs (Documentation/driver-api/early-userspace/
// buffer-format.rst). Every entry is owned by root; parent directories must
// be added before their children.
type cpioWriter struct {
	w   *bufio.Writer
	ino uint32
	err error
}

func newCPIOWriter(w io.Writer) *cpioWriter {
	return &cpioWriter{w: bufio.NewWriterSize(w, 1<<20), ino: 1}
}

// Mode bits of the newc c_mode field (sys/stat.h).
const (
	cpioDir     = 0o040000
	cpioRegular = 0o100000
	cpioSymlink = 0o120000
	cpioChar    = 0o020000
)

// header writes one entry header and its name, padded to 4 bytes.
func (c *cpioWriter) header(name string, mode uint32, size int64, rdevMajor, rdevMinor uint32) {
	if c.err != nil {
		return
	}
	if size < 0 || size > 0xffffffff {
		c.err = fmt.Errorf("cpio entry %s: size %d does not fit newc", name, size)
		return
	}
	nlink := uint32(1)
	if mode&0o170000 == cpioDir {
		nlink = 2
	}
	ino := c.ino
	c.ino++
	// magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
	// devminor, rdevmajor, rdevminor, namesize (with NUL), check.
	_, c.err = fmt.Fprintf(c.w, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\x00",
		ino, mode, 0, 0, nlink, 0, uint32(size), 0, 0, rdevMajor, rdevMinor, len(name)+1, 0, name)
	c.pad(110 + int64(len(name)) + 1)
}

// pad writes NULs up to the next multiple of 4 after n bytes.
func (c *cpioWriter) pad(n int64) {
	if c.err != nil {
		return
	}
	if r := n % 4; r != 0 {
		_, c.err = c.w.Write(make([]byte, 4-r))
	}
}

// Dir adds a directory.
func (c *cpioWriter) Dir(name string, perm fs.FileMode) {
	c.header(name, cpioDir|uint32(perm.Perm()), 0, 0, 0)
}

// File adds a regular file with the given content.
func (c *cpioWriter) File(name string, perm fs.FileMode, data []byte) {
	c.header(name, cpioRegular|uint32(perm.Perm()), int64(len(data)), 0, 0)
	if c.err == nil {
		_, c.err = c.w.Write(data)
	}
	c.pad(int64(len(data)))
}

// CopyFile adds a regular file read from the host file src.
func (c *cpioWriter) CopyFile(name string, perm fs.FileMode, src string) {
	if c.err != nil {
		return
	}
	f, err := os.Open(src)
	if err != nil {
		c.err = err
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		c.err = err
		return
	}
	c.header(name, cpioRegular|uint32(perm.Perm()), st.Size(), 0, 0)
	if c.err != nil {
		return
	}
	n, err := io.Copy(c.w, f)
	if err == nil && n != st.Size() {
		err = fmt.Errorf("cpio entry %s: %s changed size while copied", name, src)
	}
	c.err = err
	c.pad(n)
}

// Symlink adds a symbolic link name -> target.
func (c *cpioWriter) Symlink(name, target string) {
	c.header(name, cpioSymlink|0o777, int64(len(target)), 0, 0)
	if c.err == nil {
		_, c.err = io.WriteString(c.w, target)
	}
	c.pad(int64(len(target)))
}

// CharDev adds a character device node.
func (c *cpioWriter) CharDev(name string, perm fs.FileMode, major, minor uint32) {
	c.header(name, cpioChar|uint32(perm.Perm()), 0, major, minor)
}

// Tree adds the host directory src (recursively, regular files,
// directories and symlinks) as name.
func (c *cpioWriter) Tree(name, src string) {
	if c.err != nil {
		return
	}
	c.err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		dst := path.Join(name, filepath.ToSlash(rel))
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			c.Dir(dst, info.Mode())
		case d.Type()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			c.Symlink(dst, t)
		case d.Type().IsRegular():
			c.CopyFile(dst, info.Mode(), p)
		}
		return c.err
	})
}

// Close writes the trailer and flushes. It does not close the underlying
// writer.
func (c *cpioWriter) Close() error {
	c.header("TRAILER!!!", 0, 0, 0, 0)
	if c.err == nil {
		c.err = c.w.Flush()
	}
	return c.err
}

// cleanName turns an absolute guest path into a cpio entry name.
func cleanName(p string) string { return strings.TrimPrefix(path.Clean(p), "/") }
