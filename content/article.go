// Package content turns a folder of Markdown help articles with YAML front
// matter into validated, rendered articles, reporting every problem with file and line.
package content

import (
	"strings"
	"time"
)

// Locales the content layer recognises as a first path segment. The index
// has an analyzer for each.
var Locales = []string{"en", "es", "de", "fr", "it", "pt"}

// DefaultLocale is used when a file's path does not start with a known locale.
const DefaultLocale = "en"

// KnownLocale reports whether l is one of Locales.
func KnownLocale(l string) bool {
	for _, k := range Locales {
		if k == l {
			return true
		}
	}
	return false
}

// Visibility says who may read an article.
type Visibility string

// Visibilities, from the widest audience to the narrowest.
const (
	Public    Visibility = "public"
	Customers Visibility = "customers"
	Sellers   Visibility = "sellers"
	Internal  Visibility = "internal"
)

func (v Visibility) valid() bool {
	switch v {
	case Public, Customers, Sellers, Internal:
		return true
	}
	return false
}

// Article is one help article in one locale.
type Article struct {
	ID         string         `json:"id"`
	Locale     string         `json:"locale"`
	Title      string         `json:"title"`
	Category   string         `json:"category,omitempty"`
	Tags       []string       `json:"tags,omitempty"`
	Aliases    []string       `json:"aliases,omitempty"`
	Intents    []string       `json:"intents,omitempty"`
	Related    []string       `json:"related,omitempty"`
	Updated    time.Time      `json:"updated,omitzero"`
	Visibility Visibility     `json:"visibility"`
	Draft      bool           `json:"draft,omitempty"`
	ReviewBy   time.Time      `json:"review_by,omitzero"`
	Params     map[string]any `json:"params,omitempty"` // unknown front matter keys, kept as written

	Path     string   `json:"path"`     // slash path relative to the content root
	Slug     string   `json:"slug"`     // file name without extension
	Text     string   `json:"-"`        // plain text of the body (no headings), for search
	Headings []string `json:"headings"` // section headings, in order
	Links    []Link   `json:"-"`        // links to other articles by id
	Digest   string   `json:"-"`        // hash of the file's bytes

	// the rendered, sanitised body, compressed against Text: read it
	// with HTML (html.go)
	html []byte

	relatedLine int
	idLine      int
	// the canonical URL, made once when the file is read (URL is on every
	// search hit and suggestion), and the title its slug is of
	url, slugOf string
}

// compact moves the article's short strings (id, title, tags, aliases,
// headings, paths…) into one allocation and its lists into one array. A
// parsed article held some thirty small objects, most of them front-matter
// strings from the YAML decoder; at 10,000 articles those were most of what
// the garbage collector marks on every cycle, and its cycles are what the
// search's tail latency waits on. The plain text is in the same string
// (it was an object of its own, and markdown's builder left it oversized).
// The values are unchanged; each list is capped at its length, so appending
// to one copies it.
func (a *Article) compact() {
	singles := [...]*string{&a.ID, &a.Locale, &a.Title, &a.Category, &a.Path, &a.Slug, &a.Digest, &a.url, &a.Text}
	lists := [...]*[]string{&a.Tags, &a.Aliases, &a.Intents, &a.Related, &a.Headings}
	n, m := 0, 0
	for _, s := range singles {
		n += len(*s)
	}
	for _, l := range lists {
		m += len(*l)
		for _, s := range *l {
			n += len(s)
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range singles {
		b.WriteString(*s)
	}
	for _, l := range lists {
		for _, s := range *l {
			b.WriteString(s)
		}
	}
	all, off := b.String(), 0
	cut := func(s string) string {
		off += len(s)
		return all[off-len(s) : off]
	}
	for _, s := range singles {
		*s = cut(*s)
	}
	arr := make([]string, m)
	k := 0
	for _, l := range lists {
		if len(*l) == 0 {
			continue // nil stays nil
		}
		part := arr[k : k+len(*l) : k+len(*l)]
		for i, s := range *l {
			part[i] = cut(s)
		}
		*l, k = part, k+len(part)
	}
	a.slugOf = a.Title
}

// Key identifies an article in one locale.
func (a *Article) Key() Key { return Key{ID: a.ID, Locale: a.Locale} }

// URL is the article's canonical path in the help centre: the stable id and
// a slug of the title, so that links read well and a retitled article's old
// links redirect (the id alone finds it).
func (a *Article) URL() string {
	if a.slugOf == a.Title && a.url != "" {
		return a.url
	}
	return ArticleURL(a.Locale, a.ID) + "/" + Slugify(a.Title)
}

// ArticleURL is where the article id is read in locale; the help centre
// redirects it to the canonical URL with the slug.
func ArticleURL(locale, id string) string { return "/" + locale + "/articles/" + id }

// Slugify makes a URL segment of a title: lower case, accents folded (Fold),
// words joined by hyphens, at most 80 bytes.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range Fold(strings.ToLower(title)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
		if b.Len() >= 80 {
			break
		}
	}
	s := strings.TrimRight(b.String(), "-")
	if s == "" {
		return "article"
	}
	return s
}

// Key identifies an article in one locale.
type Key struct {
	ID     string
	Locale string
}

// Link is an internal link from an article body to another article id.
type Link struct {
	ID   string
	Line int
}

// Category groups articles; its metadata lives in _category.yaml in the
// category folder of each locale.
type Category struct {
	ID          string `json:"id"`
	Locale      string `json:"locale"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Order       int    `json:"order"`
	Path        string `json:"-"`
}
