package domain

// HideInternals removes from th, for a reader who is the customer (or an
// anonymous visitor), what is the business of the seller and customer care:
// the routing (which team, which rule fired and why) and the "no reply
// needed" mark on the seller's clock.
func HideInternals(a Actor, th *Thread) {
	if a.Role == RoleCustomer || a.Anonymous() {
		th.Assignment = nil
		th.NoReplyNeeded = false
	}
}
