package apertium

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Options tune a Client; the zero value gives the defaults in brackets.
type Options struct {
	// Timeout bounds one HTTP request, connection to last byte [10s, APY's
	// own per-piece timeout].
	Timeout time.Duration
	// DialTimeout bounds connecting [2s]; a stopped engine on loopback is
	// refused at once anyway.
	DialTimeout time.Duration
	// MaxTextBytes is the longest text Translate accepts [128 KiB].
	MaxTextBytes int
	// ChunkRunes is the most characters sent in one request [4000, also the
	// maximum: APY 0.11.7 keeps at most 10 pieces of a request, and under load
	// a piece may be 1,000 characters cut at a sentence in its second half,
	// so only about 5,000 characters are sure to come back].
	ChunkRunes int
	// MaxMarkup is the most markup spans (tags, runs of "*") one text may
	// hold; each costs a request boundary [64].
	MaxMarkup int
	// UserAgent is sent with every request ["helpcentre-apertium/1"].
	UserAgent string
	// PairsTTL is how long the /listPairs answer is reused [5m].
	PairsTTL time.Duration
	// Now is the clock for the pairs cache [time.Now].
	Now func() time.Time
}

const maxChunkRunes = 4000

// maxResponseBytes bounds what is read from APY: a translation of a 4,000
// character chunk is a few times that at most, JSON-escaped.
const maxResponseBytes = 1 << 20

// Pair is a translation direction the engine offers, in the product's codes
// ("en", "es", "en_US").
type Pair struct {
	From, To string
}

// Client talks to one APY server. It is safe for concurrent use.
type Client struct {
	base *url.URL
	http *http.Client
	opts Options

	mu        sync.Mutex
	pairs     map[[2]string]bool // APY codes
	pairsList []Pair
	pairsAt   time.Time
}

