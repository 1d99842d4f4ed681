package content_test

import (
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/marketplace/helpcentre/content"
)

// TestCheckReportsEveryProblemWithLine loads a folder of broken files and
// expects each problem once, at the right file and line.
func TestCheckReportsEveryProblemWithLine(t *testing.T) {
	set, _, err := content.NewLoader(os.DirFS("testdata/bad")).Load()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"en/orders/bad-types.md:3: error: draft: must be true or false",
		"en/orders/bad-types.md:4: error: updated: must be a date",
		"en/orders/bad-types.md:5: error: visibility \"everyone\"",
		"en/orders/bad-yaml.md:3: error: front matter is not valid YAML",
		"en/orders/good.md:5: error: related: unknown article id \"missing-related\"",
		"en/orders/good.md:8: error: link to unknown article id \"nowhere\"",
		"en/orders/latin1.md:2: error: file is not valid UTF-8",
		"en/orders/no-title.md:1: error: missing title",
		"en/orders/unclosed.md:1: error: front matter is opened by --- on line 1 but never closed",
		"en/orders/zdup.md:2: error: id \"good\" in locale \"en\" is already used by en/orders/good.md",
	}
	var got []string
	for _, d := range set.Diagnostics {
		got = append(got, d.String())
	}
	if len(got) != len(want) {
		t.Errorf("got %d diagnostics, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range min(len(got), len(want)) {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("diagnostic %d:\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
	if n := len(set.Articles); n != 1 {
		t.Errorf("published %d articles, want only good.md", n)
	}
}

// TestForeignCorpus: a flat folder with only id and title (plus unknown keys)
// loads, with warnings only.
func TestForeignCorpus(t *testing.T) {
	set, _, err := content.NewLoader(os.DirFS("testdata/flat")).Load()
	if err != nil {
		t.Fatal(err)
	}
	if set.Diagnostics.Errors() != 0 {
		t.Fatalf("errors on a foreign corpus:\n%s", set.Diagnostics)
	}
	a := set.Articles[content.Key{ID: "cov-001", Locale: "en"}]
	if a == nil {
		t.Fatal("cov-001 not loaded")
	}
	if a.Visibility != content.Public || a.Category != "" || a.Params["source"] != "CovidFAQ" {
		t.Errorf("defaults: visibility %q category %q params %v", a.Visibility, a.Category, a.Params)
	}
	if len(a.Headings) != 0 || strings.Contains(string(a.HTML()), "<h1") {
		t.Errorf("the H1 repeating the title should be dropped: headings %v html %s", a.Headings, a.HTML())
	}
}

func TestBundledContentIsClean(t *testing.T) {
	set, _, err := content.NewLoader(content.Bundled()).Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Diagnostics) > 0 {
		t.Fatalf("bundled content has problems:\n%s", set.Diagnostics)
	}
	count := map[string]int{}
	for _, a := range set.Articles {
		count[a.Locale]++
	}
	if count["en"] < 45 || count["es"] < 25 {
		t.Errorf("bundled articles: %v, want at least 45 en and 25 es", count)
	}
	for k, a := range set.Articles {
		if k.Locale == "es" {
			if _, ok := set.Articles[content.Key{ID: a.ID, Locale: "en"}]; !ok {
				t.Errorf("%s: Spanish article %q has no English original with the same id", a.Path, a.ID)
			}
		}
	}
}

func TestParseRendersSafely(t *testing.T) {
	src := `---
title: Safe
tags: single
---

# Safe

Intro with <script>alert(1)</script> and [a link](javascript:alert(1)).

## Steps to follow

| Step | What |
|------|------|
| 1    | [Download](article:invoice-download#pdf) |
`
	a, ds := content.NewParser().Parse("en/invoices/safe.md", []byte(src))
	if a == nil {
		t.Fatalf("not parsed: %v", ds)
	}
	html := string(a.HTML())
	for _, bad := range []string{"<script", "javascript:", "alert(1)</script>"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML keeps %q: %s", bad, html)
		}
	}
	for _, good := range []string{`<h2 id="steps-to-follow">`, `href="/en/articles/invoice-download#pdf"`, "<table>"} {
		if !strings.Contains(html, good) {
			t.Errorf("HTML lacks %q: %s", good, html)
		}
	}
	if len(a.Links) != 1 || a.Links[0].ID != "invoice-download" || a.Links[0].Line != 14 {
		t.Errorf("links %+v, want invoice-download on line 14", a.Links)
	}
	if a.ID != "safe" || a.Locale != "en" || a.Category != "invoices" || len(a.Tags) != 1 {
		t.Errorf("defaults from path: %+v", a)
	}
	if strings.Contains(a.Text, "Steps to follow") || !strings.Contains(a.Text, "Download") {
		t.Errorf("text should hold the body without headings: %q", a.Text)
	}
}

