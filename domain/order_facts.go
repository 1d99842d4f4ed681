package domain

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Help-centre article categories whose relevance an order's facts change
// (the category ids of the help centre's content).
const (
	CategoryRefunds = "refunds" // the refund window decides
	CategoryReturns = "returns" // the refund window decides
	CategoryClaims  = "claims"  // an open incident or claim decides
)

// OrderFactSources are the services ReadOrderFacts reads; Incidents and
// Claims may be nil (not there): their facts are then unknown or none.
type OrderFactSources struct {
	Orders    OrderService
	Incidents IncidentService
	Claims    ClaimService
}

// MaxOrderNumber is the longest order number ReadOrderFacts looks up.
const MaxOrderNumber = 64

// ReadOrderFacts reads the live facts of order number as the caller of ctx
// sees them, at now. No facts (nil, nil) for an empty or overlong number,
// no Orders service, or an order the caller may not see (answers then stay
// generic). A failure to find the order is (nil, err). A failure to list its
// incidents or claims still gives facts, computed without them, with the
// error for the log.
func ReadOrderFacts(ctx context.Context, src OrderFactSources, p Policy, number string, now time.Time) (*OrderFacts, error) {
	if src.Orders == nil || number == "" || len(number) > MaxOrderNumber {
		return nil, nil
	}
	o, err := src.Orders.FindOrder(ctx, number)
	if err != nil {
		if ErrorKind(err) == NotFound {
			return nil, nil
		}
		return nil, fmt.Errorf("order facts: find order: %w", err)
	}
	var errs []error
	var incidents []Incident
	known := false
	if src.Incidents != nil {
		if list, _, err := src.Incidents.ListIncidents(ctx, number, "", MaxPageLimit); err == nil {
			incidents, known = list, true
		} else {
			errs = append(errs, fmt.Errorf("order facts: incidents: %w", err))
		}
	}
	var claims []Claim
	if src.Claims != nil {
		if list, _, err := src.Claims.ListClaims(ctx, number, "", MaxPageLimit); err == nil {
			claims = list
		} else {
			errs = append(errs, fmt.Errorf("order facts: claims: %w", err))
		}
	}
	f := FactsOf(p, o, incidents, claims, known, now)
	return &f, errors.Join(errs...)
}

// FactRule is the order fact that makes an article of category more (or
// less) relevant, in words, for a suggestion's "why"; "" when none does
// (or f is nil).
func FactRule(f *OrderFacts, category string) string {
	if f == nil {
		return ""
	}
	switch category {
	case CategoryRefunds, CategoryReturns:
		if f.RefundUntil != nil {
			if f.RefundOpen {
				return "rule: order " + f.Order + " is inside its refund window (until " + f.RefundUntil.UTC().Format("2 Jan 2006") + ")"
			}
			return "rule: order " + f.Order + "'s refund window closed on " + f.RefundUntil.UTC().Format("2 Jan 2006")
		}
	case CategoryClaims:
		if f.OpenIncident != nil {
			return "rule: an incident is open on order " + f.Order
		}
		if f.OpenClaim != nil {
			return "rule: a claim is open on order " + f.Order + ", due " + f.OpenClaim.Deadline.UTC().Format("2 Jan 15:04") + " UTC"
		}
	}
	return ""
}