// New returns a client for the APY server at baseURL ("http://127.0.0.1:2737").
func New(baseURL string, opts Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("apertium: base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("apertium: base URL %q: want http://host:port", baseURL)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = 2 * time.Second
	}
	if opts.MaxTextBytes <= 0 {
		opts.MaxTextBytes = 128 << 10
	}
	if opts.ChunkRunes <= 0 || opts.ChunkRunes > maxChunkRunes {
		opts.ChunkRunes = maxChunkRunes
	}
	if opts.MaxMarkup <= 0 {
		opts.MaxMarkup = 64
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "helpcentre-apertium/1"
	}
	if opts.PairsTTL <= 0 {
		opts.PairsTTL = 5 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	transport := &http.Transport{
		Proxy:                 nil, // APY is reached directly, usually on loopback
		DialContext:           (&net.Dialer{Timeout: opts.DialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          32,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       60 * time.Second,
		ResponseHeaderTimeout: opts.Timeout,
	}
	return &Client{
		base: u,
		http: &http.Client{Timeout: opts.Timeout, Transport: transport},
		opts: opts,
	}, nil
}

// Close releases idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Translate translates plain text from one language to another. The text is
// cleaned (invalid UTF-8 replaced, control characters other than tab and line
// breaks made spaces), markup-like spans are kept verbatim, and long texts are
// sent in chunks of at most Options.ChunkRunes characters, one after another.
// Leading and trailing white space of every chunk is kept. A text with no
// letters, or from a language to itself, comes back as it is.
//
// Errors: ErrTooLong, ErrUnsupportedPair (permanent), ErrUnavailable (retry),
// ErrBadResponse.
func (c *Client) Translate(ctx context.Context, text, from, to string) (string, error) {
	src, ok1 := apyCode(from)
	dst, ok2 := apyCode(to)
	op := "translate " + src + "|" + dst
	if !ok1 || !ok2 {
		return "", &Error{Op: "translate", Kind: ErrUnsupportedPair, Detail: fmt.Sprintf("bad language code in %q → %q", from, to)}
	}
	if len(text) > c.opts.MaxTextBytes {
		return "", &Error{Op: op, Kind: ErrTooLong, Detail: fmt.Sprintf("%d bytes, at most %d", len(text), c.opts.MaxTextBytes)}
	}
	if src == dst || !hasLetter(text) {
		return text, nil
	}
	if err := c.checkPair(ctx, src, dst); err != nil {
		return "", err
	}
	segs, spans := segments(clean(text))
	if spans > c.opts.MaxMarkup {
		return "", &Error{Op: op, Kind: ErrTooLong, Detail: fmt.Sprintf("%d markup spans, at most %d", spans, c.opts.MaxMarkup)}
	}
	var b strings.Builder
	b.Grow(len(text) + len(text)/4)
	for _, s := range segs {
		if s.keep {
			b.WriteString(s.text)
			continue
		}
		for _, chunk := range chunks(s.text, c.opts.ChunkRunes) {
			out, err := c.translateChunk(ctx, op, chunk, src, dst)
			if err != nil {
				return "", err
			}
			b.WriteString(out)
		}
	}
	return b.String(), nil
}

// translateChunk sends one chunk, keeping its surrounding white space.
func (c *Client) translateChunk(ctx context.Context, op, chunk, src, dst string) (string, error) {
	core := strings.TrimSpace(chunk)
	if !hasLetter(core) {
		return chunk, nil
	}
	lead := chunk[:len(chunk)-len(strings.TrimLeftFunc(chunk, unicode.IsSpace))]
	trail := chunk[len(lead)+len(core):]
	form := url.Values{
		"q":           {core},
		"langpair":    {src + "|" + dst},
		"format":      {"txt"},
		"markUnknown": {"no"},
	}
	var resp struct {
		ResponseData struct {
			TranslatedText *string `json:"translatedText"`
		} `json:"responseData"`
		ResponseStatus int `json:"responseStatus"`
	}
	if err := c.call(ctx, op, "/translate", form, &resp); err != nil {
		return "", err
	}
	if resp.ResponseStatus != http.StatusOK || resp.ResponseData.TranslatedText == nil {
		return "", &Error{Op: op, Kind: ErrBadResponse, Detail: fmt.Sprintf("responseStatus %d, translatedText missing or not a string", resp.ResponseStatus)}
	}
	out := *resp.ResponseData.TranslatedText
	if !strings.Contains(core, "#") {
		out = generationMark.ReplaceAllString(out, "$1")
	}
	return lead + matchInitialCase(core, strings.TrimSpace(out)) + trail, nil
}

// matchInitialCase lower-cases the first letter of out when the source began
// in lower case: Apertium capitalises the start of every request, which is
// wrong for text that continues after a tag ("Hello <b>friend</b>").
func matchInitialCase(src, out string) string {
	s := strings.IndexFunc(src, unicode.IsLetter)
	o := strings.IndexFunc(out, unicode.IsLetter)
	if s < 0 || o < 0 {
		return out
	}
	sr, _ := utf8.DecodeRuneInString(src[s:])
	or, n := utf8.DecodeRuneInString(out[o:])
	if !unicode.IsLower(sr) || !unicode.IsUpper(or) {
		return out
	}
	if next, _ := utf8.DecodeRuneInString(out[o+n:]); unicode.IsUpper(next) {
		return out // an acronym
	}
	return out[:o] + string(unicode.ToLower(or)) + out[o+n:]
}

// Pairs lists the engine's language pairs, from a cache refreshed every
// Options.PairsTTL. Errors: ErrUnavailable, ErrBadResponse.
func (c *Client) Pairs(ctx context.Context) ([]Pair, error) {
	c.mu.Lock()
	fresh := c.pairs != nil && c.opts.Now().Sub(c.pairsAt) < c.opts.PairsTTL
	list := c.pairsList
	c.mu.Unlock()
	if fresh {
		return append([]Pair(nil), list...), nil
	}
	var resp struct {
		ResponseData []struct {
			SourceLanguage string `json:"sourceLanguage"`
			TargetLanguage string `json:"targetLanguage"`
		} `json:"responseData"`
		ResponseStatus int `json:"responseStatus"`
	}
	if err := c.call(ctx, "listPairs", "/listPairs", nil, &resp); err != nil {
		return nil, err
	}
	if resp.ResponseStatus != http.StatusOK {
		return nil, &Error{Op: "listPairs", Kind: ErrBadResponse, Detail: fmt.Sprintf("responseStatus %d", resp.ResponseStatus)}
	}
	set := make(map[[2]string]bool, len(resp.ResponseData))
	list = list[:0:0]
	for _, p := range resp.ResponseData {
		src, ok1 := apyCode(p.SourceLanguage)
		dst, ok2 := apyCode(p.TargetLanguage)
		if !ok1 || !ok2 || set[[2]string{src, dst}] {
			continue
		}
		set[[2]string{src, dst}] = true
		list = append(list, Pair{From: productCode(src), To: productCode(dst)})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].From != list[j].From {
			return list[i].From < list[j].From
		}
		return list[i].To < list[j].To
	})
	c.mu.Lock()
	c.pairs, c.pairsList, c.pairsAt = set, list, c.opts.Now()
	c.mu.Unlock()
	return append([]Pair(nil), list...), nil
}

// Supports reports whether the engine translates from → to (codes as for
// Translate; a language to itself is always supported). It needs the pairs
// list, so it may call the engine: errors as for Pairs.
func (c *Client) Supports(ctx context.Context, from, to string) (bool, error) {
	src, ok1 := apyCode(from)
	dst, ok2 := apyCode(to)
	if !ok1 || !ok2 {
		return false, nil
	}
	if src == dst {
		return true, nil
	}
	if _, err := c.Pairs(ctx); err != nil {
		return false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pairs[[2]string{src, dst}], nil
}

func (c *Client) checkPair(ctx context.Context, src, dst string) error {
	ok, err := c.Supports(ctx, src, dst)
	if err != nil {
		return err
	}
	if !ok {
		return &Error{Op: "translate " + src + "|" + dst, Kind: ErrUnsupportedPair, Detail: "not installed on the engine"}
	}
	return nil
}

// Detect names the language of text ("en", "es"…). It asks the engine's
// /identifyLang first; Debian's APY has neither CLD2 nor analyser modes and
// answers {} there, and then (or when the engine is down) a stop-word count
// that knows only English and Spanish decides. Errors: ErrUndetermined when
// neither has evidence; the engine's errors are not returned.
func (c *Client) Detect(ctx context.Context, text string) (string, error) {
	if hasLetter(text) && len(text) <= c.opts.MaxTextBytes {
		var scores map[string]float64
		form := url.Values{"q": {clean(text)}}
		if err := c.call(ctx, "identifyLang", "/identifyLang", form, &scores); err == nil {
			best, bestScore := "", 0.0
			for lang, score := range scores {
				if score > bestScore || score == bestScore && lang < best {
					best, bestScore = lang, score
				}
			}
			if best != "" && bestScore > 0 {
				if code, ok := apyCode(best); ok {
					return productCode(code), nil
				}
			}
		}
	}
	if lang, ok := guessLanguage(text); ok {
		return lang, nil
	}
	return "", &Error{Op: "detect", Kind: ErrUndetermined, Detail: "no English or Spanish stop words"}
}

// apyError is the body APY sends with an error status.
type apyError struct {
	Code        int    `json:"code"`
	Message     string `json:"message"`
	Explanation string `json:"explanation"`
}

// call POSTs form to path (GET without a form) and decodes APY's JSON answer
// into out, mapping every failure to an *Error.
func (c *Client) call(ctx context.Context, op, path string, form url.Values, out any) error {
	u := *c.base
	u.Path += path
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return &Error{Op: op, Kind: ErrBadResponse, Err: err}
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		// Refused, reset, timed out, cancelled: all worth retrying later.
		return &Error{Op: op, Kind: ErrUnavailable, Err: err}
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes+1))
	if err != nil {
		return &Error{Op: op, Kind: ErrUnavailable, Status: res.StatusCode, Err: err}
	}
	if len(data) > maxResponseBytes {
		return &Error{Op: op, Kind: ErrBadResponse, Status: res.StatusCode, Detail: fmt.Sprintf("response over %d bytes", maxResponseBytes)}
	}
	if res.StatusCode != http.StatusOK {
		return statusError(op, res.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &Error{Op: op, Kind: ErrBadResponse, Status: res.StatusCode, Detail: "not APY's JSON: " + snippet(data), Err: err}
	}
	return nil
}

func statusError(op string, status int, body []byte) error {
	var ae apyError
	detail := snippet(body)
	if json.Unmarshal(body, &ae) == nil && ae.Explanation != "" {
		detail = ae.Explanation
	}
	kind := ErrBadResponse
	switch {
	case status >= 500, status == http.StatusRequestTimeout, status == http.StatusTooManyRequests:
		kind = ErrUnavailable
	case status == http.StatusRequestEntityTooLarge:
		kind = ErrTooLong
	case status == http.StatusBadRequest && strings.Contains(strings.ToLower(detail), "pair"):
		// "That pair is not installed", "That pair is invalid, use e.g. eng|spa"
		kind = ErrUnsupportedPair
	}
	return &Error{Op: op, Kind: kind, Status: status, Detail: detail}
}

// snippet is the start of a body for an error message.
func snippet(b []byte) string {
	const max = 120
	s := strings.TrimSpace(strings.ToValidUTF8(string(b), "?"))
	if len(s) > max {
		s = s[:max] + "…"
	}
	if s == "" {
		return "empty body"
	}
	return fmt.Sprintf("%q", s)
}
