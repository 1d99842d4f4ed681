package server_test

// TestBrowser drives the server-rendered pages in headless Chromium, the way
// a customer uses them: search as you type with a typo, open the suggestion
// with the keyboard, vote "no" with a reason, switch to Spanish, browse a
// category, reach the zero-result page, run a corrected search and meet the
// 404 page. On every page it fails on console errors and uncaught exceptions,
// runs axe-core and keeps desktop and phone screenshots as artefacts.
//
// Needs Debian's chromium and axe-core from npm: .ci/deps installs both. The
// test skips without them, except under CI=true, where it fails.

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/marketplace/helpcentre/server"
)

const (
	desktopW, desktopH = 1280, 900
	phoneW, phoneH     = 390, 844
	browserBudget      = 2 * time.Minute  // the whole test
	stepBudget         = 20 * time.Second // one step: a navigation, a wait, an axe run
)

// browserDeps finds Chromium and axe-core, or skips (fails under CI=true).
func browserDeps(t *testing.T) (chrome, axeJS string) {
	t.Helper()
	ci := os.Getenv("CI") == "true"
	missing := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...) + "; run .ci/deps to install it"
		if ci {
			t.Fatalf("CI=true, so the browser test must run: %s", msg)
		}
		t.Skip("skipping the browser test: " + msg)
	}
	if testing.Short() && !ci {
		t.Skip("skipping the browser test in -short mode")
	}

	if p := os.Getenv("CHROMIUM"); p != "" {
		chrome = p
	} else {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				chrome = p
				break
			}
		}
	}
	if chrome == "" {
		missing("chromium not found on PATH (or set CHROMIUM)")
	}

	var candidates []string
	if p := os.Getenv("AXE_CORE_JS"); p != "" {
		candidates = append(candidates, p)
	} else {
		const rel = "node_modules/axe-core/axe.min.js"
		if c := os.Getenv("HELPCENTRE_CACHE"); c != "" {
			candidates = append(candidates, filepath.Join(c, rel))
		}
		if home, err := os.UserHomeDir(); err == nil {
			candidates = append(candidates, filepath.Join(home, ".cache", "helpcentre", rel))
		}
		candidates = append(candidates, filepath.Join("..", rel)) // a gitignored node_modules in the repository
	}
	for _, p := range candidates {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return chrome, p
		}
	}
	missing("axe-core not found (looked at %s; or set AXE_CORE_JS to axe.min.js)", strings.Join(candidates, ", "))
	return "", ""
}

// artifactsDir is where the screenshots go: $HELPCENTRE_ARTIFACTS, or else
// <repo>/artifacts/screenshots (ignored by git).
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("HELPCENTRE_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "artifacts", "screenshots")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "FAILED-*.png")) // a past run's
	for _, p := range old {
		_ = os.Remove(p)
	}
	return dir
}

// consoleEntry is one console error, exception or error log entry.
type consoleEntry struct {
	page string // the page the test was on when it arrived
	msg  chromedp.ConsoleMessage
}

// browser is one tab and what the test has seen in it.
type browser struct {
	t     *testing.T
	ctx   context.Context
	axe   string // the source of axe.min.js
	shots string // screenshot folder

	mu      sync.Mutex
	current string // the page being checked, for the console's messages
	errs    []consoleEntry
	allowed func(m chromedp.ConsoleMessage) bool // an expected error on the current page
	visited []string
	probes  map[string]bool // the test's own messages seen, by type and text
}

// consoleProbe is what the test writes to the console itself, to show that
// the watch sees console.error calls and uncaught exceptions.
const consoleProbe = "helpcentre-browser-test-probe"

// at names the page that the test is now on.
func (b *browser) at(name string, allowed func(chromedp.ConsoleMessage) bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.current, b.allowed = name, allowed
	b.visited = append(b.visited, name)
}

// watchConsole records the errors of the console until ctx ends.
func (b *browser) watchConsole(messages iter.Seq2[chromedp.ConsoleMessage, error]) {
	for m, err := range messages {
		if err != nil {
			return
		}
		if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleException {
			continue
		}
		b.mu.Lock()
		if i := strings.Index(m.Text, consoleProbe); i >= 0 {
			b.probes[string(m.Type)+" "+m.Text[i:]] = true
		} else if b.allowed == nil || !b.allowed(m) {
			b.errs = append(b.errs, consoleEntry{page: b.current, msg: m})
		}
		b.mu.Unlock()
	}
}

