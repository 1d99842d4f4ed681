package server_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSellerOnAPhone: at a phone's width (390 px) the seller's inbox
// shows each conversation as a card with "Your reply" (the deadline) in
// view, not past the right edge of a table scrolled sideways; the
// statistics' charts fit the screen and end at today. The inbox's
// screenshot is seller-inbox-phone-390.png in the artefacts folder
// (HELPCENTRE_ARTIFACTS).
func TestBrowserSellerOnAPhone(t *testing.T) {
	w := newSellerWorld(t)
	b, base := startBrowser(t, w.domainWorld, 2*time.Minute)
	res := w.call(t, "ana", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "seller", "topic": "delivery",
		"subject": "Lamp not here yet", "body": "Hello, my lamp has not arrived. Can you check?"})
	if res.status != http.StatusCreated {
		t.Fatalf("ana writes: %d %s", res.status, res.body)
	}
	var th struct{ ID string }
	res.decode(t, &th)

	b.do("phone", chromedp.EmulateViewport(phoneW, phoneH, chromedp.EmulateMobile, chromedp.EmulateTouch))
	b.at("seller-inbox-phone", nil)
	b.signIn(base, "sam")
	row := `table.inbox tr:has(a[href="/seller/messages/` + th.ID + `"])`
	b.do("inbox", chromedp.WaitVisible(chromedp.CSS(row)))
	eval[chromedp.Void](b, "scroll to the row", `document.querySelector('`+row+`').scrollIntoView({block: "center"})`)
	b.nextFrame()
	// The reply cell is inside the screen, left to right and top to bottom,
	// and says what is due.
	type box struct {
		Left, Right, Top, Bottom, Width, Height float64
		Text                                    string
	}
	reply := eval[box](b, "reply cell", `(() => { const c = document.querySelector('`+row+` td.reply'); const r = c.getBoundingClientRect();
		return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: innerWidth, height: innerHeight, text: c.innerText}; })()`)
	if reply.Left < 0 || reply.Right > reply.Width || reply.Top < 0 || reply.Bottom > reply.Height || reply.Right-reply.Left < 100 {
		t.Errorf("the reply cell is at %+v, not within the %vx%v screen", reply, reply.Width, reply.Height)
	}
	if !strings.Contains(reply.Text, "Reply due") || !strings.Contains(reply.Text, "left") {
		t.Errorf("the reply cell says %q", reply.Text)
	}
	if over := eval[int](b, "overflow", `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
		t.Errorf("the inbox scrolls sideways by %d px", over)
	}
	if scrolls := eval[bool](b, "table scroll", `(() => { const t = document.querySelector("table.inbox"); return t.scrollWidth > t.clientWidth + 1; })()`); scrolls {
		t.Error("the inbox table scrolls sideways")
	}
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(b.shots, "seller-inbox-phone-390.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("the inbox at 390 px: %s", shot)
	b.checkA11y("seller inbox on a phone")

	// The statistics: the phone layout of each chart, within the screen,
	// its last day today.
	// Sam answers: a message counts in the statistics once its outcome is
	// known, so the charts have a day to draw.
	if r := w.call(t, "sam", "POST", "/api/v1/threads/"+th.ID+"/messages", map[string]any{"to": []string{"customer"}, "body": "It left yesterday."}); r.status != http.StatusCreated {
		t.Fatalf("sam answers: %d %s", r.status, r.body)
	}
	b.at("seller-stats-phone", nil)
	b.do("statistics", chromedp.Navigate(base+"/seller/stats"), chromedp.WaitVisible(chromedp.CSS("dl.figures")))
	type chart struct {
		Shown, Wide       int
		Left, Right, Span float64
		Last              string
	}
	c := eval[chart](b, "charts", `(() => {
		const shown = [...document.querySelectorAll(".barchart svg")].filter(s => s.getClientRects().length > 0);
		const r = shown[0].getBoundingClientRect(), labels = shown[0].querySelectorAll("text.tick[text-anchor=middle]");
		return {shown: shown.length, wide: shown.filter(s => s.closest(".chart-wide")).length, left: r.left, right: r.right, span: innerWidth,
			last: labels[labels.length - 1].textContent};
	})()`)
	today := time.Now().UTC().Format("2 Jan")
	if c.Shown < 2 || c.Wide != 0 || c.Left < 0 || c.Right > c.Span {
		t.Errorf("charts on a phone: %+v (want the phone layouts of the share and the messages, within %v px)", c, c.Span)
	}
	if c.Last != today {
		t.Errorf("the first chart's last day is %q, want today, %s", c.Last, today)
	}
	// Every legend square has its series' colour, and the y-axis its values.
	type legend struct {
		Colours []string
		Ticks   int
	}
	l := eval[legend](b, "legend", `(() => ({
		colours: [...document.querySelectorAll(".legend .swatch")].filter(s => s.getClientRects().length > 0).map(s => getComputedStyle(s).backgroundColor),
		ticks: [...document.querySelectorAll(".barchart svg")].filter(s => s.getClientRects().length > 0)[0].querySelectorAll("text.tick[text-anchor=end]").length}))()`)
	if len(l.Colours) < 2 || l.Ticks < 2 {
		t.Errorf("legend colours %v, %d values on the y-axis", l.Colours, l.Ticks)
	}
	for _, c := range l.Colours {
		if c == "rgb(0, 0, 0)" || c == "rgba(0, 0, 0, 0)" {
			t.Errorf("a legend square is black or transparent: %v", l.Colours)
		}
	}
	b.checkA11y("seller statistics on a phone")
	b.flushConsole()
	b.at("done", nil)
	b.do("leave", chromedp.Navigate("about:blank"))
}
