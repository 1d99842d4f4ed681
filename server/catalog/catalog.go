// Package catalog is what the API and the pages derive from the current
// content set: articles by id and category, translations, related links.
package catalog

import (
	"context"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/index"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/search"
)

// Catalog answers lookups on the index's current content.
type Catalog struct {
	ix    *index.Index
	cache atomic.Pointer[sets]
}

// New is the catalog of ix's content.
func New(ix *index.Index) *Catalog { return &Catalog{ix: ix} }

// sets is what the browsing pages derive from one content set: public
// articles per category, sorted. It is computed once per set, so a page
// never walks every article (at 10,000 articles the home page spent 4 ms
// doing so).
type sets struct {
	set        *content.Set
	byCategory map[[2]string][]*content.Article // locale, category → public articles by title
	counts     map[[2]string]map[search.Audience]map[string]int
}

func (k *Catalog) sets() *sets {
	set := k.ix.Content()
	if c := k.cache.Load(); c != nil && c.set == set {
		return c
	}
	c := &sets{set: set, byCategory: map[[2]string][]*content.Article{}, counts: map[[2]string]map[search.Audience]map[string]int{}}
	for _, a := range set.Articles {
		if a.Draft || a.Category == "" {
			continue
		}
		for _, aud := range []search.Audience{search.Anonymous, search.Customer, search.Seller, search.Staff} {
			if !aud.Allows(a.Visibility) {
				continue
			}
			k := [2]string{a.Locale, ""}
			if c.counts[k] == nil {
				c.counts[k] = map[search.Audience]map[string]int{}
			}
			if c.counts[k][aud] == nil {
				c.counts[k][aud] = map[string]int{}
			}
			c.counts[k][aud][a.Category]++
		}
		k := [2]string{a.Locale, a.Category}
		c.byCategory[k] = append(c.byCategory[k], a)
	}
	for _, list := range c.byCategory {
		sort.Slice(list, func(i, j int) bool { return list[i].Title < list[j].Title })
	}
	k.cache.Store(c)
	return c
}

// Categories lists a locale's categories with the counts an audience sees.
func (k *Catalog) Categories(locale string, aud search.Audience) []Category {
	c := k.sets()
	out := []Category{}
	for id, n := range c.counts[[2]string{locale, ""}][aud] {
		cj := Category{ID: id, Title: id, Order: 1 << 20, Articles: n}
		if cat, ok := c.set.Categories[content.Key{ID: id, Locale: locale}]; ok {
			cj.Title, cj.Description, cj.Order = cat.Title, cat.Description, cat.Order
		}
		out = append(out, cj)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Order != out[j].Order {
			return out[i].Order < out[j].Order
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Category is a category with its visible article count, as the API shows it.
type Category struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Order       int    `json:"order"`
	Articles    int    `json:"articles"`
}

// Link is an article as the API links it.
type Link struct {
	ID     string `json:"id"`
	Locale string `json:"locale"`
	Title  string `json:"title"`
	URL    string `json:"url"`
}

// Content is the current content set.
func (k *Catalog) Content() *content.Set { return k.ix.Content() }

// ArticlesIn lists by title the articles of a category an audience may see.
func (k *Catalog) ArticlesIn(locale, category string, aud search.Audience) []*content.Article {
	all := k.sets().byCategory[[2]string{locale, category}]
	out := make([]*content.Article, 0, len(all))
	for _, a := range all {
		if aud.Allows(a.Visibility) {
			out = append(out, a)
		}
	}
	return out
}

// Find looks an article up in a locale, falling back to the default
// locale, and hides what the audience may not see.
func (k *Catalog) Find(id, locale string, aud search.Audience) (*content.Article, bool) {
	set := k.ix.Content()
	for _, l := range []string{locale, content.DefaultLocale} {
		if a, ok := set.Articles[content.Key{ID: id, Locale: l}]; ok && !a.Draft && aud.Allows(a.Visibility) {
			return a, true
		}
	}
	return nil, false
}

// Translations lists the other locales an article is published in.
func (k *Catalog) Translations(a *content.Article, aud search.Audience) []Link {
	out := []Link{}
	set := k.ix.Content()
	for _, l := range content.Locales {
		if l == a.Locale {
			continue
		}
		if t, ok := set.Articles[content.Key{ID: a.ID, Locale: l}]; ok && !t.Draft && aud.Allows(t.Visibility) {
			out = append(out, Link{ID: t.ID, Locale: t.Locale, Title: t.Title, URL: t.URL()})
		}
	}
	return out
}

// Related lists an article's related articles the audience may see.
func (k *Catalog) Related(a *content.Article, aud search.Audience) []Link {
	out := []Link{}
	for _, id := range a.Related {
		if r, ok := k.Find(id, a.Locale, aud); ok {
			out = append(out, Link{ID: r.ID, Locale: r.Locale, Title: r.Title, URL: r.URL()})
		}
	}
	return out
}

// Title names an article, in English or Spanish, falling back to its id.
func (k *Catalog) Title(id string) string {
	for _, l := range []string{"en", "es"} {
		if a, ok := k.Find(id, l, 0); ok {
			return a.Title
		}
	}
	return id
}

// Vote validates and stores one "Was this helpful?" answer for an article
// the audience may see. fb nil: feedback is not being collected.
func (k *Catalog) Vote(ctx context.Context, fb domain.FeedbackService, aud search.Audience, id, locale string, helpful bool, reason, comment string) (*domain.Vote, error) {
	if fb == nil {
		return nil, domain.Errorf(domain.CodeFeedbackUnavailable, "Feedback is not being collected right now.")
	}
	a, ok := k.Find(id, locale, aud)
	if !ok {
		return nil, domain.Errorf(domain.CodeNotFound, "No article has the id %q.", id)
	}
	v := &domain.Vote{ArticleID: a.ID, Locale: a.Locale, Helpful: helpful, Reason: strings.TrimSpace(reason), Comment: strings.TrimSpace(comment)}
	if helpful {
		v.Reason = ""
	}
	if err := fb.RecordVote(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}
