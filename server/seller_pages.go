package server

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/search"
)

// sellerPages: the seller's back office, under /seller. Every read and
// command goes through the services with the seller in ctx: another shop's
// order, thread, incident or claim is NotFound there, so the 404 page here.
func (s *Server) sellerPages(r fiber.Router) {
	s.bo["seller_thread"] = sellerThreadTemplate()

	r.Get("/messages", s.pageSellerInbox)
	r.Get("/messages/:id", s.pageSellerThread)
	r.Post("/messages/:id", s.pageSellerReply)
	r.Post("/messages/:id/no-reply-needed", s.pageSellerNoReply)
	r.Post("/messages/:id/close", s.pageCloseThread("/seller"))
	r.Get("/attachments/:sha", s.apiDownloadAttachment)

	r.Get("/canned", s.pageSellerCanned)
	r.Post("/canned", s.pageSellerCannedSave)
	r.Post("/canned/:id/delete", s.pageSellerCannedDelete)

	r.Get("/orders", func(c *fiber.Ctx) error { return s.pageOrders(c, "/seller", "Orders") })
	r.Get("/orders/:number", s.pageSellerOrder)
	r.Post("/orders/:number/threads", s.pageSellerStartThread)
	r.Post("/orders/:number/refund", s.pageSellerRefund)

	r.Get("/incidents", s.pageSellerIncidents)
	r.Get("/incidents/:id", s.pageSellerIncident)
	r.Post("/incidents/:id/solve", s.pageSellerSolveIncident)

	r.Get("/claims", s.pageSellerClaims)
	r.Get("/claims/:id", s.pageSellerClaim)
	r.Post("/claims/:id/offer", s.pageSellerOffer)
	r.Post("/claims/:id/refund", s.pageSellerClaimRefund)
	r.Post("/claims/:id/return", s.pageSellerClaimReturn)
	r.Get("/returns/:id/label", s.apiReturnLabel)

	r.Get("/stats", s.pageSellerStats)
}

// ---- Messages ----

// sellerInboxView is the seller's inbox with its filters.
type sellerInboxView struct {
	Threads    []domain.Thread
	Next       string // the URL of the next page, with the filters
	Filter     map[string]string
	Topics     []string
	Searched   bool
	SearchNote string
	Filtered   bool
}

// sellerInboxFields are the inbox's GET form fields.
var sellerInboxFields = []string{"q", "topic", "customer", "order", "since", "until", "status", "sort"}

// sellerSearchScan bounds a text search: pages of MaxPageLimit matches, each
// reading at most 1,000 threads (ThreadFilter.Text).
const sellerSearchScan = 4 * domain.MaxPageLimit

func (s *Server) pageSellerInbox(c *fiber.Ctx) error {
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	form := map[string]string{}
	for _, n := range sellerInboxFields {
		form[n] = strings.TrimSpace(strings.Clone(c.Query(n)))
	}
	v := sellerInboxView{Filter: form, Topics: domain.Topics(), Threads: []domain.Thread{}}
	errs := map[string]string{}
	f := domain.ThreadFilter{Topic: form["topic"], Customer: form["customer"], OrderNumber: form["order"], Status: form["status"],
		Sort: form["sort"], Cursor: strings.Clone(c.Query("cursor")), Limit: domain.DefaultPageLimit}
	if d, ok := sellerFormDate(form["since"]); !ok {
		errs["since"] = "Give a date as YYYY-MM-DD."
	} else if d != nil {
		f.Since = d
	}
	if d, ok := sellerFormDate(form["until"]); !ok {
		errs["until"] = "Give a date as YYYY-MM-DD."
	} else if d != nil {
		end := d.Add(24 * time.Hour) // the whole last day
		f.Until = &end
	}
	for _, n := range sellerInboxFields {
		v.Filtered = v.Filtered || (form[n] != "" && n != "sort")
	}
	if len(errs) > 0 {
		return s.renderBO(c, fiber.StatusBadRequest, "seller_inbox", boPage{Title: "Messages", Body: v, Form: form, Errors: errs})
	}
	if q := form["q"]; q != "" {
		v.Searched = true
		v.SearchNote = "Searched subjects, customer names, order numbers, topics and the messages you can see, newest conversations first."
		threads, err := s.searchThreads(ctx, q, f)
		if err != nil {
			return s.inboxError(c, v, form, err)
		}
		v.Threads = threads
		return s.renderBO(c, fiber.StatusOK, "seller_inbox", boPage{Title: "Messages", Body: v, Form: form})
	}
	page, err := s.dom.Threads.ListThreads(ctx, f)
	if err != nil {
		return s.inboxError(c, v, form, err)
	}
	v.Threads = page.Threads
	if page.Next != "" {
		q := url.Values{}
		for _, n := range sellerInboxFields {
			if form[n] != "" {
				q.Set(n, form[n])
			}
		}
		q.Set("cursor", page.Next)
		v.Next = "/seller/messages?" + q.Encode()
	}
	return s.renderBO(c, fiber.StatusOK, "seller_inbox", boPage{Title: "Messages", Body: v, Form: form})
}