// TestLoaderKeepsLastGoodVersion: a file that turns bad keeps serving its last
// good version; fixing it, adding and removing files are reported as changes.
func TestLoaderKeepsLastGoodVersion(t *testing.T) {
	now := time.Now()
	fsys := fstest.MapFS{
		"en/a/one.md": {Data: []byte("---\ntitle: One\n---\nfirst body\n"), ModTime: now},
		"en/a/two.md": {Data: []byte("---\ntitle: Two\n---\nsecond body\n"), ModTime: now},
	}
	l := content.NewLoader(fsys)
	set, ch, err := l.Load()
	if err != nil || len(set.Articles) != 2 || len(ch.Upserted) != 2 {
		t.Fatalf("first load: %v articles=%d changes=%+v", err, len(set.Articles), ch)
	}

	// Nothing changed: nothing to apply.
	if _, ch, _ = l.Load(); !ch.Empty() {
		t.Fatalf("unchanged tree reported changes: %+v", ch)
	}

	// Break one.md: its last good version stays, with an error at its line.
	fsys["en/a/one.md"] = &fstest.MapFile{Data: []byte("---\ntitle: [broken\n---\n"), ModTime: now.Add(time.Second)}
	set, ch, _ = l.Load()
	one := set.Articles[content.Key{ID: "one", Locale: "en"}]
	if one == nil || one.Title != "One" {
		t.Fatalf("broken file lost its last good version: %+v", one)
	}
	if !ch.Empty() {
		t.Errorf("a broken file should change nothing, got %+v", ch)
	}
	if set.Diagnostics.Errors() != 1 || !strings.Contains(set.Diagnostics.String(), "en/a/one.md:2: error: front matter is not valid YAML") ||
		!strings.Contains(set.Diagnostics.String(), "last good version") {
		t.Errorf("diagnostics: %s", set.Diagnostics)
	}

	// Fix it, add three.md, remove two.md.
	fsys["en/a/one.md"] = &fstest.MapFile{Data: []byte("---\ntitle: One, fixed\n---\nbody\n"), ModTime: now.Add(2 * time.Second)}
	fsys["en/a/three.md"] = &fstest.MapFile{Data: []byte("---\ntitle: Three\n---\nbody\n"), ModTime: now}
	delete(fsys, "en/a/two.md")
	set, ch, _ = l.Load()
	if len(ch.Upserted) != 2 || len(ch.Removed) != 1 || ch.Removed[0].ID != "two" {
		t.Errorf("changes: upserted %d removed %+v", len(ch.Upserted), ch.Removed)
	}
	if len(set.Diagnostics) != 0 {
		t.Errorf("diagnostics after the fix: %s", set.Diagnostics)
	}
}

func TestSynonymFileErrors(t *testing.T) {
	fsys := fstest.MapFS{
		"en/synonyms.txt": {Data: []byte("# comment\nbill, receipt => invoice\nlonely\n=> nothing\nparcel, package\n")},
	}
	set, _, err := content.NewLoader(fsys).Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(set.Synonyms["en"]); got != 2 {
		t.Errorf("rules: %d, want 2", got)
	}
	var lines []int
	for _, d := range set.Diagnostics {
		lines = append(lines, d.Line)
	}
	if len(lines) != 2 || lines[0] != 3 || lines[1] != 4 {
		t.Errorf("errors at lines %v, want 3 and 4:\n%s", lines, set.Diagnostics)
	}
}

var _ fs.FS = content.Bundled()

// @places stands for the locale's country and city names on the left of a
// one-way rule; anywhere else, or another @list, is an error at its line.
func TestSynonymPlaces(t *testing.T) {
	fsys := fstest.MapFS{
		"en/synonyms.txt": {Data: []byte("@places, abroad => countries we deliver to\nparcel => @places\n@planets => space\n@places, far away\n")},
		"es/synonyms.txt": {Data: []byte("@places => países a los que enviamos\n")},
	}
	set, _, err := content.NewLoader(fsys).Load()
	if err != nil {
		t.Fatal(err)
	}
	has := func(locale string, words ...string) {
		t.Helper()
		rules := set.Synonyms[locale]
		if len(rules) != 1 {
			t.Fatalf("%s rules: %d, want 1", locale, len(rules))
		}
		from := map[string]bool{}
		for _, f := range rules[0].From {
			from[f] = true
		}
		for _, w := range words {
			if !from[w] {
				t.Errorf("%s: %q is not among the %d places", locale, w, len(from))
			}
		}
		if from[content.PlaceClass] || from["turkey"] {
			t.Errorf("%s: the list name or an ambiguous word is a trigger", locale)
		}
	}
	has("en", "abroad", "canada", "toronto", "united kingdom", "new york", "usa")
	has("es", "canadá", "alemania", "toronto", "estados unidos")
	var lines []int
	for _, d := range set.Diagnostics {
		lines = append(lines, d.Line)
	}
	if len(lines) != 3 || lines[0] != 2 || lines[1] != 3 || lines[2] != 4 {
		t.Errorf("errors at lines %v, want 2, 3 and 4:\n%s", lines, set.Diagnostics)
	}
}
