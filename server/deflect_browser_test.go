package server_test

// Browser tests of the contact flow in headless Chromium: the widget embedded
// in a page of another origin, and the help centre's own /contact page. Each
// types a question with a typo, sees the right article, reads it (widget),
// asks for a person, sends, and finds the thread in the domain with its
// transcript. axe-core checks the pages (the widget's Shadow DOM included);
// screenshots go to the artefacts. Same dependencies as TestBrowser.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/marketplace/helpcentre/domain"
)

// newTab starts Chromium for a test and returns its browser.
func newTab(t *testing.T) *browser {
	t.Helper()
	return openTab(t, browserBudget)
}

// in evaluates JavaScript with sr bound to the widget's shadow root (host
// is a CSS selector of its host element).
func in(host, js string) string {
	return `(() => { const sr = document.querySelector(` + fmt.Sprintf("%q", host) + `).shadowRoot; return ` + js + `; })()`
}

func (b *browser) waitJS(what, js string) {
	b.t.Helper()
	b.do(what, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(10*time.Second)))
}

// typeInto focuses a field of the widget and types s as key presses.
func (b *browser) typeInto(host, field, s string) {
	b.t.Helper()
	eval[chromedp.Void](b, "focus "+field, in(host, `sr.querySelector(`+fmt.Sprintf("%q", field)+`).focus()`))
	for _, r := range s {
		b.do("type", chromedp.KeyEvent(string(r)))
		time.Sleep(15 * time.Millisecond)
	}
}

// threadOf reads a thread through the API as customer care.
func (w *deflectWorld) threadOf(t *testing.T, id string) thread {
	t.Helper()
	r := w.call(t, "olga", "GET", "/api/v1/threads/"+id, nil)
	if r.status != http.StatusOK {
		t.Fatalf("thread %s: %d %s", id, r.status, r.body)
	}
	var th thread
	r.decode(t, &th)
	return th
}