func (s *Server) inboxError(c *fiber.Ctx, v sellerInboxView, form map[string]string, err error) error {
	errs, err := fieldErrors(err, nil)
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusBadRequest, "seller_inbox", boPage{Title: "Messages", Body: v, Form: form, Errors: errs})
}

// sellerFormDate reads a YYYY-MM-DD date as its UTC midnight; "" is nil.
func sellerFormDate(v string) (*time.Time, bool) {
	if v == "" {
		return nil, true
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, false
	}
	return &d, true
}

// searchThreads finds the caller's threads matching q: q as an order number
// and as a customer's name (exact, from the indexes), then q's words in the
// subject, customer, order, topic and messages (ThreadFilter.Text) of the
// newest threads with the form's other filters.
func (s *Server) searchThreads(ctx context.Context, q string, f domain.ThreadFilter) ([]domain.Thread, error) {
	found := map[string]domain.Thread{}
	add := func(ths []domain.Thread) {
		for _, th := range ths {
			found[th.ID] = th
		}
	}
	f.Cursor = ""
	if f.OrderNumber == "" && !strings.ContainsAny(q, " \t") {
		g := f
		g.OrderNumber, g.Limit = q, domain.MaxPageLimit
		page, err := s.dom.Threads.ListThreads(ctx, g)
		if err != nil && domain.ErrorKind(err) != domain.Invalid { // q is no order number
			return nil, err
		}
		if err == nil {
			add(page.Threads)
		}
	}
	if f.Customer == "" {
		g := f
		g.Customer, g.Limit = q, domain.MaxPageLimit
		page, err := s.dom.Threads.ListThreads(ctx, g)
		if err != nil && domain.ErrorKind(err) != domain.Invalid { // q is no customer name
			return nil, err
		}
		if err == nil {
			add(page.Threads)
		}
	}
	// Then the text itself, in subjects, names, orders, topics and the
	// messages the seller may see, newest conversations first.
	g := f
	g.Text, g.Limit = q, domain.MaxPageLimit
	for read := 0; read < sellerSearchScan; read += domain.MaxPageLimit {
		page, err := s.dom.Threads.ListThreads(ctx, g)
		if err != nil {
			return nil, err
		}
		add(page.Threads)
		if page.Next == "" {
			break
		}
		g.Cursor = page.Next
	}
	out := make([]domain.Thread, 0, len(found))
	for _, th := range found {
		out = append(out, th)
	}
	slices.SortFunc(out, func(a, b domain.Thread) int { return b.LastMessage.Compare(a.LastMessage) })
	if len(out) > domain.MaxPageLimit {
		out = out[:domain.MaxPageLimit]
	}
	return out, nil
}

// sellerThreadTemplate is thread.html with the seller's canned replies below
// it: thread.html's content is kept as "thread-content" and
// seller_thread.html's content shows it, then the canned-reply picker.
func sellerThreadTemplate() *template.Template {
	t := template.Must(template.New("seller_thread").Funcs(boFuncs()).ParseFS(boFS, "templates/bo/layout.html", "templates/bo/thread.html"))
	template.Must(t.AddParseTree("thread-content", t.Lookup("content").Tree))
	return template.Must(t.ParseFS(boFS, "templates/bo/seller_thread.html"))
}

// sellerThreadView is a conversation with the shop's canned replies.
type sellerThreadView struct {
	*threadView
	Canned   []domain.CannedReply
	Selected string
}

func (s *Server) pageSellerThread(c *fiber.Ctx) error {
	v, err := s.loadThreadView(c, "/seller")
	if err != nil {
		return err
	}
	_ = s.dom.Threads.MarkRead(c.UserContext(), v.Thread.ID)
	sv := sellerThreadView{threadView: v, Selected: strings.Clone(c.Query("canned"))}
	var form map[string]string
	if cr := s.dom.Canned; cr != nil {
		if sv.Canned, err = cr.ListCannedReplies(c.UserContext()); err != nil {
			return err
		}
		if sv.Selected != "" {
			r, err := cr.FindCannedReply(c.UserContext(), sv.Selected)
			if err != nil {
				return err
			}
			to := string(domain.PartyCustomer)
			if v.Thread.CustomerID == "" {
				to = string(domain.PartyOperator)
			}
			form = map[string]string{"body": r.Body, "to": to}
		}
	}
	return s.renderBO(c, fiber.StatusOK, "seller_thread", boPage{Title: threadTitle(v.Thread), Body: sv, Form: form})
}

