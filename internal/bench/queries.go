package bench

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/marketplace/helpcentre/search"
)

// benchQuery is one question of the bench's query stream.
type benchQuery struct {
	q      string
	locale string
}

// ownQuestions are help-centre questions written for the bench, beside the
// copied Bitext dev queries: short, as customers type them, in both locales.
var ownQuestions = []benchQuery{
	{"where is my invoice", "en"},
	{"how do I return an item", "en"},
	{"my parcel has not arrived", "en"},
	{"can I cancel my order", "en"},
	{"how long does a refund take", "en"},
	{"change my delivery address", "en"},
	{"the seller is not answering my messages", "en"},
	{"item arrived damaged", "en"},
	{"how do I contact customer service", "en"},
	{"I was charged twice", "en"},
	{"how to leave a review", "en"},
	{"reset my password", "en"},
	{"delete my account", "en"},
	{"payment failed", "en"},
	{"track my order", "en"},
	{"I received the wrong item", "en"},
	{"open a claim against the seller", "en"},
	{"return shipping label", "en"},
	{"refund not received yet", "en"},
	{"how do I become a seller", "en"},
	{"dónde está mi factura", "es"},
	{"cómo devuelvo un artículo", "es"},
	{"mi pedido no ha llegado", "es"},
	{"quiero cancelar mi pedido", "es"},
	{"cuánto tarda el reembolso", "es"},
	{"cambiar la dirección de entrega", "es"},
	{"el vendedor no contesta", "es"},
	{"me han cobrado dos veces", "es"},
}

// typoQuestions have one or two misspelt words, as typed in a hurry.
var typoQuestions = []string{
	"where is my invoce",
	"cancle my order",
	"refnud not recieved",
	"chnage delivery adress",
	"pasword reset",
	"damagd item",
	"how do i retrun an item",
	"contcat the seller",
	"paymnet failed",
	"trak my parcel",
	"wrong itme delivred",
	"delet my acount",
}

// noHitQuestions share no word, and no near word, with any article.
var noHitQuestions = []string{
	"qwzx vbnkj",
	"zzyzx plover",
	"xkcdq wqpfz grrbl",
	"jjjkkk qqzzvv",
}

// longQuestions are pasted complaints of about sixty words: more words than
// the engine reads (MaxWords), most of them common.
var longQuestions = []string{
	"Hello, I ordered a pair of running shoes from a seller on your marketplace three weeks ago and paid by card, the tracking number has not changed for ten days, the seller does not answer my messages and I would like to know whether I can get a refund or open a claim, and how long that would take please, thank you very much",
	"Hi there, yesterday I received my parcel but the box was damaged and the blender inside is broken, the glass jug is cracked and it does not turn on, I want to return it and get my money back or a replacement, do I have to pay for the return shipping label and where do I find the form to start the return",
	"Good morning, I was charged twice for the same order, once on my credit card and once through my bank account, I can see both payments in my statement but only one order in my account, can you please check what happened and refund the duplicate payment, I also need an invoice with my company name and tax number for the order",
	"I am writing because I changed my delivery address after placing the order but the package was still sent to my old flat, the courier says it was delivered and signed for but I never got it, the seller tells me to contact you, what can I do now and will I be refunded if the parcel cannot be found",
}

// loadQueries reads the dev queries file, or returns nil with a warning when
// it is missing (the binary may run outside the repository).
func loadQueries(path string, warn func(string)) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		warn(fmt.Sprintf("%s not found: using the bench's own questions only", path))
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	qs, err := search.ReadQueries(f, path)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Query
	}
	return out, nil
}

// searchStream is the HTTP search stream: the dev queries in English with
// the bench's own questions (both locales) spread through them.
func searchStream(dev []string) []benchQuery {
	out := make([]benchQuery, 0, len(dev)+len(ownQuestions))
	for i, q := range dev {
		out = append(out, benchQuery{q, "en"})
		if i%20 == 19 {
			out = append(out, ownQuestions[(i/20)%len(ownQuestions)])
		}
	}
	if len(dev) < 20*len(ownQuestions) {
		out = append(out, ownQuestions...)
	}
	return out
}

// prefixes are what a customer has typed on the way to q: cut at a few
// lengths, most of them inside a word. Cuts shorter than two letters or
// ending in a space are left out.
func prefixes(q string) []string {
	var out []string
	r := []rune(q)
	for _, n := range []int{3, 5, 8, 12, 17, 23} {
		if n >= len(r) {
			break
		}
		p := strings.TrimSpace(string(r[:n]))
		if len([]rune(p)) < 2 || r[n-1] == ' ' {
			continue
		}
		out = append(out, p)
	}
	return out
}

// suggestStream is the as-you-type stream: prefixes of the search stream.
func suggestStream(qs []benchQuery) []benchQuery {
	var out []benchQuery
	for _, q := range qs {
		for _, p := range prefixes(q.q) {
			out = append(out, benchQuery{p, q.locale})
		}
	}
	return out
}

// truncWords keeps the first n words of q.
func truncWords(q string, n int) string {
	w := strings.Fields(q)
	return strings.Join(w[:min(n, len(w))], " ")
}

// targets turns a stream into request targets for route.
func targets(route string, qs []benchQuery) []string {
	if route == deflectRoute {
		return deflectTargets(qs)
	}
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = route + "?q=" + url.QueryEscape(q.q) + "&locale=" + q.locale
	}
	return out
}
