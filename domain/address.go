package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Address is a postal address: where an order was delivered (imported with
// the order) and where a shop takes its returns (the shop's).
type Address struct {
	Name       string `json:"name"`
	Street     string `json:"street"`
	PostalCode string `json:"postal_code"`
	City       string `json:"city"`
	Country    string `json:"country"` // ISO 3166-1 alpha-2, e.g. "ES"
}

// Lines are the address as it is written on a parcel.
func (a *Address) Lines() []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, l := range []string{a.Name, a.Street, strings.TrimSpace(a.PostalCode + " " + a.City), a.Country} {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// validate checks that every part of a is text of at most 200 characters.
func (a *Address) validate() error {
	if a == nil {
		return nil
	}
	for _, p := range []string{a.Name, a.Street, a.PostalCode, a.City, a.Country} {
		if !utf8.ValidString(p) || utf8.RuneCountInString(p) > 200 {
			return fmt.Errorf("every part of an address is text of at most 200 characters")
		}
	}
	return nil
}

// ReturnReference is the short reference a return's parcel carries, that
// the shop reads off the label when the parcel arrives: RET-<order>-<the
// last six characters of the return's id>.
func ReturnReference(r *Return) string {
	id := r.ID
	if len(id) > 6 {
		id = id[len(id)-6:]
	}
	return "RET-" + r.OrderNumber + "-" + strings.ToUpper(id)
}

// ReturnLabelFacts are what a return's shipping label shows: from the buyer
// (the order's delivery address) to the shop's returns address, with the
// return's reference as text and as a scannable code.
type ReturnLabelFacts struct {
	Reference string
	Order     string
	ShopName  string
	From, To  *Address
	Issued    time.Time
}

// NewReturnLabelFacts gathers a label's facts: the buyer's address is the
// order's delivery address; the shop's is its returns address, or its name
// alone when the marketplace has none on file.
func NewReturnLabelFacts(r *Return, o *Order, sh *Shop, now time.Time) ReturnLabelFacts {
	f := ReturnLabelFacts{Reference: r.Reference, Order: r.OrderNumber, ShopName: r.ShopID, From: o.ShipTo, Issued: now}
	if sh != nil {
		f.ShopName = sh.Name
		f.To = sh.ReturnAddress
	}
	if f.To == nil {
		f.To = &Address{Name: f.ShopName + ", returns department"}
	}
	if f.From == nil {
		f.From = &Address{Name: "The buyer of order " + r.OrderNumber}
	}
	return f
}