// pageSellerReply posts the thread page's reply form. An internal note is
// seen by the shop's own team only and so goes to no one: the "To" chosen is
// left out.
func (s *Server) pageSellerReply(c *fiber.Ctx) error {
	if c.FormValue("internal") != "on" {
		return s.postReply(c, "/seller")
	}
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	id := strings.Clone(c.Params("id"))
	form := formValues(c, "body", "to")
	refs, err := s.uploadAttachments(c, "files")
	if err == nil {
		_, err = s.dom.Threads.PostMessage(c.UserContext(), id, domain.NewMessage{Body: form["body"], Internal: true, Attachments: refs})
		if err == nil {
			return c.Redirect("/seller/messages/"+id+"?done=sent#latest", fiber.StatusSeeOther)
		}
	}
	status := sellerStatusOr(err, fiber.StatusBadRequest)
	errs, err := fieldErrors(err, map[domain.Code]string{"invalid_body": "body", "invalid_message": "body", "invalid_recipient": "to",
		"attachment_too_large": "files", "attachment_type": "files", "too_many_attachments": "files"})
	if err != nil {
		return err
	}
	v, lerr := s.loadThreadView(c, "/seller")
	if lerr != nil {
		return lerr
	}
	return s.renderBO(c, status, "seller_thread", boPage{Title: threadTitle(v.Thread), Body: sellerThreadView{threadView: v}, Form: form, Errors: errs})
}

func (s *Server) pageSellerNoReply(c *fiber.Ctx) error {
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	id := strings.Clone(c.Params("id"))
	if _, err := s.dom.Threads.MarkNoReplyNeeded(c.UserContext(), id); err != nil {
		errs, err := fieldErrors(err, nil)
		if err != nil {
			return err
		}
		v, lerr := s.loadThreadView(c, "/seller")
		if lerr != nil {
			return lerr
		}
		return s.renderBO(c, fiber.StatusConflict, "seller_thread", boPage{Title: threadTitle(v.Thread), Body: sellerThreadView{threadView: v}, Errors: errs})
	}
	return c.Redirect("/seller/messages/"+id+"?done=noreply", fiber.StatusSeeOther)
}

// ---- Canned replies ----

// sellerCannedView is the shop's canned replies, the form to write one, and the
// articles found to link in it.
type sellerCannedView struct {
	Replies  []domain.CannedReply
	Articles []search.Suggestion
	Searched bool
	Editing  string // the id of the reply in the form, "" for a new one
}

// sellerArticleLimit is how many articles a search offers to link.
const sellerArticleLimit = 6

func (s *Server) pageSellerCanned(c *fiber.Ctx) error {
	cr := s.dom.Canned
	if cr == nil {
		return fiber.ErrNotFound
	}
	v := sellerCannedView{}
	var err error
	if v.Replies, err = cr.ListCannedReplies(c.UserContext()); err != nil {
		return err
	}
	var form map[string]string
	if id := strings.Clone(c.Query("edit")); id != "" {
		r, err := cr.FindCannedReply(c.UserContext(), id)
		if err != nil {
			return err
		}
		v.Editing = r.ID
		form = map[string]string{"id": r.ID, "title": r.Title, "body": r.Body}
	}
	return s.renderBO(c, fiber.StatusOK, "seller_canned", boPage{Title: "Canned replies", Body: v, Form: form})
}

// pageSellerCannedSave saves the form, or (the "find" and "insert" buttons)
// searches the help centre for an article and inserts its link in the text,
// showing the form again with what was typed.
func (s *Server) pageSellerCannedSave(c *fiber.Ctx) error {
	cr := s.dom.Canned
	if cr == nil {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	form := formValues(c, "id", "title", "body", "article_q", "article", "action")
	v := sellerCannedView{Editing: form["id"]}
	var err error
	if v.Replies, err = cr.ListCannedReplies(ctx); err != nil {
		return err
	}
	flash := ""
	render := func(status int, errs map[string]string) error {
		return s.renderBO(c, status, "seller_canned", boPage{Title: "Canned replies", Body: v, Form: form, Errors: errs, Flash: flash})
	}
	switch form["action"] {
	case "find", "insert":
		if form["action"] == "insert" && form["article"] != "" {
			link := s.articleLink(form["article"])
			if link == "" {
				return render(fiber.StatusBadRequest, map[string]string{"article": "Choose one of the articles found."})
			}
			form["body"] = strings.TrimRight(form["body"], "\n ") + "\n\n" + link
			form["body"] = strings.TrimLeft(form["body"], "\n")
			flash = "The link was put at the end of the text: save to keep it."
		}
		if q := form["article_q"]; q != "" {
			v.Searched = true
			v.Articles, err = s.engine.Suggest(ctx, q, "en", search.Customer, sellerArticleLimit)
			if err != nil {
				return render(fiber.StatusBadRequest, map[string]string{"article_q": "Search for a few words of an article's title."})
			}
		} else if form["action"] == "find" {
			return render(fiber.StatusBadRequest, map[string]string{"article_q": "Type a few words of the article's title."})
		}
		return render(fiber.StatusOK, nil)
	}
	if _, err := cr.SaveCannedReply(ctx, &domain.CannedReply{ID: form["id"], Title: form["title"], Body: form["body"]}); err != nil {
		errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidCannedTitle: "title", domain.CodeInvalidCannedBody: "body"})
		if err != nil {
			return err
		}
		return render(fiber.StatusBadRequest, errs)
	}
	return c.Redirect("/seller/canned?done=reply_saved", fiber.StatusSeeOther)
}

