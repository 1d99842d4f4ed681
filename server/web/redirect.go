package web

import (
	"net/url"
	"strings"
)

// LocalPath reports whether next may be the target of a redirect after
// sign-in: a path on this site, never a way off it. Browsers drop tabs and
// line breaks from URLs and read a backslash as a slash, so "/\t/evil.example"
// and "/\evil.example" mean //evil.example, another host. Accepted: one
// leading slash and, after parsing, no scheme or host; no control
// character, space or backslash anywhere, nor in the path once
// percent-decoded (repeatedly), where a leading "//" is refused too; the
// query, decoded, may hold spaces ("?q=my%20invoice") but no control
// characters.
func LocalPath(next string) bool {
	if !plainPath(next) {
		return false
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	path, rest := next, "" // rest: the query and fragment
	if i := strings.IndexAny(next, "?#"); i >= 0 {
		path, rest = next[:i], next[i+1:]
	}
	for range 4 {
		d, err := url.PathUnescape(path)
		if err != nil || !plainPath(d) {
			return false
		}
		if d == path {
			q, err := url.QueryUnescape(rest)
			return err == nil && !strings.ContainsFunc(q, isControl)
		}
		path = d
	}
	return false // still decoding after four rounds: no honest link does that
}

// plainPath: starts with exactly one slash; no control characters, spaces
// or backslashes.
func plainPath(s string) bool {
	return strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") &&
		!strings.ContainsFunc(s, func(r rune) bool { return r == ' ' || r == '\\' || isControl(r) })
}

// isControl: C0, DEL, C1 and the Unicode line and paragraph separators.
func isControl(r rune) bool {
	return r < ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029'
}
