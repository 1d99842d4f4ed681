package content

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Set is one consistent view of the content: every publishable article, the
// categories and synonyms, and every problem found on the way.
type Set struct {
	Articles    map[Key]*Article
	Categories  map[Key]*Category // keyed by category id and locale
	Synonyms    map[string][]SynonymRule
	Diagnostics Diagnostics
	Files       int // article files seen
	LoadedAt    time.Time
}

// Sorted returns the articles ordered by locale, category and path.
func (s *Set) Sorted() []*Article {
	out := make([]*Article, 0, len(s.Articles))
	for _, a := range s.Articles {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Locale != out[j].Locale {
			return out[i].Locale < out[j].Locale
		}
		return out[i].Path < out[j].Path
	})
	return out
}

// Changes lists what differs between two consecutive Sets.
type Changes struct {
	Upserted []*Article
	Removed  []Key
	// SynonymsChanged names the locales whose synonym rules changed.
	SynonymsChanged []string
}

// Empty reports whether nothing changed.
func (c Changes) Empty() bool {
	return len(c.Upserted) == 0 && len(c.Removed) == 0 && len(c.SynonymsChanged) == 0
}

type fileState struct {
	modTime time.Time
	size    int64
	article *Article    // last good version, or nil
	diags   Diagnostics // problems of the current version
}

type auxState struct {
	modTime time.Time
	size    int64
	data    []byte
}

// Loader reads a content tree again and again, re-parsing only the files that
// changed since the last Load. A file that turns bad keeps its last good
// version. A Loader is not safe for concurrent use.
type Loader struct {
	fsys   fs.FS
	parser *Parser
	files  map[string]*fileState
	aux    map[string]*auxState // _category.yaml and synonyms.txt
	prev   *Set
}

// NewLoader reads content from fsys, whose root holds the locale folders.
func NewLoader(fsys fs.FS) *Loader {
	return &Loader{fsys: fsys, parser: NewParser(), files: map[string]*fileState{}, aux: map[string]*auxState{}}
}

// skipName reports whether a file or folder name is not content.
func skipName(name string) bool {
	return strings.HasPrefix(name, ".") || (strings.HasPrefix(name, "_") && name != "_category.yaml") ||
		strings.EqualFold(name, "README.md") || name == "node_modules"
}

// Load walks the tree and returns the new Set and what changed since the
// previous Load. An error means the tree itself could not be read.
func (l *Loader) Load() (*Set, Changes, error) {
	seen := map[string]bool{}
	seenAux := map[string]bool{}
	var todo []pendingFile // articles to read again, in walk order
	err := fs.WalkDir(l.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			return nil // unreadable entry: skipped, reported by its absence
		}
		if p != "." && skipName(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 && !linkInside(l.fsys, p) {
			// A link out of the tree (passwd.md → /etc/passwd) would
			// publish whatever it points at: skipped, and said so.
			if path.Ext(p) == ".md" || d.Name() == "_category.yaml" || d.Name() == SynonymFile {
				seen[p] = true
				l.files[p] = &fileState{modTime: info.ModTime(), size: info.Size(),
					diags: Diagnostics{errorf(p, 1, "symbolic link to a file outside the content folder: skipped")}}
			}
			return nil
		}
		switch {
		case d.Name() == "_category.yaml" || d.Name() == SynonymFile:
			seenAux[p] = true
			st := l.aux[p]
			if st != nil && st.modTime.Equal(info.ModTime()) && st.size == info.Size() && !info.ModTime().IsZero() {
				return nil
			}
			data, err := fs.ReadFile(l.fsys, p)
			if err != nil {
				return nil
			}
			l.aux[p] = &auxState{modTime: info.ModTime(), size: info.Size(), data: data}
		case path.Ext(p) == ".md":
			seen[p] = true
			if l.changed(p, info) {
				todo = append(todo, pendingFile{p, info})
			}
		}
		return nil
	})
	if err != nil {
		return nil, Changes{}, fmt.Errorf("content: read %w", err)
	}
	l.loadArticles(todo)
	for p := range l.files {
		if !seen[p] {
			delete(l.files, p)
		}
	}
	for p := range l.aux {
		if !seenAux[p] {
			delete(l.aux, p)
		}
	}
	set := l.assemble(len(seen))
	ch := diff(l.prev, set)
	l.prev = set
	return set, ch, nil
}