// articleLink is "Title: URL" for an article of the help centre, "" when id
// names none. Articles are linked in English, the canonical locale.
func (s *Server) articleLink(id string) string {
	locale, rest, ok := strings.Cut(id, "/")
	if !ok {
		return ""
	}
	a := s.ix.Content().Articles[content.Key{ID: rest, Locale: locale}]
	if a == nil {
		return ""
	}
	return a.Title + ": " + a.URL()
}

func (s *Server) pageSellerCannedDelete(c *fiber.Ctx) error {
	cr := s.dom.Canned
	if cr == nil {
		return fiber.ErrNotFound
	}
	if err := cr.DeleteCannedReply(c.UserContext(), strings.Clone(c.Params("id"))); err != nil {
		return err
	}
	return c.Redirect("/seller/canned?done=closed", fiber.StatusSeeOther)
}

// ---- Orders ----

// sellerCycleStep is one state of the order's cycle as the order page shows it.
type sellerCycleStep struct {
	State   domain.OrderState
	At      *time.Time
	Done    bool
	Current bool
}

// sellerOrderView is an order with what the seller may do on it.
type sellerOrderView struct {
	*orderView
	Cycle        []sellerCycleStep
	Deadline     *time.Time // the last instant of the refund window; nil before shipment
	WindowClosed bool
	DaysLeft     int
	Left         domain.Left
	Key          string // the refund form's idempotency key
	Recipients   []domain.Party
}

func sellerOrderCycle(o *domain.Order) []sellerCycleStep {
	states := []domain.OrderState{domain.OrderPaid, domain.OrderShipped, domain.OrderDelivered, domain.OrderClosed}
	at := map[domain.OrderState]*time.Time{domain.OrderPaid: &o.PlacedAt, domain.OrderShipped: o.ShippedAt, domain.OrderDelivered: o.DeliveredAt}
	cur := slices.Index(states, o.State)
	out := make([]sellerCycleStep, 0, len(states)+1)
	for i, st := range states {
		out = append(out, sellerCycleStep{State: st, At: at[st], Done: cur >= 0 && i <= cur, Current: i == cur})
	}
	if o.State == domain.OrderCancelled {
		out = append(out, sellerCycleStep{State: o.State, Done: true, Current: true})
	}
	return out
}

// sellerIdempotencyKey is a fresh key for a form that must act once.
func sellerIdempotencyKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Server) loadSellerOrder(c *fiber.Ctx, number string) (*sellerOrderView, error) {
	v, err := s.loadOrderView(c, "/seller", number)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(v.Incidents, func(a, b domain.Incident) int {
		return cmp.Compare(sellerIncidentRank(a.State), sellerIncidentRank(b.State))
	})
	o := v.Order
	sv := &sellerOrderView{orderView: v, Cycle: sellerOrderCycle(o), Left: domain.RefundableLeft(o), Key: sellerIdempotencyKey(),
		Recipients: []domain.Party{domain.PartyCustomer, domain.PartyOperator}}
	if d := domain.RefundDeadline(s.dom.policy(), o); d != nil {
		sv.Deadline = d
		now := time.Now()
		sv.WindowClosed = now.After(*d)
		sv.DaysLeft = int(d.Sub(now).Hours() / 24)
	}
	return sv, nil
}

func (s *Server) pageSellerOrder(c *fiber.Ctx) error {
	v, err := s.loadSellerOrder(c, strings.Clone(c.Params("number")))
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "seller_order", boPage{Title: "Order " + v.Order.Number, Body: v})
}

// sellerOrderError shows the order page again with the form open, what was
// typed and the errors.
func (s *Server) sellerOrderError(c *fiber.Ctx, open string, status int, form, errs map[string]string) error {
	v, err := s.loadSellerOrder(c, strings.Clone(c.Params("number")))
	if err != nil {
		return err
	}
	v.Open = open
	if k := form["key"]; k != "" {
		v.Key = k // the same refund, tried again
	}
	return s.renderBO(c, status, "seller_order", boPage{Title: "Order " + v.Order.Number, Body: v, Form: form, Errors: errs})
}

func (s *Server) pageSellerStartThread(c *fiber.Ctx) error {
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	number := strings.Clone(c.Params("number"))
	form := formValues(c, "recipient", "topic", "subject", "body")
	refs, err := s.uploadAttachments(c, "files")
	if err == nil {
		var th *domain.Thread
		th, err = s.dom.Threads.CreateThread(c.UserContext(), domain.NewThread{OrderNumber: number, Recipient: domain.Party(form["recipient"]),
			Topic: form["topic"], Subject: form["subject"], Body: form["body"], Attachments: refs})
		if err == nil {
			return c.Redirect("/seller/messages/"+th.ID+"?done=sent", fiber.StatusSeeOther)
		}
	}
	errs, err := fieldErrors(err, map[domain.Code]string{"invalid_topic": "topic", "invalid_recipient": "recipient", "invalid_body": "body",
		"invalid_message": "body", "invalid_thread": "body", "invalid_subject": "subject", "attachment_too_large": "files",
		"attachment_type": "files", "too_many_attachments": "files", "invalid_attachment": "files"})
	if err != nil {
		return err
	}
	return s.sellerOrderError(c, "thread", fiber.StatusBadRequest, form, errs)
}

