package apertium

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// markup matches what is copied back untranslated: whole script and style
// elements (to the end of the text when unclosed), comments, tags, and runs
// of asterisks (APY's markUnknown=no strips a "*" before any word).
var markup = regexp.MustCompile(`(?is)<script\b.*?(?:</script\s*>|$)` +
	`|<style\b.*?(?:</style\s*>|$)` +
	`|<!--.*?(?:-->|$)` +
	`|</?[a-z][a-z0-9:-]*(?:\s[^<>]*)?/?>` +
	`|<![a-z][^<>]*>` +
	`|\*+`)

// segment is a piece of the original text: translated unless keep is set.
type segment struct {
	text string
	keep bool
}

// segments cuts text into markup spans (kept) and the text between them.
func segments(text string) (segs []segment, spans int) {
	last := 0
	for _, m := range markup.FindAllStringIndex(text, -1) {
		if m[0] > last {
			segs = append(segs, segment{text: text[last:m[0]]})
		}
		segs = append(segs, segment{text: text[m[0]:m[1]], keep: true})
		spans++
		last = m[1]
	}
	if last < len(text) {
		segs = append(segs, segment{text: text[last:]})
	}
	return segs, spans
}

// chunks cuts text into pieces of at most max runes, preferring to cut after
// a blank line, then a line break, then a sentence end, then a space, each
// searched in the second half of the window so pieces stay large.
func chunks(text string, max int) []string {
	var out []string
	for utf8.RuneCountInString(text) > max {
		window := text[:byteIndexOfRune(text, max)]
		cut := -1
		for _, find := range []func(string) int{
			func(s string) int { return afterLast(s, "\n\n") },
			func(s string) int { return afterLast(s, "\n") },
			sentenceEnd,
			func(s string) int { return afterLast(s, " ") },
		} {
			if i := find(window); i > len(window)/2 {
				cut = i
				break
			}
		}
		if cut < 0 {
			cut = len(window) // no boundary: cut between two runes
		}
		out = append(out, text[:cut])
		text = text[cut:]
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}

func byteIndexOfRune(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

func afterLast(s, sep string) int {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return -1
	}
	return i + len(sep)
}

// sentenceEnd is the index after the last ".", "!" or "?" followed by a space.
func sentenceEnd(s string) int {
	for i := len(s) - 2; i >= 0; i-- {
		if (s[i] == '.' || s[i] == '!' || s[i] == '?') && s[i+1] == ' ' {
			return i + 2
		}
	}
	return -1
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// clean makes text safe to send: valid UTF-8, and no control characters but
// tab, line feed and carriage return. A NUL matters most: APY uses it to
// delimit requests in its pipelines, and one in the text desynchronises them.
func clean(text string) string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	if strings.IndexFunc(text, isBadControl) < 0 {
		return text
	}
	return strings.Map(func(r rune) rune {
		if isBadControl(r) {
			return ' '
		}
		return r
	}, text)
}

func isBadControl(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r'
}

// generationMark is Apertium's "#" before a word it could not inflect; with
// markUnknown=no APY strips "*" marks but not these.
var generationMark = regexp.MustCompile(`#(\pL)`)
