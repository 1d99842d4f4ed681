package postgres

// A bucket's path is the names from the top-level bucket down, each escaped
// (0x00 → 0x00 0xff) and ended by 0x00 0x01. No escaped name is a prefix of
// another, so the paths that start with a bucket's path are exactly the
// buckets nested in it, however deep: [path, end(path)) is the whole subtree,
// one index range. The root is the empty path.

func childPath(parent, name []byte) []byte {
	p := make([]byte, 0, len(parent)+len(name)+2)
	p = append(p, parent...)
	for _, c := range name {
		if c == 0 {
			p = append(p, 0, 0xff)
		} else {
			p = append(p, c)
		}
	}
	return append(p, 0, 1)
}

// subtreeEnd is the first path after every path that starts with path (a
// non-root path, which ends in 0x01).
func subtreeEnd(path []byte) []byte {
	end := append([]byte(nil), path...)
	end[len(end)-1] = 2
	return end
}

// within reports whether path is p or nested in it.
func within(path, p []byte) bool {
	return len(path) >= len(p) && string(path[:len(p)]) == string(p)
}
