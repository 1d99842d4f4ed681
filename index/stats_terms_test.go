package index

import (
	"maps"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/content/synth"
)

// TestTermsOfSegmentsOnce compares termsOf, which segments each field once
// for its analyzer and the lower-cased words, with each analysed apart (as
// it was), on every article of a generated corpus in both locales and on
// odd text.
func TestTermsOfSegmentsOnce(t *testing.T) {
	set := generatedSet(t, 1000)
	odd := "Café’s RÉSUMÉ don't ÖRDER İstanbul Ⱥⱥ ΣΑΣ Straße ǅ ﬁle e\u0301 x\u200dy 日本語 ¿Dónde está? LUCES niñOS 12kg U.S.A. it's"
	n := 0
	for _, locale := range []string{"en", "es"} {
		an := localeAnalyzers(t, locale)
		arts := []*content.Article{{Title: odd, Aliases: []string{odd, "x"}, Tags: []string{odd}, Headings: []string{odd, odd}, Text: odd + "\n" + odd}}
		for _, a := range set.Articles {
			if a.Locale == locale {
				arts = append(arts, a)
			}
		}
		for _, a := range arts {
			at := termsOf(an, a)
			terms, words, accented, questions := at.terms, at.words, at.accented(), at.questions
			wt, ww, wa, wq := termsOfApart(an, a)
			if !maps.Equal(terms, wt) || !maps.Equal(words, ww) || !maps.Equal(accented, wa) || !maps.Equal(questions, wq) {
				t.Fatalf("%s %s: termsOf differs from each field analysed apart:\n%v\n%v\n%v\n%v", locale, a.ID, terms, wt, words, ww)
			}
			n++
		}
	}
	if n < 1000 {
		t.Fatalf("only %d articles", n)
	}
}

// termsOfApart is termsOf as it was: each field analysed by its analyzer,
// again for the question terms, and again by lowerWords.
func termsOfApart(an Analyzers, a *content.Article) (terms, words map[string]struct{}, accented map[string]string, questions map[string]struct{}) {
	terms, words, accented, questions = map[string]struct{}{}, map[string]struct{}{}, map[string]string{}, map[string]struct{}{}
	add := func(dst map[string]struct{}, analyzer analysis.Analyzer, s string) {
		if s == "" {
			return
		}
		for _, t := range analyzer.Analyze([]byte(s)) {
			dst[string(t.Term)] = struct{}{}
		}
	}
	for i, text := range fieldTexts(a) {
		name := statsFields[i]
		add(terms, an.ForField(name), text)
		if name == FieldTitle || name == FieldAliases || name == FieldTags {
			add(questions, an.ForField(name), text)
		}
		for _, t := range lowerWords.Analyze([]byte(text)) {
			orig := string(t.Term)
			w := orig
			if w = content.Fold(orig); w != orig {
				accented[w] = orig
			}
			words[w] = struct{}{}
		}
	}
	return terms, words, accented, questions
}

// generatedSet is the content of a generated corpus of n articles.
func generatedSet(t *testing.T, n int) *content.Set {
	t.Helper()
	fsys, err := synth.Corpus(n, 5)
	if err != nil {
		t.Fatal(err)
	}
	set, _, err := content.NewLoader(fsys).Load()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// localeAnalyzers are the analyzers of locale's index mapping.
func localeAnalyzers(t *testing.T, locale string) Analyzers {
	t.Helper()
	im, err := NewMapping(locale)
	if err != nil {
		t.Fatal(err)
	}
	an, err := analyzersOf(im, locale)
	if err != nil {
		t.Fatal(err)
	}
	return an
}

// TestBuildCountsAsTermsOf builds each locale's index of a generated corpus
// (the statistics then come from Bleve's own analysis of each field:
// capturingAnalyzer) and compares its statistics with those counted by
// analysing every article again (termsOf), as reloads still count them.
func TestBuildCountsAsTermsOf(t *testing.T) {
	set := generatedSet(t, 600)
	odd := &content.Article{ID: "odd", Locale: "es", Path: "odd.md", Category: "x", Visibility: content.Visibility("staff"),
		Title: "Café RÉSUMÉ résumé resumé", Aliases: []string{"Contraseña", "contraseña"}, Tags: []string{"niño"},
		Headings: []string{"Straße", "İstanbul"}, Text: "resumé café Résumé contraseña ǅ ﬁle"}
	for _, locale := range []string{"en", "es"} {
		var arts []*content.Article
		for _, a := range set.Articles {
			if a.Locale == locale {
				arts = append(arts, a)
			}
		}
		if locale == "es" {
			arts = append(arts, odd)
		}
		l, err := buildLocale(t.Context(), locale, t.TempDir(), arts, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := newStats()
		for _, a := range arts {
			want.add(l.analyzers, a, +1)
		}
		got := l.stats
		if got.Docs != want.Docs || !maps.Equal(got.terms, want.terms) || !maps.Equal(got.words, want.words) || !maps.Equal(got.surface, want.surface) {
			t.Errorf("%s: built statistics differ from termsOf's: docs %d / %d, terms %d / %d, words %d / %d, surface %v / %v",
				locale, got.Docs, want.Docs, len(got.terms), len(want.terms), len(got.words), len(want.words), got.surface, want.surface)
		}
		if !maps.EqualFunc(got.restricted, want.restricted, maps.Equal) || !maps.EqualFunc(got.questions, want.questions, maps.Equal) {
			t.Errorf("%s: restricted or question terms differ", locale)
		}
		if len(got.terms) < 500 || locale == "es" && got.surface["resume"] == "" {
			t.Errorf("%s: %d terms, surface %v: the corpus did not exercise the build", locale, len(got.terms), got.surface)
		}
		l.bl.Close()
	}
}
