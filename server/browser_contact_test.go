//go:build linux

package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/marketplace/helpcentre/domain/smtp/smtptest"
)

// scripts switches the page's JavaScript on or off, as a browser without
// JavaScript (or with it blocked) is.
func scripts(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

// TestBrowserContactJourneys walks journeys 3 and 4 through each person's
// pages: Ana, signed in and without JavaScript, asks through the plain
// contact form (her order picked), sees suggestions, still needs help and
// gets a short reference; Olga answers from customer care's pages; Ana
// reads the answer in her account. Then a visitor who is not signed in uses
// the contact page's widget with an email, customer care answers, the
// email reaches a real SMTP server, and its link opens the conversation,
// where the visitor reads and answers.
func TestBrowserContactJourneys(t *testing.T) {
	smtpd := smtptest.Need(t)
	w := newDomainWorld(t)
	send := mailer(t, w, smtpd)
	b, base := startBrowser(t, w, browserBudget)

	// Ana, signed in, JavaScript off.
	b.signIn(base, "ana")
	b.do("scripts off", scripts(false))
	b.at("contact-nojs", nil)
	b.do("open contact", chromedp.Navigate(base+"/es/contact"), chromedp.WaitVisible(chromedp.CSS("#c-subject")))
	b.do("ask", chromedp.SetValue(chromedp.CSS("#contact-order"), "1001"),
		chromedp.SendKeys(chromedp.CSS("#c-subject"), "Factura"), chromedp.SendKeys(chromedp.CSS("#c-body"), "Necesito la factura de mi pedido"))
	b.submit("find answers", "#contact-form button[type=submit]")
	if h := b.text("main h1"); !strings.Contains(h, "Estos artículos") {
		t.Fatalf("after asking: %q", h)
	}
	b.submit("still need help", ".contact-send button[type=submit]")
	ref := b.text("[data-reference]")
	if !strings.HasPrefix(ref, "HC-") || !strings.Contains(b.text("main"), "24 horas") {
		t.Fatalf("confirmation: reference %q, %q", ref, b.text("main"))
	}
	b.do("scripts on", scripts(true))

	var list struct{ Threads []apiThread }
	w.call(t, "ana", "GET", "/api/v1/threads", nil).decode(t, &list)
	if len(list.Threads) == 0 || list.Threads[0].Reference != ref || list.Threads[0].Order != "1001" {
		t.Fatalf("Ana's threads: %+v", list.Threads)
	}
	id := list.Threads[0].ID

	// Olga answers from customer care's pages.
	b.do("back to my account", chromedp.Navigate(base+"/account"), chromedp.WaitVisible(chromedp.CSS(".who")))
	b.signOut()
	b.signIn(base, "olga")
	b.at("operator-handoff", nil)
	b.do("open the hand-off", chromedp.Navigate(base+"/operator/messages/"+id), chromedp.WaitVisible(chromedp.CSS("#body")))
	if got := b.text("[data-reference]"); got != ref {
		t.Errorf("customer care sees reference %q, want %q", got, ref)
	}
	b.do("answer Ana", chromedp.SetValue(chromedp.CSS("#to"), "customer"), chromedp.SendKeys(chromedp.CSS("#body"), "Te enviamos la factura hoy."))
	b.submit("send", "form[action$='/messages/"+id+"'] button[type=submit]")
	b.shot("operator-handoff-answered")

	// Ana reads it in her account.
	b.signOut()
	b.signIn(base, "ana")
	b.at("account-handoff", nil)
	b.do("open my messages", chromedp.Navigate(base+"/account/messages"), chromedp.WaitVisible(chromedp.CSS("main")))
	b.do("open the conversation", chromedp.Navigate(base+"/account/messages/"+id), chromedp.WaitVisible(chromedp.CSS("#latest")))
	if got := b.text("#latest"); !strings.Contains(got, "Te enviamos la factura hoy.") {
		t.Errorf("Ana's latest message: %q", got)
	}
	b.shot("account-handoff")
	// She chooses which notifications also come by email.
	b.at("account-notifications", nil)
	b.do("open notifications", chromedp.Navigate(base+"/account/notifications"), chromedp.WaitVisible(chromedp.CSS("input[name=replies]")))
	b.checkPage("account-notifications")
	b.do("no replies by email", chromedp.Click(chromedp.CSS("input[name=replies]")))
	b.submit("save", "form[action='/account/notifications'] button[type=submit]")
	var prefs struct{ Refunds, Replies, Claims bool }
	w.call(t, "ana", "GET", "/api/v1/me/mail-preferences", nil).decode(t, &prefs)
	if !prefs.Refunds || prefs.Replies || !prefs.Claims {
		t.Errorf("after saving: %+v", prefs)
	}
	b.signOut()

	// A visitor, not signed in, with JavaScript: the contact page's widget.
	const host = "#contact-flow"
	b.at("contact-anonymous", nil)
	b.do("open contact", chromedp.Navigate(base+"/en/contact"))
	b.settled()
	b.waitJS("flow mounted", in(host, `sr.querySelector("#s") !== null`))
	b.typeInto(host, "#s", "Account locked")
	b.typeInto(host, "#q", "I cannot sign in")
	b.waitJS("still need help", in(host, `[...sr.querySelectorAll("button")].some(x => x.textContent.includes("still need") && x.offsetParent)`))
	eval[chromedp.Void](b, "still need help", in(host, `[...sr.querySelectorAll("button")].find(x => x.textContent.includes("still need") && x.offsetParent).click()`))
	b.waitJS("contact form", in(host, `!sr.querySelector("form.contact").hidden`))
	b.typeInto(host, "#e", "visitor@example.com")
	eval[chromedp.Void](b, "send", in(host, `sr.querySelector("form.contact button[type=submit]").click()`))
	b.waitJS("confirmation", in(host, `sr.querySelector("[data-reference]") !== null`))
	vref := eval[string](b, "reference", in(host, `sr.querySelector("[data-reference]").getAttribute("data-reference")`))
	vthread := eval[string](b, "thread", in(host, `sr.querySelector("[data-thread]").getAttribute("data-thread")`))
	if done := eval[string](b, "confirmation", in(host, `sr.querySelector("[data-reference]").textContent`)); !strings.HasPrefix(vref, "HC-") ||
		!strings.Contains(done, vref) || !strings.Contains(done, "24 hours") || !strings.Contains(done, "by email") {
		t.Fatalf("the widget's confirmation: %q (reference %q)", done, vref)
	}
	b.checkPage("contact-anonymous-sent")
	if r := w.call(t, "olga", "POST", "/api/v1/threads/"+vthread+"/messages", map[string]any{"to": []string{"customer"}, "body": "Your account is unlocked."}); r.status != http.StatusCreated {
		t.Fatalf("customer care answers: %d %s", r.status, r.body)
	}
	send()
	mail := smtpd.WaitFor(t, "visitor@example.com", "Re: Account locked ["+vref+"]", 5*time.Second)
	link := guestLinkRE.FindString(mail.Body)
	u, err := url.Parse(link)
	if link == "" || err != nil {
		t.Fatalf("no link in the mail:\n%s", mail.Body)
	}
	b.at("guest-conversation", nil)
	b.do("follow the link", chromedp.Navigate(base+u.Path), chromedp.WaitVisible(chromedp.CSS("#g-body")))
	if got := b.text("main"); !strings.Contains(got, "Your account is unlocked.") || !strings.Contains(got, "confirmed") || !strings.Contains(got, vref) {
		t.Errorf("the conversation: %q", got)
	}
	b.checkPage("guest-conversation")
	b.do("answer", chromedp.SendKeys(chromedp.CSS("#g-body"), "Thanks, it works now!"))
	b.submit("send the answer", "form[action^='/contact/c/'] button[type=submit]")
	if got := b.text("#latest"); !strings.Contains(got, "Thanks, it works now!") {
		t.Errorf("after answering, the latest message: %q", got)
	}
	var th apiThread
	w.call(t, "olga", "GET", "/api/v1/threads/"+vthread, nil).decode(t, &th)
	if th.EmailVerifiedAt == nil || len(th.Messages) != 3 || th.Messages[2].Body != "Thanks, it works now!" {
		t.Errorf("customer care reads: %+v", th)
	}
	b.flushConsole()
	b.do("leave", chromedp.Navigate("about:blank")) // no connection left open for the server's shutdown
	b.at("done", nil)
}