// do runs steps within a step budget and stops the test on failure.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepBudget)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v%s", what, err, b.failureShot(what))
	}
}

// failureShot saves the page as it is when a step fails, and says where.
func (b *browser) failureShot(what string) string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return " (at " + loc + ")"
	}
	name := "FAILED-" + regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(what), "-") + ".png"
	if err := os.WriteFile(filepath.Join(b.shots, name), png, 0o644); err != nil {
		return " (at " + loc + ")"
	}
	return fmt.Sprintf(" (at %s; screenshot %s)", loc, filepath.Join(b.shots, name))
}

// eval evaluates a JavaScript expression (awaiting a promise) into T.
func eval[T any](b *browser, what, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepBudget)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepBudget)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (b *browser) location() string {
	b.t.Helper()
	return eval[string](b, "location", `location.pathname + location.search`)
}

// settled waits for the document and its deferred script to be done.
func (b *browser) settled() {
	b.t.Helper()
	b.do("page load", chromedp.Poll[chromedp.Void](`document.readyState === "complete"`, chromedp.WithPollingTimeout(stepBudget)))
}

// nextFrame waits until the page has laid out and painted again.
func (b *browser) nextFrame() {
	b.t.Helper()
	eval[chromedp.Void](b, "animation frame", `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))`)
}

// probeConsole writes an error and throws an exception in the page, and
// waits for the console watch to see both: a watch that saw nothing would
// otherwise pass every page.
func (b *browser) probeConsole() {
	b.t.Helper()
	eval[chromedp.Void](b, "console probe", `console.error("`+consoleProbe+` error"); setTimeout(() => { throw new Error("`+consoleProbe+` exception") }, 0)`)
	b.waitProbes(string(chromedp.ConsoleError)+" "+consoleProbe+" error", string(chromedp.ConsoleException)+" "+consoleProbe+" exception")
}

// flushConsole waits until the watch has seen every message the page wrote
// so far: the console keeps the order, so a marker written now comes last.
func (b *browser) flushConsole() {
	b.t.Helper()
	eval[chromedp.Void](b, "console flush", `console.error("`+consoleProbe+` flush")`)
	b.waitProbes(string(chromedp.ConsoleError) + " " + consoleProbe + " flush")
}

func (b *browser) waitProbes(keys ...string) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b.mu.Lock()
		seen := 0
		for _, k := range keys {
			if b.probes[k] {
				seen++
			}
		}
		b.mu.Unlock()
		if seen == len(keys) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the console watch did not see the test's own %q", keys)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   int    `json:"nodes"`
	Target  string `json:"target"`
	HTML    string `json:"html"`
}

type axeResult struct {
	Version    string         `json:"version"`
	Passes     int            `json:"passes"`
	Violations []axeViolation `json:"violations"`
}

// checkA11y injects axe-core and fails the test with every violation.
func (b *browser) checkA11y(name string) {
	b.t.Helper()
	if !eval[bool](b, "axe present", `typeof window.axe === "object"`) {
		eval[chromedp.Void](b, "inject axe-core", b.axe+"\n;undefined")
	}
	got := eval[axeResult](b, "axe.run", `axe.run(document, {resultTypes: ["violations"]}).then(r => ({
		version: r.testEngine.version, passes: r.passes.length,
		violations: r.violations.map(v => ({
			id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.length,
			target: v.nodes.length ? JSON.stringify(v.nodes[0].target) : "",
			html: v.nodes.length ? v.nodes[0].html.slice(0, 160) : ""}))}))`)
	b.t.Logf("axe %s on %s: %d rules pass, %d violated", got.Version, name, got.Passes, len(got.Violations))
	if got.Passes == 0 {
		b.t.Errorf("axe %s on %s checked nothing", got.Version, name)
	}
	for _, v := range got.Violations {
		b.t.Errorf("axe on %s: %s (%s): %s; %d node(s), first %s: %s (%s)", name, v.ID, v.Impact, v.Help, v.Nodes, v.Target, v.HTML, v.HelpURL)
	}
}

