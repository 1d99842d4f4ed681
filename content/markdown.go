package content

import (
	"bytes"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// ArticleScheme is the link scheme for links to other articles by id:
// [text](article:invoice-download).
const ArticleScheme = "article:"

// renderer holds the one goldmark configuration and sanitiser policy used for
// every article. It is safe for concurrent use.
type renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

func newRenderer() *renderer {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		// Raw HTML stays off (no html.WithUnsafe): editors write Markdown only.
	)
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(false)
	p.AllowAttrs("id").OnElements("h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("style").Matching(bluemonday.Paragraph).OnElements("th", "td")
	p.AllowStyles("text-align").MatchingEnum("left", "right", "center").OnElements("th", "td")
	return &renderer{md: md, policy: p}
}

// lineIndex maps byte offsets in the body to file lines.
type lineIndex struct {
	starts []int // byte offset of each body line
	first  int   // file line of the body's first line
}

func newLineIndex(body []byte, first int) lineIndex {
	starts := []int{0}
	for i, c := range body {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return lineIndex{starts: starts, first: first}
}

func (li lineIndex) line(off int) int {
	i := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > off })
	return li.first + i - 1
}

// render parses the Markdown body, rewrites article links, drops a leading
// H1 that repeats the title and fills HTML, Text, Headings and Links.
func (r *renderer) render(a *Article, body []byte, bodyLine int) Diagnostics {
	var ds Diagnostics
	li := newLineIndex(body, bodyLine)
	doc := r.md.Parser().Parse(text.NewReader(body))

	var sb strings.Builder
	var headings []string
	var links []Link
	// A leading H1 that repeats the title is dropped: pages show the title.
	var drop ast.Node
	if h, ok := doc.FirstChild().(*ast.Heading); ok && h.Level == 1 &&
		strings.EqualFold(strings.TrimSpace(inlineText(h, body)), strings.TrimSpace(a.Title)) {
		drop = h
	}
	// First pass, over every node: headings, and article links rewritten.
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			if t := strings.TrimSpace(inlineText(n, body)); t != "" && ast.Node(n) != drop {
				headings = append(headings, t)
			}
		case *ast.Link:
			dest := string(n.Destination)
			if strings.HasPrefix(dest, ArticleScheme) {
				id, frag, _ := strings.Cut(strings.TrimPrefix(dest, ArticleScheme), "#")
				line := bodyLine
				if off := firstOffset(n); off >= 0 {
					line = li.line(off)
				}
				if id == "" {
					ds = append(ds, errorf(a.Path, line, "link %q names no article id", dest))
				} else {
					links = append(links, Link{ID: id, Line: line})
				}
				u := ArticleURL(a.Locale, id)
				if frag != "" {
					u += "#" + frag
				}
				n.Destination = []byte(u)
			}
		}
		return ast.WalkContinue, nil
	})
	// Second pass: the plain text of the body's blocks, headings excluded.
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			return ast.WalkSkipChildren, nil
		case *ast.Paragraph, *ast.TextBlock, *ast.CodeBlock, *ast.FencedCodeBlock, *extast.TableCell:
			if sb.Len() > 0 {
				sb.WriteString("\n")
			}
			if cb, ok := n.(interface{ Lines() *text.Segments }); ok && isCode(n) {
				segs := cb.Lines()
				for i := 0; i < segs.Len(); i++ {
					s := segs.At(i)
					sb.Write(s.Value(body))
				}
			} else {
				sb.WriteString(inlineText(n, body))
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	if drop != nil {
		doc.RemoveChild(doc, drop)
	}

	var buf bytes.Buffer
	if err := r.md.Renderer().Render(&buf, body, doc); err != nil {
		ds = append(ds, errorf(a.Path, bodyLine, "cannot render Markdown: %v", err))
		return ds
	}
	html := r.policy.SanitizeBytes(buf.Bytes())
	// The builder's buffer grew by doubling and is up to twice the text:
	// compact (Parse's last step) copies the text at its length into the
	// article's one string (measured at 10,000 articles: 12.5 MB of the
	// heap was these buffers when they were kept).
	a.Text = strings.TrimSpace(sb.String())
	a.setHTML(html)
	a.Headings = headings
	a.Links = links
	return ds
}

func isCode(n ast.Node) bool {
	switch n.(type) {
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		return true
	}
	return false
}

// firstOffset finds the byte offset of the first text inside n, or -1.
func firstOffset(n ast.Node) int {
	off := -1
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			off = t.Segment.Start
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return off
}

// inlineText is the plain text of n's inline content.
func inlineText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.AutoLink:
			b.Write(c.Label(src))
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// firstInvalidUTF8 returns the 1-based line of the first invalid UTF-8
// sequence in data, or 0 when data is valid.
func firstInvalidUTF8(data []byte) int {
	if utf8.Valid(data) {
		return 0
	}
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return line
		}
		if data[i] == '\n' {
			line++
		}
		i += size
	}
	return line
}