// sellerRefundView is the confirmation step of a refund: what the customer
// will receive, and the form that confirms it.
type sellerRefundView struct {
	Order  *domain.Order
	Plan   *domain.Refund
	Titles map[int]string
	Key    string
	Hidden map[string]string // the request, to post again
}

// sellerRefundForm reads the refund form of order o: the request, what was typed,
// and the errors of fields that are not numbers.
func sellerRefundForm(c *fiber.Ctx, o *domain.Order) (domain.RefundRequest, map[string]string, map[string]string) {
	names := []string{"kind", "amount", "shipping", "reason", "key", "confirm"}
	for _, l := range o.Lines {
		names = append(names, "units_"+strconv.Itoa(l.No))
	}
	form := formValues(c, names...)
	errs := map[string]string{}
	req := domain.RefundRequest{Kind: form["kind"], Reason: strings.TrimSpace(form["reason"])}
	if req.Kind != domain.RefundTotal && req.Kind != domain.RefundPartial {
		errs["kind"] = "Choose a total or a partial refund."
	}
	if req.Kind == domain.RefundTotal {
		return req, form, errs
	}
	var ok bool
	if req.Amount, ok = formMoney(c, "amount"); !ok {
		errs["amount"] = "Give an amount such as 12.50."
	}
	if req.Shipping, ok = formMoney(c, "shipping"); !ok {
		errs["shipping"] = "Give an amount such as 4.95."
	}
	for _, l := range o.Lines {
		n, ok := formInt(c, "units_"+strconv.Itoa(l.No))
		if !ok {
			errs["units_"+strconv.Itoa(l.No)] = "Give a whole number of units."
		} else if n > 0 {
			req.Lines = append(req.Lines, domain.RefundLine{Line: l.No, Units: n})
		}
	}
	return req, form, errs
}

// sellerRefundFields names the field a refund error is about.
var sellerRefundFields = map[domain.Code]string{domain.CodeInvalidRefund: "refund", domain.CodeRefundExceedsPaid: "refund",
	domain.CodeRefundWindowClosed: "refund", domain.CodeIdempotencyKeyRequired: "refund", domain.CodeRefundOverLimit: "refund",
	domain.CodeRefundState: "refund", domain.CodeForbidden: "refund", "order_frozen": "refund"}

