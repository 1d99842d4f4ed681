package content

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// splitFrontMatter separates a YAML front matter block delimited by "---"
// lines from the body. It returns the YAML, the body and the 1-based file line
// on which the body starts. ok is false when the file has no front matter.
func splitFrontMatter(data []byte) (fm, body []byte, bodyLine int, ok bool, err error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	first, rest, found := bytes.Cut(data, []byte("\n"))
	if strings.TrimRight(string(first), " \t\r") != "---" {
		return nil, data, 1, false, nil
	}
	if !found {
		return nil, nil, 0, false, fmt.Errorf("front matter is opened by --- but never closed")
	}
	line := 2
	off := 0
	for off <= len(rest) {
		end := bytes.IndexByte(rest[off:], '\n')
		var l []byte
		next := len(rest) + 1
		if end < 0 {
			l = rest[off:]
		} else {
			l = rest[off : off+end]
			next = off + end + 1
		}
		t := strings.TrimRight(string(l), " \t\r")
		if t == "---" || t == "..." {
			body = nil
			if next <= len(rest) {
				body = rest[next:]
			}
			return rest[:off], body, line + 1, true, nil
		}
		line++
		off = next
	}
	return nil, nil, 0, false, fmt.Errorf("front matter is opened by --- on line 1 but never closed")
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// yamlErrorLine extracts the line of a yaml.v3 syntax error, relative to the
// YAML text (1-based), or 0.
//
// yaml.v3 reports parser errors ("did not find expected ...") with libyaml's
// 0-based line of the construct that is left open, and scanner errors with a
// 1-based line; this undoes the difference.
func yamlErrorLine(err error) int {
	m := yamlLineRE.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	if strings.Contains(err.Error(), "did not find expected") {
		n++
	}
	return n
}

// firstFailingLine finds the first line at which the YAML stops parsing with
// the same complaint as the whole text: yaml.v3's own line numbers point at
// the start of an open construct or are off by one, depending on the error.
func firstFailingLine(fm []byte, whole error) int {
	msg := func(err error) string { return yamlLineRE.ReplaceAllString(err.Error(), "") }
	lines := strings.SplitAfter(string(fm), "\n")
	if len(lines) > 200 {
		return 0
	}
	var prefix strings.Builder
	var n yaml.Node
	for i, l := range lines {
		prefix.WriteString(l)
		if err := yaml.Unmarshal([]byte(prefix.String()), &n); err != nil && msg(err) == msg(whole) {
			return i + 1
		}
	}
	return 0
}

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// decodeFrontMatter fills a from the YAML front matter; fmLine is the file
// line of the first YAML line.
func decodeFrontMatter(a *Article, path string, fm []byte, fmLine int) (ds Diagnostics, fatal bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(fm, &doc); err != nil {
		l := yamlErrorLine(err)
		if p := firstFailingLine(fm, err); p > 0 {
			l = p
		}
		line := fmLine - 1
		if l > 0 {
			line = fmLine + l - 1
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = yamlLineRE.ReplaceAllString(msg, "")
		msg = strings.TrimLeft(msg, ": ")
		return Diagnostics{errorf(path, line, "front matter is not valid YAML: %s", msg)}, true
	}
	if len(doc.Content) == 0 {
		return nil, false // empty front matter
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return Diagnostics{errorf(path, fmLine+root.Line-1, "front matter must be a mapping of keys to values")}, true
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		line := fmLine + k.Line - 1
		vline := fmLine + v.Line - 1
		key := k.Value
		if prev, dup := seen[key]; dup {
			ds = append(ds, errorf(path, line, "front matter key %q is repeated (first on line %d)", key, prev))
			fatal = true
			continue
		}
		seen[key] = line
		bad := func(format string, args ...any) {
			ds = append(ds, errorf(path, vline, "%s: "+format, append([]any{key}, args...)...))
			fatal = true
		}
		switch key {
		case "id", "title", "locale", "category", "visibility":
			s, ok := scalarString(v)
			if !ok {
				bad("must be a string, not %s", kindName(v))
				continue
			}
			switch key {
			case "id":
				a.ID = s
			case "title":
				a.Title = s
			case "locale":
				a.Locale = s
			case "category":
				a.Category = s
			case "visibility":
				a.Visibility = Visibility(s)
			}
		case "tags", "aliases", "intents", "related":
			list, ok := stringList(v)
			if !ok {
				bad("must be a list of strings")
				continue
			}
			switch key {
			case "tags":
				a.Tags = list
			case "aliases":
				a.Aliases = list
			case "intents":
				a.Intents = list
			case "related":
				a.Related = list
			}
		case "updated", "review_by", "date":
			s, ok := scalarString(v)
			t, err := parseDate(s)
			if !ok || err != nil {
				bad("must be a date like 2026-01-31, not %q", v.Value)
				continue
			}
			switch key {
			case "updated", "date":
				a.Updated = t
			case "review_by":
				a.ReviewBy = t
			}
		case "draft":
			var b bool
			if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
				bad("must be true or false, not %q", v.Value)
				continue
			}
			a.Draft = b
		default:
			var val any
			if err := v.Decode(&val); err != nil {
				bad("cannot be read: %v", err)
				continue
			}
			if a.Params == nil {
				a.Params = map[string]any{}
			}
			a.Params[key] = val
			ds = append(ds, warnf(path, line, "unknown front matter key %q (kept as a parameter)", key))
		}
	}
	return ds, fatal
}

func scalarString(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		return "", false
	}
	return strings.TrimSpace(n.Value), true
}

func stringList(n *yaml.Node) ([]string, bool) {
	if n.Kind == yaml.ScalarNode {
		if n.Tag == "!!null" {
			return nil, true
		}
		return []string{strings.TrimSpace(n.Value)}, true
	}
	if n.Kind != yaml.SequenceNode {
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode {
			return nil, false
		}
		if s := strings.TrimSpace(c.Value); s != "" {
			out = append(out, s)
		}
	}
	return out, true
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a " + strings.TrimPrefix(n.Tag, "!!")
}

func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", time.RFC3339, "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date: %q", s)
}
