package content

import (
	"html/template"

	"github.com/klauspost/compress/s2"
)

// The sanitised HTML of an article's body is kept compressed, with the
// article's plain text (Text, kept as it is: search reads it on every hit)
// as the dictionary: nearly every word of the HTML is in the text, so what
// is stored is mostly the markup and references into the text. At 10,000
// articles of the bench's corpus the HTML was 17.1 MB of the heap; so it is
// 2.3 MB (plain s2, without the dictionary, 12.9 MB; zstd 8.8 MB). Encoding
// costs ~12 µs an article at load, decoding ~2 µs a page.
//
// The first byte says how the rest is encoded.
const (
	htmlDictText byte = 1 // s2 block with the article's Text as dictionary
	htmlPlain    byte = 2 // s2 block without one (a text under s2.MinDictSize)
)

// setHTML stores h, the rendered and sanitised body, compressed against the
// article's Text: set Text first.
func (a *Article) setHTML(h []byte) {
	if len(h) == 0 {
		a.html = nil
		return
	}
	buf := make([]byte, 1+s2.MaxEncodedLen(len(h)))
	var enc []byte // Encode writes from the start of its dst
	if d := textDict(a.Text); d != nil {
		buf[0], enc = htmlDictText, d.Encode(buf[1:], h)
	} else {
		buf[0], enc = htmlPlain, s2.Encode(buf[1:], h)
	}
	// A copy of exactly its length: buf is sized for the worst case.
	a.html = append(make([]byte, 0, 1+len(enc)), buf[0])
	a.html = append(a.html, enc...)
}

// textDict is the s2 dictionary of an article's text, or nil when the text
// is too short to be one.
func textDict(text string) *s2.Dict {
	if len(text) < s2.MinDictSize {
		return nil
	}
	// MakeDict keeps the last MaxDictSize bytes and copies what it is given
	// unless it has 16 bytes to spare: one copy, of only what it keeps.
	text = text[max(0, len(text)-s2.MaxDictSize):]
	b := make([]byte, len(text), len(text)+16)
	copy(b, text)
	return s2.MakeDict(b, nil)
}

// HTML is the article's rendered, sanitised body: the help centre's page
// shows it as it is. Each call decodes it (~2 µs for an article of a few
// kilobytes): read it once per page.
func (a *Article) HTML() template.HTML {
	if len(a.html) < 2 {
		return ""
	}
	var out []byte
	var err error
	switch a.html[0] {
	case htmlDictText:
		if d := textDict(a.Text); d != nil {
			out, err = d.Decode(nil, a.html[1:])
		} else {
			err = s2.ErrCorrupt
		}
	case htmlPlain:
		out, err = s2.Decode(nil, a.html[1:])
	default:
		err = s2.ErrCorrupt
	}
	if err != nil {
		// Only if Text was changed after the HTML was set (the loader
		// never does): the text escaped is all that can be shown.
		return template.HTML(template.HTMLEscapeString(a.Text))
	}
	return template.HTML(out)
}