// screenshots saves the page at desktop and phone width, and checks that the
// phone layout does not scroll sideways.
func (b *browser) screenshots(name string) {
	b.t.Helper()
	for _, vp := range []struct {
		label string
		w, h  int64
		opts  []chromedp.EmulateViewportOption
	}{
		{"desktop", desktopW, desktopH, nil},
		{"phone", phoneW, phoneH, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch}},
	} {
		b.do("viewport "+vp.label, chromedp.EmulateViewport(vp.w, vp.h, vp.opts...))
		b.nextFrame()
		if vp.label == "phone" {
			if over := eval[int](b, "overflow", `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
				b.t.Errorf("%s at phone width scrolls sideways by %dpx", name, over)
			}
		}
		ctx, cancel := context.WithTimeout(b.ctx, stepBudget)
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		cancel()
		if err != nil {
			b.t.Fatalf("screenshot %s %s: %v", name, vp.label, err)
		}
		if err := os.WriteFile(filepath.Join(b.shots, name+"-"+vp.label+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.do("viewport desktop", chromedp.EmulateViewport(desktopW, desktopH))
	b.nextFrame()
}

// checkPage is what every page gets: settled, axe-core, screenshots.
func (b *browser) checkPage(name string) {
	b.t.Helper()
	b.settled()
	b.checkA11y(name)
	b.checkIDRefs(name)
	b.screenshots(name)
}

// checkIDRefs fails on ARIA and label references to ids the page lacks:
// axe passes an aria-labelledby when any one of its ids exists, or when the
// element needs no name.
func (b *browser) checkIDRefs(name string) {
	b.t.Helper()
	broken := eval[[]string](b, "id references", `(() => {
		const out = [];
		for (const attr of ["aria-labelledby", "aria-describedby", "aria-controls", "aria-activedescendant", "aria-owns", "for"]) {
			for (const el of document.querySelectorAll("[" + attr + "]")) {
				for (const id of el.getAttribute(attr).split(/\s+/).filter(Boolean)) {
					if (!document.getElementById(id)) out.push(el.tagName.toLowerCase() + "[" + attr + "=" + id + "]");
				}
			}
		}
		return out;
	})()`)
	for _, r := range broken {
		b.t.Errorf("%s: %s names no element", name, r)
	}
}

// pressEnter presses Enter in the focused element as a keyboard does: one
// keydown that carries the text, whose preventDefault also stops the keypress
// (and so a form's implicit submission). kb's Enter sends a separate char
// event, which submits the form even when the page handled the keydown.
var pressEnter = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		p := input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
		if typ == input.DispatchKeyEventTypeKeyDown {
			p.Text, p.UnmodifiedText = "\r", "\r"
		}
		if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, p); err != nil {
			return err
		}
	}
	return nil
})

// typeSlowly types s one character at a time, as a person does.
func (b *browser) typeSlowly(sel, s string) {
	b.t.Helper()
	for _, r := range s {
		b.do("type "+string(r), chromedp.SendKeys(chromedp.CSS(sel), string(r)))
		time.Sleep(30 * time.Millisecond)
	}
}

func TestBrowser(t *testing.T) {
	base := serveOn(t, newServer(t)) // before the browser: it is closed first
	b := openTab(t, browserBudget)

	// 1. Home: search box, categories, popular articles, contact link.
	b.at("home", nil)
	b.do("open home", chromedp.Navigate(base+"/en/"), chromedp.WaitVisible(chromedp.CSS("#q-home")))
	if got := eval[string](b, "lang", `document.documentElement.lang`); got != "en" {
		t.Errorf("home lang = %q, want en", got)
	}
	if n := eval[int](b, "categories", `document.querySelectorAll(".cards .card").length`); n < 5 {
		t.Errorf("home lists %d categories", n)
	}
	if n := eval[int](b, "popular", `document.querySelectorAll("section[aria-labelledby=popular] li").length`); n < 3 {
		t.Errorf("home lists %d popular articles", n)
	}
	if n := eval[int](b, "contact", `document.querySelectorAll('footer a[href="/en/contact"]').length`); n != 1 {
		t.Errorf("home has %d contact links in the footer", n)
	}
	b.checkPage("home")
	b.probeConsole()

	// 2. Search as you type, with a typo; Escape closes the list, typing
	// reopens it, ArrowDown + Enter opens the highlighted suggestion.
	b.at("home-suggestions", nil)
	b.do("focus search", chromedp.Click(chromedp.CSS("#q-home")))
	b.typeSlowly("#q-home", "invoce")
	b.do("suggestions", chromedp.WaitVisible(chromedp.CSS("#sugg-home [role=option]")))
	if got := eval[string](b, "aria-expanded", `document.getElementById("q-home").getAttribute("aria-expanded")`); got != "true" {
		t.Errorf("combobox aria-expanded = %q with the list open", got)
	}
	b.do("announce", chromedp.Poll[chromedp.Void](`document.querySelector("#q-home").form.querySelector("[role=status]").textContent.trim() !== ""`, chromedp.WithPollingTimeout(5*time.Second)))
	b.checkA11y("home with suggestions")
	b.screenshots("home-suggestions")
	b.do("escape", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.CSS("#sugg-home")))
	b.do("retype", chromedp.SendKeys(chromedp.CSS("#q-home"), kb.Backspace+"e"), chromedp.WaitVisible(chromedp.CSS("#sugg-home [role=option]")))
	b.do("arrow down", chromedp.KeyEvent(kb.ArrowDown), chromedp.WaitVisible(chromedp.CSS(`#sugg-home [role=option][aria-selected=true]`)))
	chosen := eval[string](b, "active option", `document.getElementById(document.getElementById("q-home").getAttribute("aria-activedescendant")).textContent`)
	b.at("article", nil)
	b.do("enter", pressEnter, chromedp.WaitVisible(chromedp.CSS("article.article h1")))

	// 3. The article the suggestion named.
	loc := b.location()
	m := regexp.MustCompile(`^/en/articles/([a-z0-9-]+)/`).FindStringSubmatch(loc)
	if m == nil || !strings.HasPrefix(m[1], "invoice-") {
		t.Fatalf("the suggestion for %q led to %s, want an invoice article", "invoce", loc)
	}
	articleID := m[1]
	if h1 := b.text("article.article h1"); h1 != chosen {
		t.Errorf("article title %q, the suggestion said %q", h1, chosen)
	}
	if n := eval[int](b, "breadcrumbs", `document.querySelectorAll(".crumbs li").length`); n != 3 {
		t.Errorf("article has %d breadcrumbs, want 3", n)
	}
	b.checkPage("article")

	// 4. "Was this article helpful?" No, because it didn't apply to my order.
	b.do("answer no", chromedp.Click(chromedp.CSS("details.vote-no summary")),
		chromedp.WaitVisible(chromedp.CSS(`input[name=reason][value=didnt_apply]`)))
	b.do("choose reason", chromedp.Click(chromedp.CSS(`input[name=reason][value=didnt_apply]`)))
	if !eval[bool](b, "reason checked", `document.querySelector("input[name=reason][value=didnt_apply]").checked`) {
		t.Fatal("the reason is not checked after a click")
	}
	b.checkA11y("article with the reasons open")
	b.screenshots("article-vote-form")
	b.at("article-voted", nil)
	b.do("send", chromedp.Click(chromedp.CSS(`button[name=helpful][value=no]`)),
		chromedp.WaitVisible(chromedp.CSS("#feedback .notice")))
	if got := b.text("#feedback .notice"); !strings.Contains(got, "Thanks") || !strings.Contains(got, "Still need help?") {
		t.Errorf("after voting no, the notice says %q", got)
	}
	if n := eval[int](b, "contact link", `document.querySelectorAll('#feedback .notice a[href="/en/contact"]').length`); n != 1 {
		t.Errorf("the thank-you has %d contact links, want 1", n)
	}
	b.checkPage("article-voted")

	// 5. The vote is stored: the admin API counts it.
	checkStoredVote(t, base, articleID)

	// 6. Switch to Spanish with the language link: the article's translation
	// when there is one, else the Spanish home page.
	b.at("es-page", nil)
	esURL := eval[string](b, "language link", `document.querySelector(".lang a[hreflang=es]").getAttribute("href")`)
	b.do("switch to Spanish", chromedp.Click(chromedp.CSS(".lang a[hreflang=es]")),
		chromedp.WaitVisible(chromedp.CSS("html[lang=es] main h1")))
	if loc := b.location(); loc != esURL {
		t.Errorf("the language link led to %s, want %s", loc, esURL)
	}
	esArticle := strings.HasPrefix(esURL, "/es/articles/"+articleID+"/")
	if !esArticle && esURL != "/es/" {
		t.Errorf("the language link of %s goes to %s, want its translation or /es/", articleID, esURL)
	}
	if got := b.text(".lang a"); got != "English" {
		t.Errorf("the Spanish page's language link says %q", got)
	}
	if got := b.text("main button[type=submit]"); got != "Buscar" {
		t.Errorf("the Spanish search button says %q", got)
	}
	b.checkPage("es-page")

	// 7. A category page: through the breadcrumb of a Spanish article, or
	// the first topic of the Spanish home page.
	b.at("es-category", nil)
	catLink := ".cards .card h3 a"
	if esArticle {
		catLink = ".crumbs li:nth-child(2) a"
	}
	b.do("open category", chromedp.Click(chromedp.CSS(catLink)),
		chromedp.WaitVisible(chromedp.CSS("p.lead")))
	if loc := b.location(); !strings.HasPrefix(loc, "/es/categories/") {
		t.Errorf("the topic link led to %s", loc)
	}
	if n := eval[int](b, "category articles", `document.querySelectorAll("main .link-list li").length`); n < 1 {
		t.Errorf("the category lists %d articles", n)
	}
	b.checkPage("es-category")

	// 8. A search with no results: popular articles and a contact link.
	b.at("es-zero-results", nil)
	b.do("search nothing", chromedp.Click(chromedp.CSS("#q-cat")))
	b.typeSlowly("#q-cat", "zqxv plorbt")
	b.do("submit", pressEnter, chromedp.WaitVisible(chromedp.CSS("section.zero")))
	if n := eval[int](b, "popular", `document.querySelectorAll("section.zero .link-list li").length`); n < 1 {
		t.Errorf("the zero-result page lists %d popular articles", n)
	}
	if n := eval[int](b, "contact link", `document.querySelectorAll('section.zero a[href="/es/contact"]').length`); n != 1 {
		t.Errorf("the zero-result page has %d contact links, want 1", n)
	}
	if got := eval[string](b, "lang", `document.documentElement.lang`); got != "es" {
		t.Errorf("zero-result page lang = %q, want es", got)
	}
	b.checkPage("es-zero-results")

	// 9. A search with a typo, submitted: corrected, highlighted, faceted; the
	// first result opens.
	b.at("search-results", nil)
	b.do("open home", chromedp.Navigate(base+"/en/"), chromedp.WaitVisible(chromedp.CSS("#q-home")))
	b.do("type query", chromedp.SendKeys(chromedp.CSS("#q-home"), "where is my invoce"))
	b.do("submit", pressEnter, chromedp.WaitVisible(chromedp.CSS("ol.results")))
	if got := b.text("main .notice"); !strings.Contains(got, "where is my invoice") {
		t.Errorf("the corrected-query notice says %q", got)
	}
	if got := b.text("#results-title"); !strings.Contains(got, "“where is my invoice”") {
		t.Errorf("the results heading says %q, want the corrected query", got)
	}
	if n := eval[int](b, "marks", `document.querySelectorAll("ol.results mark").length`); n < 1 {
		t.Error("no highlighted terms in the snippets")
	}
	if n := eval[int](b, "facets", `document.querySelectorAll(".facets li").length`); n < 1 {
		t.Error("no category facet")
	}
	b.checkPage("search-results")
	b.at("search-result-article", nil)
	b.do("open first result", chromedp.Click(chromedp.CSS("ol.results li h2 a")), chromedp.WaitVisible(chromedp.CSS("article.article h1")))
	if loc := b.location(); !strings.HasPrefix(loc, "/en/articles/invoice-") {
		t.Errorf("the first result for %q is %s", "where is my invoce", loc)
	}

	// 10. The 404 page: the browser logs the document's own 404, nothing else.
	missingURL := base + "/en/articles/no-such-article"
	b.at("404", func(m chromedp.ConsoleMessage) bool {
		return m.Source == "network" && m.URL == missingURL && strings.Contains(m.Text, "404")
	})
	ctx404, cancel404 := context.WithTimeout(b.ctx, stepBudget)
	resp, err := chromedp.Run(ctx404, chromedp.NavigateResponse(missingURL))
	cancel404()
	if err != nil {
		t.Fatalf("open 404: %v", err)
	}
	if resp.Status != http.StatusNotFound {
		t.Errorf("missing article: status %d, want 404", resp.Status)
	}
	if got := b.text("main h1"); got != "We couldn't find that page" {
		t.Errorf("404 page heading %q", got)
	}
	b.checkPage("404")
	b.flushConsole()
	b.at("done", nil)
}

// checkStoredVote reads the article's feedback through the admin API.
func checkStoredVote(t *testing.T, base, id string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/api/v1/articles/"+url.PathEscape(id)+"/feedback", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET feedback of %s: status %d", id, res.StatusCode)
	}
	var sum struct {
		Helpful    int            `json:"helpful"`
		NotHelpful int            `json:"not_helpful"`
		Reasons    map[string]int `json:"reasons"`
		Locales    map[string]struct {
			NotHelpful int `json:"not_helpful"`
		} `json:"locales"`
	}
	if err := json.NewDecoder(res.Body).Decode(&sum); err != nil {
		t.Fatal(err)
	}
	if sum.NotHelpful != 1 || sum.Helpful != 0 || sum.Reasons["didnt_apply"] != 1 || sum.Locales["en"].NotHelpful != 1 {
		t.Errorf("feedback of %s = %+v, want one English \"no\" because it didn't apply", id, sum)
	}
}