// pageSellerRefund is the refund form's two steps: without confirm it shows
// what the customer will receive; with confirm it creates the refund under
// the form's idempotency key, so a second click returns the same refund.
func (s *Server) pageSellerRefund(c *fiber.Ctx) error {
	if s.dom.Refunds == nil {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	number := strings.Clone(c.Params("number"))
	o, err := s.dom.Orders.FindOrder(ctx, number)
	if err != nil {
		return err
	}
	req, form, errs := sellerRefundForm(c, o)
	if c.FormValue("edit") != "" { // back from the confirmation to change it
		return s.sellerOrderError(c, "refund", fiber.StatusOK, form, nil)
	}
	if len(errs) > 0 {
		return s.sellerOrderError(c, "refund", fiber.StatusBadRequest, form, errs)
	}
	if form["confirm"] != "" && form["key"] != "" {
		return s.createSellerRefund(c, number, req, form)
	}
	plan, err := domain.PlanRefund(s.dom.policy(), o, req, time.Now())
	if err != nil {
		errs, err := fieldErrors(err, sellerRefundFields)
		if err != nil {
			return err
		}
		return s.sellerOrderError(c, "refund", fiber.StatusBadRequest, form, errs)
	}
	if form["key"] == "" {
		form["key"] = sellerIdempotencyKey()
	}
	if form["confirm"] == "" {
		hidden := map[string]string{}
		for k, v := range form {
			if v != "" && k != "confirm" && k != "key" {
				hidden[k] = v
			}
		}
		titles := map[int]string{}
		for _, l := range o.Lines {
			titles[l.No] = l.Title
		}
		return s.renderBO(c, fiber.StatusOK, "seller_refund", boPage{Title: "Confirm the refund on order " + o.Number,
			Body: sellerRefundView{Order: o, Plan: plan, Titles: titles, Key: form["key"], Hidden: hidden}})
	}
	return s.createSellerRefund(c, number, req, form)
}

// createSellerRefund creates the confirmed refund under the form's key: the
// same key (a second click) returns the refund the first made.
func (s *Server) createSellerRefund(c *fiber.Ctx, number string, req domain.RefundRequest, form map[string]string) error {
	if _, _, err := s.dom.Refunds.CreateRefund(c.UserContext(), number, form["key"], req); err != nil {
		status := sellerStatusOr(err, fiber.StatusBadRequest)
		errs, err := fieldErrors(err, sellerRefundFields)
		if err != nil {
			return err
		}
		return s.sellerOrderError(c, "refund", status, form, errs)
	}
	return c.Redirect("/seller/orders/"+number+"?done=refunded", fiber.StatusSeeOther)
}

// sellerStatusOr is the HTTP status of a domain error's kind, or def.
func sellerStatusOr(err error, def int) int {
	if st, ok := domainStatus[domain.ErrorKind(err)]; ok && err != nil {
		return st
	}
	return def
}

// ---- Incidents ----

func sellerIncidentRank(st domain.IncidentState) int {
	switch st {
	case domain.IncidentOpen:
		return 0
	case domain.IncidentResolvedBySeller:
		return 1
	}
	return 2
}

// sellerCasesView is a page of incidents or claims.
type sellerCasesView struct {
	Incidents []domain.Incident
	Claims    []sellerClaimRow
	Next      string
}

// sellerClaimRow is a claim with its reputation deadline as the templates'
// time helpers take it.
type sellerClaimRow struct {
	domain.Claim
	Due *time.Time
}

func (s *Server) pageSellerIncidents(c *fiber.Ctx) error {
	if s.dom.Incidents == nil {
		return fiber.ErrNotFound
	}
	list, next, err := s.dom.Incidents.ListIncidents(c.UserContext(), "", strings.Clone(c.Query("cursor")), 50)
	if err != nil {
		return err
	}
	slices.SortStableFunc(list, func(a, b domain.Incident) int {
		if r := cmp.Compare(sellerIncidentRank(a.State), sellerIncidentRank(b.State)); r != 0 {
			return r
		}
		return b.OpenedAt.Compare(a.OpenedAt)
	})
	return s.renderBO(c, fiber.StatusOK, "seller_incidents", boPage{Title: "Incidents", Body: sellerCasesView{Incidents: list, Next: next}})
}

// sellerIncidentView is an incident with its order.
type sellerIncidentView struct {
	Incident *domain.Incident
	Order    *domain.Order
	Cycle    []sellerCycleStep
	Line     *domain.Line
}

func (s *Server) loadIncident(c *fiber.Ctx) (*sellerIncidentView, error) {
	if s.dom.Incidents == nil {
		return nil, fiber.ErrNotFound
	}
	in, err := s.dom.Incidents.FindIncident(c.UserContext(), strings.Clone(c.Params("id")))
	if err != nil {
		return nil, err
	}
	o, err := s.dom.Orders.FindOrder(c.UserContext(), in.OrderNumber)
	if err != nil {
		return nil, err
	}
	v := &sellerIncidentView{Incident: in, Order: o, Cycle: sellerOrderCycle(o)}
	for i := range o.Lines {
		if o.Lines[i].No == in.Line {
			v.Line = &o.Lines[i]
		}
	}
	return v, nil
}

func (s *Server) pageSellerIncident(c *fiber.Ctx) error {
	v, err := s.loadIncident(c)
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "seller_incident", boPage{Title: "Incident on order " + v.Order.Number, Body: v})
}

func (s *Server) pageSellerSolveIncident(c *fiber.Ctx) error {
	if s.dom.Incidents == nil {
		return fiber.ErrNotFound
	}
	id := strings.Clone(c.Params("id"))
	form := formValues(c, "message")
	_, err := s.dom.Incidents.ResolveIncident(c.UserContext(), id, form["message"])
	if err == nil {
		return c.Redirect("/seller/incidents/"+id+"?done=solved", fiber.StatusSeeOther)
	}
	status := sellerStatusOr(err, fiber.StatusBadRequest)
	errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidIncident: "message", domain.CodeInvalidMessage: "message"})
	if err != nil {
		return err
	}
	v, lerr := s.loadIncident(c)
	if lerr != nil {
		return lerr
	}
	return s.renderBO(c, status, "seller_incident", boPage{Title: "Incident on order " + v.Order.Number, Body: v, Form: form, Errors: errs})
}

// ---- Claims ----

func sellerClaimRank(c domain.Claim) int {
	switch c.State {
	case domain.ClaimOpen:
		return 0
	case domain.ClaimReturning:
		return 1
	}
	return 2
}

func (s *Server) pageSellerClaims(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	list, next, err := s.dom.Claims.ListClaims(c.UserContext(), "", strings.Clone(c.Query("cursor")), 50)
	if err != nil {
		return err
	}
	slices.SortStableFunc(list, func(a, b domain.Claim) int {
		if r := cmp.Compare(sellerClaimRank(a), sellerClaimRank(b)); r != 0 {
			return r
		}
		return a.ReputationDeadline.Compare(b.ReputationDeadline)
	})
	rows := make([]sellerClaimRow, len(list))
	for i := range list {
		rows[i] = sellerClaimRow{Claim: list[i], Due: &list[i].ReputationDeadline}
	}
	return s.renderBO(c, fiber.StatusOK, "seller_claims", boPage{Title: "Claims", Body: sellerCasesView{Claims: rows, Next: next}})
}

