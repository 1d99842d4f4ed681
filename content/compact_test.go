package content

import (
	"reflect"
	"testing"
)

// compact changes where the strings live, not what they are; lists stay
// separate (appending to one cannot overwrite the next) and nil stays nil.
func TestCompactKeepsTheArticle(t *testing.T) {
	a := &Article{ID: "order-change", Locale: "en", Title: "Can I change my order?", Category: "orders",
		Tags: []string{"change order", "edit"}, Aliases: []string{"modify my order", "swap an item"},
		Intents: []string{"change_order"}, Path: "en/orders/order-change.md", Slug: "order-change",
		Headings: []string{"Change your order", "If the shop has shipped"}, Digest: "0123456789abcdef",
		url: "/en/articles/order-change/can-i-change-my-order", slugOf: "Can I change my order?"}
	want := *a
	want.Tags = append([]string(nil), a.Tags...)
	want.Aliases = append([]string(nil), a.Aliases...)
	want.Intents = append([]string(nil), a.Intents...)
	want.Headings = append([]string(nil), a.Headings...)
	a.compact()
	if !reflect.DeepEqual(*a, want) {
		t.Fatalf("compacted:\n%+v\nwant\n%+v", *a, want)
	}
	if a.Related != nil {
		t.Errorf("Related became %#v", a.Related)
	}
	a.Tags = append(a.Tags, "quantity")
	if !reflect.DeepEqual(a.Aliases, want.Aliases) {
		t.Errorf("appending to Tags changed Aliases: %q", a.Aliases)
	}
	if got := a.URL(); got != "/en/articles/order-change/can-i-change-my-order" {
		t.Errorf("URL %q", got)
	}
}

// The URL made when the file is read follows the title if it changes, and
// costs no allocation to hand out.
func TestURLMadeOnce(t *testing.T) {
	a, ds := NewParser().Parse("en/orders/order-change.md", []byte("---\nid: order-change\ntitle: Can I change my order?\n---\nYes, until it ships.\n"))
	if a == nil {
		t.Fatalf("parse: %v", ds)
	}
	if n := testing.AllocsPerRun(100, func() { _ = a.URL() }); n != 0 {
		t.Errorf("URL allocates %v times", n)
	}
	if got := a.URL(); got != "/en/articles/order-change/can-i-change-my-order" {
		t.Errorf("URL %q", got)
	}
	b := *a
	b.Title = "Changing an order"
	if got := b.URL(); got != "/en/articles/order-change/changing-an-order" {
		t.Errorf("after a retitle, URL %q", got)
	}
}
