package content

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Parser turns article files into Articles. It is safe for concurrent use.
type Parser struct {
	r *renderer
}

// NewParser configures goldmark and the HTML sanitiser once.
func NewParser() *Parser { return &Parser{r: newRenderer()} }

// pathParts derives the default locale, category and slug from a slash path
// relative to the content root: <locale>/<category>/<slug>.md, or any
// shallower layout (a flat folder of files is fine).
func pathParts(path string) (locale, category, slug string) {
	segs := strings.Split(path, "/")
	locale = DefaultLocale
	if len(segs) >= 2 && KnownLocale(segs[0]) {
		locale = segs[0]
		segs = segs[1:]
	}
	if len(segs) >= 2 {
		category = segs[0]
	}
	slug = strings.TrimSuffix(segs[len(segs)-1], ".md")
	return locale, category, slug
}

// Parse reads one article file. path is the slash path relative to the
// content root. The article is nil when the file has a problem that stops it
// from being published (an Error diagnostic marked fatal); warnings and
// non-fatal errors come back alongside a usable article.
func (p *Parser) Parse(path string, data []byte) (*Article, Diagnostics) {
	if line := firstInvalidUTF8(data); line > 0 {
		return nil, Diagnostics{errorf(path, line, "file is not valid UTF-8 (save it as UTF-8)")}
	}
	if strings.ContainsRune(string(data), utf8.RuneError) {
		return nil, Diagnostics{errorf(path, lineOf(data, "\uFFFD"), "file contains U+FFFD replacement characters: it was converted from another encoding")}
	}
	locale, category, slug := pathParts(path)
	a := &Article{Path: path, Slug: slug, Locale: locale, Category: category}
	sum := sha256.Sum256(data)
	a.Digest = hex.EncodeToString(sum[:8])

	fm, body, bodyLine, hasFM, err := splitFrontMatter(data)
	if err != nil {
		return nil, Diagnostics{errorf(path, 1, "%v", err)}
	}
	var ds Diagnostics
	if !hasFM {
		return nil, Diagnostics{errorf(path, 1, "missing front matter: start the file with a --- line, then at least title:, then ---")}
	}
	fds, fatal := decodeFrontMatter(a, path, fm, 2)
	ds = append(ds, fds...)
	if fds.Errors() > 0 && len(fm) > 0 && strings.Contains(fds[0].Message, "not valid YAML") {
		return nil, ds // nothing more can be read from broken YAML
	}
	// Check everything else too, so an editor sees every problem at once.
	fmLine := func(key string) int { return frontMatterKeyLine(fm, key) }
	if a.ID == "" {
		a.ID = slug
	}
	bad := func(d Diagnostic) {
		ds = append(ds, d)
		fatal = true
	}
	if !idRE.MatchString(a.ID) {
		bad(errorf(path, fmLine("id"), "id %q may only contain letters, digits, '.', '_' and '-' (at most 128)", a.ID))
	}
	if strings.TrimSpace(a.Title) == "" {
		bad(errorf(path, max(fmLine("title"), 1), "missing title: every article needs a title"))
	} else if len(a.Title) > 200 {
		bad(errorf(path, fmLine("title"), "title is %d characters long; keep it under 200", len(a.Title)))
	}
	if !KnownLocale(a.Locale) {
		bad(errorf(path, fmLine("locale"), "unknown locale %q (known: %s)", a.Locale, strings.Join(Locales, ", ")))
	}
	if a.Visibility == "" {
		a.Visibility = Public
	}
	if !a.Visibility.valid() {
		bad(errorf(path, fmLine("visibility"), "visibility %q must be one of public, customers, sellers, internal", a.Visibility))
	}
	if fatal {
		return nil, ds
	}
	if _, folderCat, _ := pathParts(path); folderCat != "" && a.Category != folderCat {
		ds = append(ds, warnf(path, fmLine("category"), "category %q differs from the folder %q it is in", a.Category, folderCat))
	}
	if strings.TrimSpace(string(body)) == "" {
		ds = append(ds, warnf(path, bodyLine, "the article has no body"))
	}
	ds = append(ds, p.r.render(a, body, bodyLine)...)
	a.relatedLine = fmLine("related")
	a.idLine = max(fmLine("id"), 1)
	a.url, a.slugOf = ArticleURL(a.Locale, a.ID)+"/"+Slugify(a.Title), a.Title
	a.compact()
	return a, ds
}

// frontMatterKeyLine finds the file line of a top-level key in the front
// matter (which starts on file line 2), or 0.
func frontMatterKeyLine(fm []byte, key string) int {
	for i, l := range strings.Split(string(fm), "\n") {
		if strings.HasPrefix(l, key+":") {
			return i + 2
		}
	}
	return 0
}

func lineOf(data []byte, s string) int {
	i := strings.Index(string(data), s)
	if i < 0 {
		return 0
	}
	return strings.Count(string(data[:i]), "\n") + 1
}

// parseCategory reads a _category.yaml file.
func parseCategory(path string, data []byte) (*Category, Diagnostics) {
	locale, _, _ := pathParts(path)
	segs := strings.Split(path, "/")
	if len(segs) < 2 {
		return nil, Diagnostics{errorf(path, 0, "_category.yaml belongs in a category folder")}
	}
	c := &Category{ID: segs[len(segs)-2], Locale: locale, Path: path}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, Diagnostics{errorf(path, yamlErrorLine(err), "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	var ds Diagnostics
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, Diagnostics{errorf(path, 1, "must be a mapping with title, description and order")}
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "title", "description":
			s, ok := scalarString(v)
			if !ok {
				ds = append(ds, errorf(path, v.Line, "%s must be a string", k.Value))
				continue
			}
			if k.Value == "title" {
				c.Title = s
			} else {
				c.Description = s
			}
		case "order":
			if v.Kind != yaml.ScalarNode || v.Decode(&c.Order) != nil {
				ds = append(ds, errorf(path, v.Line, "order must be a whole number, not %q", v.Value))
			}
		default:
			ds = append(ds, warnf(path, k.Line, "unknown key %q", k.Value))
		}
	}
	if c.Title == "" {
		ds = append(ds, errorf(path, 1, "missing title"))
	}
	if ds.Errors() > 0 {
		return nil, ds
	}
	return c, ds
}