// submit clicks sel, which submits a form, and waits until the next page
// has loaded: not merely until something matches on the page being left.
func (b *browser) submit(what, sel string) {
	b.t.Helper()
	b.do(what, chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.leaving = "1"`), chromedp.Click(chromedp.CSS(sel)))
	deadline := time.Now().Add(stepBudget)
	for {
		// While the page changes, evaluating fails: that is waiting too.
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.documentElement.dataset.leaving && document.readyState === "complete"`))
		cancel()
		if err == nil && loaded {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: the next page did not load%s", what, b.failureShot(what))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// serveOn serves s on a free loopback port until the test ends and returns
// its base URL.
func serveOn(t *testing.T, s *server.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		<-served
	})
	return "http://" + ln.Addr().String()
}

// openTab starts headless Chromium for the test (skipping or failing as
// browserDeps says when it is missing) and returns a tab that watches the
// console from the first page on; the browser stops when the test ends, and
// console errors seen on the way fail the test.
func openTab(t *testing.T, budget time.Duration) *browser {
	t.Helper()
	chrome, axePath := browserDeps(t)
	axeSrc, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	shots := artifactsDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chrome), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(desktopW, desktopH),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true), chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("hide-scrollbars", true), chromedp.Flag("mute-audio", true), chromedp.Flag("lang", "en-GB"),
	)
	t.Cleanup(cancelAlloc)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	b := &browser{t: t, ctx: tabCtx, axe: string(axeSrc), shots: shots, probes: map[string]bool{}}
	b.at("start", nil)
	if err := chromedp.Do(tabCtx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", chrome, err)
	}
	consoleCtx, stopConsole := context.WithCancel(tabCtx)
	watching := make(chan struct{})
	messages := chromedp.Console(consoleCtx)
	go func() { defer close(watching); b.watchConsole(messages) }()
	t.Cleanup(func() {
		stopConsole()
		<-watching
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, e := range b.errs {
			t.Errorf("console on %s: %s (at %s:%d)", e.page, e.msg, e.msg.URL, e.msg.Line+1)
		}
		t.Logf("pages checked: %s", strings.Join(b.visited, ", "))
		t.Logf("screenshots in %s", shots)
	})
	b.do("desktop viewport", chromedp.EmulateViewport(desktopW, desktopH))
	return b
}
