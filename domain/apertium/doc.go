// Package apertium translates text with Apertium's HTTP service (APY): a client
// for /translate, /listPairs and /identifyLang with typed errors callers can retry on.
//
// Texts are sent as plain text (format=txt) by form POST, at most ChunkRunes
// characters per request, cut at paragraph, line, sentence or word boundaries:
// APY 0.11.7 splits a request into 4 KB pieces (1,000 characters while more
// than two requests share a pipe) and silently drops everything after the
// tenth piece, so a single 100 KB request comes back cut to about 44 KB.
// Markup-like spans (tags, whole <script> and <style> elements, comments, runs
// of asterisks) are never sent: the text between them is translated and the
// spans are copied back unchanged, so "<script>" is not turned into "<guión>".
// Texts over MaxTextBytes are refused with ErrTooLong.
//
// Language codes may be ISO 639-1 ("en", "es") or 639-3 ("eng", "spa"), with an
// optional variant ("en_US", "pt-BR"); results use 639-1 where it exists.
package apertium