// sellerClaimView is a claim with what the seller may do on it.
type sellerClaimView struct {
	*claimView
	CanDecide bool // open, with no offer waiting for the buyer
	Pending   *domain.Offer
	Left      domain.Left
	Due       *time.Time // the reputation deadline
}

func (s *Server) loadSellerClaim(c *fiber.Ctx) (*sellerClaimView, error) {
	v, err := s.loadClaimView(c, "/seller")
	if err != nil {
		return nil, err
	}
	p := domain.PendingOffer(v.Claim)
	return &sellerClaimView{claimView: v, Pending: p, CanDecide: v.Claim.State == domain.ClaimOpen && p == nil,
		Left: domain.RefundableLeft(v.Order), Due: &v.Claim.ReputationDeadline}, nil
}

func (s *Server) pageSellerClaim(c *fiber.Ctx) error {
	v, err := s.loadSellerClaim(c)
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "seller_claim", boPage{Title: "Claim on order " + v.Claim.OrderNumber, Body: v})
}

// sellerClaimDone redirects after a claim action, or shows the claim again
// with what was typed and the error.
func (s *Server) sellerClaimDone(c *fiber.Ctx, done string, err error, form map[string]string, fields map[domain.Code]string) error {
	id := strings.Clone(c.Params("id"))
	if err == nil {
		return c.Redirect("/seller/claims/"+id+"?done="+done, fiber.StatusSeeOther)
	}
	status := sellerStatusOr(err, fiber.StatusBadRequest)
	errs, err := fieldErrors(err, fields)
	if err != nil {
		return err
	}
	v, lerr := s.loadSellerClaim(c)
	if lerr != nil {
		return lerr
	}
	return s.renderBO(c, status, "seller_claim", boPage{Title: "Claim on order " + v.Claim.OrderNumber, Body: v, Form: form, Errors: errs})
}

func (s *Server) pageSellerOffer(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	form := formValues(c, "by", "percent", "amount")
	fields := map[domain.Code]string{domain.CodeInvalidOffer: "offer", domain.CodeRefundExceedsPaid: "offer"}
	var percent int
	var amount int64
	var ok bool
	if form["by"] == "percent" {
		if percent, ok = formInt(c, "percent"); !ok || percent == 0 {
			return s.sellerClaimDone(c, "", domain.Errorf(domain.CodeInvalidPercent, "Give a percent from 1 to 99."), form, map[domain.Code]string{"invalid_percent": "percent"})
		}
	} else {
		if amount, ok = formMoney(c, "amount"); !ok || amount == 0 {
			return s.sellerClaimDone(c, "", domain.Errorf(domain.CodeInvalidAmount, "Give an amount such as 12.50."), form, map[domain.Code]string{"invalid_amount": "amount"})
		}
	}
	_, err := s.dom.Claims.OfferPartialRefund(c.UserContext(), strings.Clone(c.Params("id")), percent, amount)
	return s.sellerClaimDone(c, "offer", err, form, fields)
}

func (s *Server) pageSellerClaimRefund(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	_, err := s.dom.Claims.RefundClaim(c.UserContext(), strings.Clone(c.Params("id")))
	return s.sellerClaimDone(c, "refunded", err, nil, nil)
}

func (s *Server) pageSellerClaimReturn(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	_, err := s.dom.Claims.StartReturn(c.UserContext(), strings.Clone(c.Params("id")))
	return s.sellerClaimDone(c, "return", err, nil, nil)
}

// ---- Statistics ----

// sellerStatsView is the shop's figures and their charts.
type sellerStatsView struct {
	Stats  *domain.ShopStats
	Charts []sellerChart
}

// AvgResponse is the mean first response in hours, or a dash.
func (v sellerStatsView) AvgResponse() string {
	if v.Stats == nil || v.Stats.AvgFirstResponseSeconds == 0 {
		return "—"
	}
	if sec := v.Stats.AvgFirstResponseSeconds; sec < 3600 {
		return fmt.Sprintf("%d min", int(sec/60))
	}
	return fmt.Sprintf("%.1f h", v.Stats.AvgFirstResponseSeconds/3600)
}

// IncidentPct is the incident rate as a percentage.
func (v sellerStatsView) IncidentPct() string {
	if v.Stats == nil {
		return ""
	}
	return fmt.Sprintf("%.1f %%", 100*v.Stats.IncidentRate)
}

