package label

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strings"
)

var (
	streams = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	shown   = regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`)
)

// Text is what a label drawn by PDF says, line by line: the strings its
// pages show, read back from the PDF's (compressed) content streams. It
// reads only what PDF writes; checks use it to see that a label names both
// addresses and its reference.
func Text(pdf []byte) string {
	var out []string
	for _, s := range shown.FindAllStringSubmatch(Content(pdf), -1) {
		out = append(out, unescape([]byte(s[1])))
	}
	return strings.Join(out, "\n")
}

// Content is the PDF's content streams, inflated, one after another: the
// drawing operators of its pages (and of whatever else it holds).
func Content(pdf []byte) string {
	var sb strings.Builder
	for _, m := range streams.FindAllSubmatch(pdf, -1) {
		content := m[1]
		if r, err := zlib.NewReader(bytes.NewReader(content)); err == nil {
			if b, err := io.ReadAll(r); err == nil {
				content = b
			}
		}
		sb.Write(content)
		sb.WriteByte('\n')
	}
	return sb.String()
}

// unescape reads a PDF string literal written in Windows-1252 (the core
// fonts' encoding, Latin-1 for letters such as í and ñ).
func unescape(b []byte) string {
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\\' && i+1 < len(b) {
			i++
			switch b[i] {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			default:
				c = b[i]
			}
		}
		sb.WriteRune(rune(c))
	}
	return sb.String()
}