func TestBrowserWidgetOnAnotherOrigin(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	shopPage := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nordic Home · Your order</title><style>body{font:18px Georgia,serif;color:#222;margin:2em} h1{color:#8b0000} button{background:red}</style></head>
<body><main><h1>Nordic Home</h1><p>Thank you for shopping with us. Your order is on its way.</p></main>
<script src="%s/widget.js" data-entry="widget"></script></body></html>`, base)
	})
	host := httptest.NewServer(shopPage)
	t.Cleanup(host.Close)
	// The same page on an origin the help centre does not list.
	stranger := httptest.NewServer(shopPage)
	t.Cleanup(stranger.Close)
	w := newDeflectWorld(t, deflectOpts{origins: []string{host.URL}})
	served := make(chan error, 1)
	go func() { served <- w.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		w.srv.Shutdown(ctx)
		<-served
	})

	b := newTab(t)
	const hostSel = "[data-helpcentre-widget]"
	b.at("widget-host", nil)
	b.do("open host page", chromedp.Navigate(host.URL+"/orders/1001"))
	b.settled()
	b.waitJS("widget loaded", `document.querySelector("[data-helpcentre-widget]") !== null`)
	b.checkA11y("host page with the widget closed")
	b.screenshots("widget-closed")
	// The launcher is in the panel's font, not the host page's serif.
	if font := eval[string](b, "launcher font", in(hostSel, `getComputedStyle(sr.querySelector(".launch")).fontFamily`)); !strings.HasPrefix(font, "system-ui") {
		t.Errorf("the launcher's font is %q, not the panel's", font)
	}

	b.at("widget-open", nil)
	eval[chromedp.Void](b, "open", in(hostSel, `sr.querySelector(".launch").click()`))
	b.waitJS("panel open", in(hostSel, `!sr.querySelector(".panel").hidden && sr.activeElement && sr.activeElement.id === "s"`))
	b.typeInto(hostSel, "#s", "where is my invoce")
	b.waitJS("suggestions", in(hostSel, `sr.querySelectorAll("li .t").length > 0`))
	first := eval[string](b, "first suggestion", in(hostSel, `sr.querySelector("li .t").textContent`))
	if !strings.Contains(strings.ToLower(first), "invoice") {
		t.Fatalf("first suggestion for a typo'd invoice question: %q", first)
	}
	if got := eval[string](b, "live region", in(hostSel, `sr.querySelector(".results [role=status]").textContent`)); !strings.Contains(got, "answer") {
		t.Errorf("the live region says %q", got)
	}
	// The host page's styles do not reach the widget.
	if bg := eval[string](b, "style", in(hostSel, `getComputedStyle(sr.querySelector(".b2")).backgroundColor`)); bg == "rgb(255, 0, 0)" {
		t.Error("the host page's button style leaks into the widget")
	}
	b.checkA11y("widget with suggestions")
	b.screenshots("widget-suggestions")

	// Read the article inline, then "I still need help".
	b.at("widget-article", nil)
	eval[chromedp.Void](b, "open article", in(hostSel, `sr.querySelector("li .t").click()`))
	b.waitJS("article", in(hostSel, `sr.querySelector(".art h3") !== null`))
	if loc := eval[string](b, "location", `location.origin`); loc != host.URL {
		t.Errorf("reading the article left the page: %s", loc)
	}
	b.checkA11y("widget article")
	b.screenshots("widget-article")
	// Tab stays in the panel; Escape would close it (checked at the end).
	eval[chromedp.Void](b, "still need help", in(hostSel, `[...sr.querySelectorAll(".art button")].find(x => x.textContent.includes("still need")).click()`))
	b.waitJS("contact form", in(hostSel, `!sr.querySelector("form.contact").hidden && sr.activeElement && sr.activeElement.id === "e"`))
	if got := eval[string](b, "prefilled", in(hostSel, `sr.querySelector("#s").value`)); got != "where is my invoce" {
		t.Errorf("the form kept %q", got)
	}
	b.typeInto(hostSel, "#e", "client@shop.example")
	b.at("widget-sent", nil)
	eval[chromedp.Void](b, "send", in(hostSel, `sr.querySelector("form.contact button[type=submit]").click()`))
	b.waitJS("confirmation", in(hostSel, `sr.querySelector("[data-thread]") !== null`))
	threadID := eval[string](b, "thread id", in(hostSel, `sr.querySelector("[data-thread]").getAttribute("data-thread")`))
	b.checkA11y("widget confirmation")
	b.screenshots("widget-sent")
	b.do("escape", chromedp.KeyEvent("\x1b"))
	b.waitJS("closed", in(hostSel, `sr.querySelector(".panel").hidden && sr.activeElement === sr.querySelector(".launch")`))

	th := w.threadOf(t, threadID)
	x := th.Transcript
	if x == nil || len(x.Typed) == 0 || x.Typed[len(x.Typed)-1].Subject != "where is my invoce" || len(x.Shown) == 0 ||
		len(x.Opened) != 1 || !strings.HasPrefix(x.Opened[0], "invoice-") || len(x.Votes) != 1 || x.Votes[0].Helpful || x.Entry != "widget" {
		data, _ := json.Marshal(x)
		t.Fatalf("thread %s transcript: %s", threadID, data)
	}
	b.flushConsole()

	// On a page whose origin is not allowed the panel says help is not
	// available here, and the console tells the site's developer why.
	var said []string
	b.at("widget-refused", func(m chromedp.ConsoleMessage) bool {
		if strings.Contains(m.Text, "Help-centre widget") {
			said = append(said, m.Text)
			return true
		}
		return strings.Contains(m.Text, "403") // the browser's own line for the refused request
	})
	b.do("open a page of another origin", chromedp.Navigate(stranger.URL+"/orders/1001"))
	b.settled()
	b.waitJS("widget loaded", `document.querySelector("[data-helpcentre-widget]") !== null`)
	eval[chromedp.Void](b, "open", in(hostSel, `sr.querySelector(".launch").click()`))
	b.waitJS("refusal shown", in(hostSel, `sr.querySelector(".results [role=status]").textContent.includes("not allowed")`))
	if eval[bool](b, "form hidden", in(hostSel, `sr.querySelector("form[role=search]").hidden`)) != true {
		t.Error("the question form is offered on a page the help centre refuses")
	}
	b.checkA11y("widget refused")
	b.screenshots("widget-refused")
	b.flushConsole()
	b.mu.Lock()
	if len(said) == 0 || !strings.Contains(said[0], "--widget-origins "+stranger.URL) {
		t.Errorf("the console says %q, not how to allow %s", said, stranger.URL)
	}
	b.mu.Unlock()
	b.at("done", nil)
	b.do("leave", chromedp.Navigate("about:blank"))
}

func TestBrowserContactPage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	w := newDeflectWorld(t, deflectOpts{})
	served := make(chan error, 1)
	go func() { served <- w.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		w.srv.Shutdown(ctx)
		<-served
	})
	b := newTab(t)
	const hostSel = "#contact-flow"
	b.at("contact", nil)
	b.do("open contact", chromedp.Navigate(base+"/en/contact"))
	b.settled()
	b.waitJS("flow mounted", in(hostSel, `sr.querySelector("#s") !== null`))
	b.checkPage("contact")
	b.at("contact-suggestions", nil)
	b.typeInto(hostSel, "#s", "how do I get a refnud")
	b.waitJS("suggestions", in(hostSel, `sr.querySelectorAll("li .t").length > 0`))
	first := eval[string](b, "first", in(hostSel, `sr.querySelector("li .t").textContent`))
	if !strings.Contains(strings.ToLower(first), "refund") {
		t.Errorf("first suggestion for a refund question: %q", first)
	}
	b.typeInto(hostSel, "#q", "My order came broken")
	b.waitJS("suggestions again", in(hostSel, `sr.querySelectorAll("li .t").length > 0`))
	b.checkPage("contact-suggestions")
	b.at("contact-sent", nil)
	eval[chromedp.Void](b, "still need help", in(hostSel, `[...sr.querySelectorAll("button")].find(x => x.textContent.includes("still need") && x.offsetParent).click()`))
	b.waitJS("contact form", in(hostSel, `!sr.querySelector("form.contact").hidden`))
	b.typeInto(hostSel, "#e", "client@shop.example")
	eval[chromedp.Void](b, "send", in(hostSel, `sr.querySelector("form.contact button[type=submit]").click()`))
	b.waitJS("confirmation", in(hostSel, `sr.querySelector("[data-thread]") !== null`))
	threadID := eval[string](b, "thread", in(hostSel, `sr.querySelector("[data-thread]").getAttribute("data-thread")`))
	b.checkPage("contact-sent")
	th := w.threadOf(t, threadID)
	if th.Transcript == nil || th.Transcript.Entry != "contact" || len(th.Transcript.Shown) == 0 || len(th.Messages) == 0 ||
		!strings.Contains(th.Messages[0].Body, "broken") {
		data, _ := json.Marshal(th)
		t.Fatalf("thread from /contact: %s", data)
	}
	sess, err := w.defl.Session(domain.WithActor(context.Background(), domain.Actor{UserID: "op", Role: domain.RoleAgent}), th.Transcript.Session)
	if err != nil || sess.Handoff == nil {
		t.Errorf("session of the contact page: %+v %v", sess, err)
	}
	b.flushConsole()
	b.at("done", nil)
}
