package label_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/label"
)

// TestLabelNamesBothAddressesAndTheReference: the PDF is a PDF, says who
// sends the parcel and to whom, carries the reference as text and as a
// barcode (checked by eye and with zbarimg: CODE-128 RET-1001-ABC123), and
// is the same for the same facts.
func TestLabelNamesBothAddressesAndTheReference(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	r := &domain.Return{ID: "01JF0000000000000000ABC123", OrderNumber: "1001", ClaimID: "c1"}
	r.Reference = domain.ReturnReference(r)
	if r.Reference != "RET-1001-ABC123" {
		t.Fatalf("reference %q", r.Reference)
	}
	o := &domain.Order{Number: "1001", ShipTo: &domain.Address{Name: "Ana García", Street: "Calle Mayor 5", PostalCode: "28013", City: "Madrid", Country: "ES"}}
	sh := &domain.Shop{ID: "shop-1", Name: "Nordic Home", ReturnAddress: &domain.Address{Name: "Nordic Home Returns", Street: "Hamngatan 12", PostalCode: "111 47", City: "Stockholm", Country: "SE"}}
	pdf, err := label.PDF(domain.NewReturnLabelFacts(r, o, sh, at))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("%%EOF")) {
		t.Fatalf("not a PDF: %.40q", pdf)
	}
	text := label.Text(pdf)
	for _, want := range []string{"FROM", "Ana García", "Calle Mayor 5", "28013 Madrid", "TO", "Nordic Home Returns", "Hamngatan 12",
		"111 47 Stockholm", "Return reference: RET-1001-ABC123", "Order 1001"} {
		if !strings.Contains(text, want) {
			t.Errorf("the label does not say %q:\n%s", want, text)
		}
	}
	// The barcode: filled rectangles ("re f") in the page's content.
	if n := strings.Count(label.Content(pdf), " re f"); n < 20 {
		t.Errorf("%d bars drawn, want a Code 128 barcode", n)
	}
	again, _ := label.PDF(domain.NewReturnLabelFacts(r, o, sh, at))
	if !bytes.Equal(pdf, again) {
		t.Errorf("the same facts gave another PDF")
	}
	// A shop without a returns address on file: its name, not an empty box.
	pdf, _ = label.PDF(domain.NewReturnLabelFacts(r, o, &domain.Shop{ID: "shop-1", Name: "Nordic Home"}, at))
	if text := label.Text(pdf); !strings.Contains(text, "Nordic Home, returns department") {
		t.Errorf("label without a returns address:\n%s", text)
	}
}
