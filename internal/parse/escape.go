package parse

import "bytes"

// Unescape appends src to dst, decoding the octal escapes the kernel's
// seq_file helpers (mangle_path, seq_escape) write into /proc/PID/mountinfo,
// /proc/mounts, /proc/swaps and similar files: a backslash followed by
// exactly three octal digits (\040 space, \011 tab, \012 newline, \134
// backslash). A backslash not followed by three octal digits of value at most
// 0377 is copied through literally. It allocates only if dst lacks capacity.
func Unescape(dst, src []byte) []byte {
	for {
		i := bytes.IndexByte(src, '\\')
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i]...)
		src = src[i:]
		if len(src) >= 4 && src[1]-'0' <= 3 && src[2]-'0' <= 7 && src[3]-'0' <= 7 {
			dst = append(dst, (src[1]-'0')<<6|(src[2]-'0')<<3|(src[3]-'0'))
			src = src[4:]
			continue
		}
		dst = append(dst, '\\')
		src = src[1:]
	}
}