// maxLinkHops bounds how many symbolic links linkInside follows.
const maxLinkHops = 8

// linkInside reports whether the symbolic link at p, and any link it leads
// to, stays inside fsys's tree: relative targets that never climb out.
// A file system that cannot read links (fs.ReadLinkFS) gives false.
func linkInside(fsys fs.FS, p string) bool {
	for range maxLinkHops {
		target, err := fs.ReadLink(fsys, p)
		if err != nil || target == "" || path.IsAbs(target) || strings.HasPrefix(target, `\`) || (len(target) > 1 && target[1] == ':') {
			return false
		}
		p = path.Join(path.Dir(p), target)
		if p == ".." || strings.HasPrefix(p, "../") || !fs.ValidPath(p) {
			return false
		}
		info, err := fs.Lstat(fsys, p)
		if err != nil {
			return false
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			return true
		}
	}
	return false
}

// pendingFile is an article file that changed since the last Load.
type pendingFile struct {
	path string
	info fs.FileInfo
}

// parsedFile is what reading and parsing one file gave.
type parsedFile struct {
	readErr error
	article *Article
	diags   Diagnostics
}

// parallelFrom is how many changed files make Load parse them on every core:
// a full load of 10,000 articles is ~1 s of parsing on one.
const parallelFrom = 64

// changed reports whether the file at p differs from what was last read of it.
func (l *Loader) changed(p string, info fs.FileInfo) bool {
	st := l.files[p]
	return st == nil || info.ModTime().IsZero() || !st.modTime.Equal(info.ModTime()) || st.size != info.Size()
}

// loadArticles reads and parses the files, on every core when there are
// many (each worker with its own Parser), and records the results in walk
// order, as one at a time would.
func (l *Loader) loadArticles(todo []pendingFile) {
	out := make([]parsedFile, len(todo))
	workers := min(runtime.GOMAXPROCS(0), len(todo)/parallelFrom+1)
	if workers <= 1 {
		for i, f := range todo {
			out[i] = l.parseFile(l.parser, f.path)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := range workers {
			parser := l.parser
			if w > 0 {
				parser = NewParser()
			}
			wg.Go(func() {
				for i := int(next.Add(1) - 1); i < len(todo); i = int(next.Add(1) - 1) {
					out[i] = l.parseFile(parser, todo[i].path)
				}
			})
		}
		wg.Wait()
	}
	for i, f := range todo {
		l.recordArticle(f.path, f.info, out[i])
	}
}

func (l *Loader) parseFile(parser *Parser, p string) parsedFile {
	data, err := fs.ReadFile(l.fsys, p)
	if err != nil {
		return parsedFile{readErr: err}
	}
	a, ds := parser.Parse(p, data)
	return parsedFile{article: a, diags: ds}
}

func (l *Loader) recordArticle(p string, info fs.FileInfo, r parsedFile) {
	st := l.files[p]
	if st == nil {
		st = &fileState{}
		key := p
		if a := r.article; a != nil && a.Path == p {
			// The article's Path, one string with its others (compact):
			// the walk's is then garbage, 10,000 fewer objects at 10,000
			// articles.
			key = a.Path
		}
		l.files[key] = st
	}
	st.modTime, st.size = info.ModTime(), info.Size()
	if r.readErr != nil {
		st.diags = Diagnostics{errorf(p, 0, "cannot read: %v", errors.Unwrap(r.readErr))}
		return
	}
	a, ds := r.article, r.diags
	if a != nil && st.article != nil && st.article.Digest == a.Digest {
		st.diags = ds
		return // same bytes: keep the same pointer so nothing is re-indexed
	}
	st.diags = ds
	if a != nil {
		st.article = a
	} else if st.article != nil {
		st.diags = append(st.diags, warnf(p, 0, "the last good version of this file keeps serving until it is fixed"))
	}
}

// assemble builds a Set from the per-file states and checks what spans files:
// duplicate ids, links, related ids, category metadata.
func (l *Loader) assemble(files int) *Set {
	s := &Set{
		Articles:   map[Key]*Article{},
		Categories: map[Key]*Category{},
		Synonyms:   map[string][]SynonymRule{},
		Files:      files,
		LoadedAt:   time.Now(),
	}
	paths := make([]string, 0, len(l.files))
	for p := range l.files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	ids := map[string]bool{}
	for _, p := range paths {
		st := l.files[p]
		s.Diagnostics = append(s.Diagnostics, st.diags...)
		a := st.article
		if a == nil {
			continue
		}
		if prev, dup := s.Articles[a.Key()]; dup {
			s.Diagnostics = append(s.Diagnostics, errorf(p, a.idLine, "id %q in locale %q is already used by %s; this file is not published", a.ID, a.Locale, prev.Path))
			continue
		}
		s.Articles[a.Key()] = a
		ids[a.ID] = true
	}

	auxPaths := make([]string, 0, len(l.aux))
	for p := range l.aux {
		auxPaths = append(auxPaths, p)
	}
	sort.Strings(auxPaths)
	for _, p := range auxPaths {
		data := l.aux[p].data
		if path.Base(p) == SynonymFile {
			locale := path.Dir(p)
			if locale == "." {
				locale = DefaultLocale
			}
			if !KnownLocale(locale) {
				s.Diagnostics = append(s.Diagnostics, warnf(p, 0, "synonyms.txt belongs at <locale>/synonyms.txt; %q is not a known locale", locale))
				continue
			}
			rules, ds := parseSynonyms(p, locale, data)
			s.Diagnostics = append(s.Diagnostics, ds...)
			s.Synonyms[locale] = append(s.Synonyms[locale], rules...)
			continue
		}
		c, ds := parseCategory(p, data)
		s.Diagnostics = append(s.Diagnostics, ds...)
		if c != nil {
			s.Categories[Key{ID: c.ID, Locale: c.Locale}] = c
		}
	}

	missingCat := map[Key]bool{}
	for _, p := range paths {
		a := l.files[p].article
		if a == nil || s.Articles[a.Key()] != a {
			continue
		}
		for _, ln := range a.Links {
			if !ids[ln.ID] {
				s.Diagnostics = append(s.Diagnostics, errorf(a.Path, ln.Line, "link to unknown article id %q", ln.ID))
			}
		}
		for _, r := range a.Related {
			if !ids[r] {
				s.Diagnostics = append(s.Diagnostics, errorf(a.Path, a.relatedLine, "related: unknown article id %q", r))
			}
		}
		if a.Category != "" && len(s.Categories) > 0 {
			k := Key{ID: a.Category, Locale: a.Locale}
			if _, ok := s.Categories[k]; !ok && !missingCat[k] {
				missingCat[k] = true
				s.Diagnostics = append(s.Diagnostics, warnf(a.Path, 0, "category %q has no _category.yaml in locale %q", a.Category, a.Locale))
			}
		}
	}
	s.Diagnostics.Sort()
	return s
}

func diff(prev, next *Set) Changes {
	var ch Changes
	if prev == nil {
		prev = &Set{}
	}
	for k, a := range next.Articles {
		if prev.Articles[k] != a {
			ch.Upserted = append(ch.Upserted, a)
		}
	}
	for k := range prev.Articles {
		if _, ok := next.Articles[k]; !ok {
			ch.Removed = append(ch.Removed, k)
		}
	}
	locales := map[string]bool{}
	for l := range prev.Synonyms {
		locales[l] = true
	}
	for l := range next.Synonyms {
		locales[l] = true
	}
	for l := range locales {
		if !sameRules(prev.Synonyms[l], next.Synonyms[l]) {
			ch.SynonymsChanged = append(ch.SynonymsChanged, l)
		}
	}
	sort.Strings(ch.SynonymsChanged)
	sort.Slice(ch.Upserted, func(i, j int) bool { return ch.Upserted[i].Path < ch.Upserted[j].Path })
	return ch
}

func sameRules(a, b []SynonymRule) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i].From, ",") != strings.Join(b[i].From, ",") ||
			strings.Join(a[i].To, ",") != strings.Join(b[i].To, ",") || a[i].Equivalent != b[i].Equivalent {
			return false
		}
	}
	return true
}