func (s *Server) pageSellerStats(c *fiber.Ctx) error {
	if s.dom.Work == nil {
		return fiber.ErrNotFound
	}
	a := domain.ActorFrom(c.UserContext())
	form := map[string]string{"from": strings.TrimSpace(strings.Clone(c.Query("from"))), "to": strings.TrimSpace(strings.Clone(c.Query("to")))}
	errs := map[string]string{}
	var from, to time.Time
	if d, ok := sellerFormDate(form["from"]); !ok {
		errs["from"] = "Give a date as YYYY-MM-DD."
	} else if d != nil {
		from = *d
	}
	if d, ok := sellerFormDate(form["to"]); !ok {
		errs["to"] = "Give a date as YYYY-MM-DD."
	} else if d != nil {
		to = d.Add(24 * time.Hour)
	}
	if len(errs) > 0 {
		return s.renderBO(c, fiber.StatusBadRequest, "seller_stats", boPage{Title: "Statistics", Body: sellerStatsView{}, Form: form, Errors: errs})
	}
	st, err := s.dom.Work.ShopStats(c.UserContext(), a.ShopID, from, to)
	if err != nil {
		errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidPeriod: "from"})
		if err != nil {
			return err
		}
		return s.renderBO(c, fiber.StatusBadRequest, "seller_stats", boPage{Title: "Statistics", Body: sellerStatsView{}, Form: form, Errors: errs})
	}
	if form["from"] == "" {
		form["from"] = st.From.UTC().Format(time.DateOnly)
	}
	if form["to"] == "" {
		form["to"] = st.To.UTC().Add(-time.Nanosecond).Format(time.DateOnly)
	}
	v := sellerStatsView{Stats: st, Charts: []sellerChart{
		sellerBarChart("Customer messages and those answered within 48 h, per day", st.Daily, []sellerSeries{
			{"Customer messages", "s1", func(d domain.DayStats) int { return d.CustomerMessages }},
			{"Answered within 48 h", "s2", func(d domain.DayStats) int { return d.AnsweredWithin48h }},
		}),
		sellerBarChart("Incidents, claims and refunds, per day", st.Daily, []sellerSeries{
			{"Incidents", "s3", func(d domain.DayStats) int { return d.IncidentsOpened }},
			{"Claims", "s4", func(d domain.DayStats) int { return d.Claims }},
			{"Refunds", "s5", func(d domain.DayStats) int { return d.Refunds }},
		}),
	}}
	return s.renderBO(c, fiber.StatusOK, "seller_stats", boPage{Title: "Statistics", Body: v, Form: form})
}

// sellerSeries is one measure of the daily statistics, drawn in class Class.
type sellerSeries struct {
	Name, Class string
	value       func(domain.DayStats) int
}

// sellerChart is a grouped bar sellerChart drawn server-side as SVG: one group of bars
// per day, a y axis with ticks, and day labels every few days.
type sellerChart struct {
	Title         string
	Width, Height int
	Bars          []sellerBar
	Ticks         []sellerTick
	Labels        []sellerLabel
	Legend        []sellerSeries
	Max           int
	PlotX, PlotY  int // the plot area's origin (bottom left)
	PlotW         int
	Empty         bool
}

type sellerBar struct {
	X, Y, W, H int
	Class      string
	Title      string // the bar's value, for a pointer's tooltip
}

type sellerTick struct {
	Y     int
	Value int
}

type sellerLabel struct {
	X    int
	Text string
}

// sellerBarChart lays out the bars of ss over days.
func sellerBarChart(title string, days []domain.DayStats, ss []sellerSeries) sellerChart {
	const left, right, top, bottom, height = 36, 8, 10, 28, 220
	c := sellerChart{Title: title, Height: height, Legend: ss, PlotX: left, PlotY: height - bottom}
	group := max(3*len(ss), 6)
	if len(days) > 0 {
		group = max(group, (720-left-right)/len(days))
	}
	c.Width = left + right + group*max(len(days), 1)
	c.PlotW = group * len(days)
	for _, d := range days {
		for _, s := range ss {
			c.Max = max(c.Max, s.value(d))
		}
	}
	c.Empty = c.Max == 0
	scale := max(c.Max, 1)
	// Whole-number ticks: at most 5 steps.
	step := max(1, (scale+4)/5)
	scale = step * ((scale + step - 1) / step)
	plotH := height - top - bottom
	for v := 0; v <= scale; v += step {
		c.Ticks = append(c.Ticks, sellerTick{Y: c.PlotY - v*plotH/scale, Value: v})
	}
	barW := max(1, (group-2)/len(ss))
	every := max(1, (len(days)+9)/10)
	for i, d := range days {
		x0 := left + i*group + 1
		for j, s := range ss {
			v := s.value(d)
			h := v * plotH / scale
			c.Bars = append(c.Bars, sellerBar{X: x0 + j*barW, Y: c.PlotY - h, W: max(1, barW-1), H: h, Class: s.Class,
				Title: fmt.Sprintf("%s, %s: %d", d.Day, s.Name, v)})
		}
		if i%every == 0 {
			c.Labels = append(c.Labels, sellerLabel{X: x0 + group/2, Text: sellerShortDay(d.Day)})
		}
	}
	return c
}

// sellerShortDay turns 2006-01-02 into "2 Jan".
func sellerShortDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("2 Jan")
}
