package backoffice

import (
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

func (s *Handler) AccountStartThread(c *fiber.Ctx) error {
	number := c.Params("number")
	form := web.FormValues(c, "recipient", "topic", "subject", "body")
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	refs, err := s.uploadAttachments(c, "files")
	if err == nil {
		var th *domain.Thread
		th, err = s.dom.Threads.CreateThread(c.UserContext(), domain.NewThread{OrderNumber: number, Recipient: domain.Party(form["recipient"]),
			Topic: form["topic"], Subject: form["subject"], Body: form["body"], Attachments: refs})
		if err == nil {
			return c.Redirect("/account/messages/"+th.ID+"?done=sent", fiber.StatusSeeOther)
		}
	}
	errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidTopic: "topic", domain.CodeInvalidRecipient: "recipient", domain.CodeInvalidMessage: "body",
		domain.CodeInvalidThread: "subject", domain.CodeAttachmentTooLarge: "files", domain.CodeAttachmentType: "files", domain.CodeTooManyAttachments: "files"})
	if err != nil {
		return err
	}
	return s.orderFormError(c, "/account", "account_order", "thread", form, errs)
}

// threadsView is a list of conversations.
type threadsView struct {
	Base    string
	Threads []domain.Thread
	Next    string
	Filter  map[string]string
	Topics  []string
}

func (s *Handler) AccountMessages(c *fiber.Ctx) error {
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	page, err := s.dom.Threads.ListThreads(c.UserContext(), domain.ThreadFilter{Cursor: c.Query("cursor"), Limit: 50})
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "account_messages", boPage{Title: "My messages", Body: threadsView{Base: "/account", Threads: page.Threads, Next: page.Next}})
}

// threadView is one conversation as its reader sees it.
type threadView struct {
	Base     string
	Thread   *domain.Thread
	Lang     string         // the reader's language, for translations
	Me       domain.Party   // the reader's side
	Can      []domain.Party // whom the reader may write to
	Internal bool           // the reader may write internal notes
}

// recipientsFor is whom a reader of party me may address in th.
func recipientsFor(me domain.Party, th *domain.Thread) []domain.Party {
	var out []domain.Party
	for _, p := range []domain.Party{domain.PartyCustomer, domain.PartySeller, domain.PartyOperator} {
		if p == me {
			continue
		}
		if p == domain.PartySeller && th.ShopID == "" {
			continue
		}
		if p == domain.PartyCustomer && th.CustomerID == "" && th.UnverifiedEmail == "" {
			continue
		}
		out = append(out, p)
	}
	return out
}

func (s *Handler) loadThreadView(c *fiber.Ctx, base string) (*threadView, error) {
	if s.dom.Threads == nil {
		return nil, fiber.ErrNotFound
	}
	// The newest messages first; ?before= (the "Older messages" link) reads
	// the page before.
	th, err := s.dom.Threads.FindThread(c.UserContext(), c.Params("id"), domain.MessagePage{Cursor: c.Query("before")})
	if err != nil {
		return nil, err
	}
	a := domain.ActorFrom(c.UserContext())
	me := a.Role.Party()
	return &threadView{Base: base, Thread: th, Lang: web.ReaderLang(c), Me: me, Can: recipientsFor(me, th), Internal: me != domain.PartyCustomer}, nil
}

func (s *Handler) AccountThread(c *fiber.Ctx) error {
	v, err := s.loadThreadView(c, "/account")
	if err != nil {
		return err
	}
	_ = s.dom.Threads.MarkRead(c.UserContext(), v.Thread.ID)
	return s.renderBO(c, fiber.StatusOK, "thread", boPage{Title: threadTitleIn(wordsFor(domain.ActorFrom(c.UserContext())), v.Thread), Body: v})
}

// threadTitle is a conversation's title: its subject or topic, and order.
func threadTitle(th *domain.Thread) string { return threadTitleIn(words{"en"}, th) }

// threadTitleIn is threadTitle in w's language.
func threadTitleIn(w words, th *domain.Thread) string {
	t := th.Subject
	if t == "" {
		t = w.Code("topic", th.Topic)
	}
	if th.OrderNumber != "" {
		t += " · " + strings.ToLower(w.F("Order %s", th.OrderNumber))
	}
	return t
}

// postReply posts the reply form of a thread page; on an error the page is
// shown again with what was typed.
func (s *Handler) postReply(c *fiber.Ctx, base string) error {
	id := c.Params("id")
	form := web.FormValues(c, "body", "to")
	var to []domain.Party
	for _, p := range strings.Split(form["to"], ",") {
		if p = strings.TrimSpace(p); p != "" {
			to = append(to, domain.Party(p))
		}
	}
	refs, err := s.uploadAttachments(c, "files")
	if err == nil {
		internal := c.FormValue("internal") == "on"
		if internal {
			to = nil // a note goes to nobody: the author's own side reads it
		}
		_, err = s.dom.Threads.PostMessage(c.UserContext(), id, domain.NewMessage{To: to, Body: form["body"], Internal: internal, Attachments: refs})
		if err == nil {
			return c.Redirect(base+"/messages/"+id+"?done=sent#latest", fiber.StatusSeeOther)
		}
	}
	errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidRecipient: "to", domain.CodeInvalidMessage: "body",
		domain.CodeAttachmentTooLarge: "files", domain.CodeAttachmentType: "files", domain.CodeTooManyAttachments: "files"})
	if err != nil {
		return err
	}
	v, lerr := s.loadThreadView(c, base)
	if lerr != nil {
		return lerr
	}
	return s.renderBO(c, fiber.StatusBadRequest, "thread", boPage{Title: threadTitleIn(wordsFor(domain.ActorFrom(c.UserContext())), v.Thread), Body: v, Form: form, Errors: errs})
}

func (s *Handler) AccountReply(c *fiber.Ctx) error { return s.postReply(c, "/account") }

// CloseThread closes a conversation from its page, in any area.
func (s *Handler) CloseThread(base string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if s.dom.Threads == nil {
			return fiber.ErrNotFound
		}
		id := c.Params("id")
		if _, err := s.dom.Threads.CloseThread(c.UserContext(), id, ""); err != nil {
			return err
		}
		return c.Redirect(base+"/messages/"+id+"?done=closed", fiber.StatusSeeOther)
	}
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

func (s *Handler) SellerInbox(c *fiber.Ctx) error {
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	form := map[string]string{}
	for _, n := range sellerInboxFields {
		form[n] = strings.TrimSpace(c.Query(n))
	}
	v := sellerInboxView{Filter: form, Topics: domain.Topics(), Threads: []domain.Thread{}}
	errs := map[string]string{}
	f := domain.ThreadFilter{Topic: form["topic"], Customer: form["customer"], OrderNumber: form["order"], Status: form["status"],
		Sort: form["sort"], Cursor: c.Query("cursor"), Limit: domain.DefaultPageLimit}
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
		threads, err := s.dom.Threads.SearchThreads(ctx, q, f)
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

func (s *Handler) inboxError(c *fiber.Ctx, v sellerInboxView, form map[string]string, err error) error {
	errs, err := fieldErrors(err, nil)
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusBadRequest, "seller_inbox", boPage{Title: "Messages", Body: v, Form: form, Errors: errs})
}

// sellerThreadView is a conversation with the shop's canned replies.
type sellerThreadView struct {
	*threadView
	Canned   []domain.CannedReply
	Selected string
}

func (s *Handler) SellerThread(c *fiber.Ctx) error {
	v, err := s.loadThreadView(c, "/seller")
	if err != nil {
		return err
	}
	_ = s.dom.Threads.MarkRead(c.UserContext(), v.Thread.ID)
	sv := sellerThreadView{threadView: v, Selected: c.Query("canned")}
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

// SellerReply posts the thread page's reply form. An internal note is
// seen by the shop's own team only and so goes to no one: the "To" chosen is
// left out.
func (s *Handler) SellerReply(c *fiber.Ctx) error {
	if c.FormValue("internal") != "on" {
		return s.postReply(c, "/seller")
	}
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	id := c.Params("id")
	form := web.FormValues(c, "body", "to")
	refs, err := s.uploadAttachments(c, "files")
	if err == nil {
		_, err = s.dom.Threads.PostMessage(c.UserContext(), id, domain.NewMessage{Body: form["body"], Internal: true, Attachments: refs})
		if err == nil {
			return c.Redirect("/seller/messages/"+id+"?done=sent#latest", fiber.StatusSeeOther)
		}
	}
	status := web.Status(err)
	errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidMessage: "body", domain.CodeInvalidRecipient: "to",
		domain.CodeAttachmentTooLarge: "files", domain.CodeAttachmentType: "files", domain.CodeTooManyAttachments: "files"})
	if err != nil {
		return err
	}
	v, lerr := s.loadThreadView(c, "/seller")
	if lerr != nil {
		return lerr
	}
	return s.renderBO(c, status, "seller_thread", boPage{Title: threadTitle(v.Thread), Body: sellerThreadView{threadView: v}, Form: form, Errors: errs})
}

func (s *Handler) SellerNoReply(c *fiber.Ctx) error {
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	id := c.Params("id")
	if _, err := s.dom.Threads.MarkNoReplyNeeded(c.UserContext(), id); err != nil {
		status := web.Status(err)
		errs, err := fieldErrors(err, nil)
		if err != nil {
			return err
		}
		v, lerr := s.loadThreadView(c, "/seller")
		if lerr != nil {
			return lerr
		}
		return s.renderBO(c, status, "seller_thread", boPage{Title: threadTitle(v.Thread), Body: sellerThreadView{threadView: v}, Errors: errs})
	}
	return c.Redirect("/seller/messages/"+id+"?done=noreply", fiber.StatusSeeOther)
}

func (s *Handler) SellerStartThread(c *fiber.Ctx) error {
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	number := c.Params("number")
	form := web.FormValues(c, "recipient", "topic", "subject", "body")
	refs, err := s.uploadAttachments(c, "files")
	if err == nil {
		var th *domain.Thread
		th, err = s.dom.Threads.CreateThread(c.UserContext(), domain.NewThread{OrderNumber: number, Recipient: domain.Party(form["recipient"]),
			Topic: form["topic"], Subject: form["subject"], Body: form["body"], Attachments: refs})
		if err == nil {
			return c.Redirect("/seller/messages/"+th.ID+"?done=sent", fiber.StatusSeeOther)
		}
	}
	errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidTopic: "topic", domain.CodeInvalidRecipient: "recipient", domain.CodeInvalidBody: "body",
		domain.CodeInvalidMessage: "body", domain.CodeInvalidThread: "body", domain.CodeAttachmentTooLarge: "files",
		domain.CodeAttachmentType: "files", domain.CodeTooManyAttachments: "files", domain.CodeInvalidAttachment: "files"})
	if err != nil {
		return err
	}
	return s.sellerOrderError(c, "thread", fiber.StatusBadRequest, form, errs)
}

// --- Conversations ---

// operatorThreadsView is the operator's list of conversations with its filters.
type operatorThreadsView struct {
	Threads  []domain.Thread
	Next     string
	Filter   map[string]string
	Topics   []string
	Statuses []string
	NextURL  string // the next page, with the same filter
}

func (s *Handler) OperatorMessages(c *fiber.Ctx) error {
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	form := map[string]string{}
	for _, k := range []string{"topic", "status", "shop", "customer", "order", "sort"} {
		form[k] = strings.TrimSpace(c.Query(k))
	}
	f := domain.ThreadFilter{Topic: form["topic"], Status: form["status"], ShopID: form["shop"], Customer: form["customer"],
		OrderNumber: form["order"], Sort: form["sort"], Cursor: c.Query("cursor"), Limit: 50}
	q := make([]string, 0, len(form))
	for _, k := range []string{"topic", "status", "shop", "customer", "order", "sort"} {
		if form[k] != "" {
			q = append(q, k+"="+url.QueryEscape(form[k]))
		}
	}
	v := operatorThreadsView{Filter: form, Topics: domain.Topics(), Statuses: []string{"unread", "overdue", "open", "closed"}}
	page, err := s.dom.Threads.ListThreads(c.UserContext(), f)
	if err != nil {
		errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidFilter: "status", domain.CodeInvalidLimit: "", domain.CodeInvalidCursor: ""})
		if err != nil {
			return err
		}
		return s.renderBO(c, fiber.StatusBadRequest, "operator_messages", boPage{Title: "Conversations", Body: v, Form: form, Errors: errs})
	}
	v.Threads, v.Next = page.Threads, page.Next
	if page.Next != "" {
		v.NextURL = "/operator/messages?" + strings.Join(append(q, "cursor="+url.QueryEscape(page.Next)), "&")
	}
	return s.renderBO(c, fiber.StatusOK, "operator_messages", boPage{Title: "Conversations", Body: v, Form: form})
}

func (s *Handler) OperatorThread(c *fiber.Ctx) error {
	v, err := s.loadThreadView(c, "/operator")
	if err != nil {
		return err
	}
	_ = s.dom.Threads.MarkRead(c.UserContext(), v.Thread.ID)
	return s.renderBO(c, fiber.StatusOK, "thread", boPage{Title: threadTitleIn(wordsFor(domain.ActorFrom(c.UserContext())), v.Thread), Body: v})
}

// OperatorStartThread starts a conversation about an order with its
// seller or its customer.
func (s *Handler) OperatorStartThread(c *fiber.Ctx) error {
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	number := c.Params("number")
	form := web.FormValues(c, "recipient", "topic", "subject", "body")
	refs, err := s.uploadAttachments(c, "files")
	if err == nil {
		var th *domain.Thread
		th, err = s.dom.Threads.CreateThread(c.UserContext(), domain.NewThread{OrderNumber: number, Recipient: domain.Party(form["recipient"]),
			Topic: form["topic"], Subject: strings.TrimSpace(form["subject"]), Body: form["body"], Attachments: refs})
		if err == nil {
			return c.Redirect("/operator/messages/"+th.ID+"?done=sent", fiber.StatusSeeOther)
		}
	}
	errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidTopic: "topic", domain.CodeInvalidRecipient: "recipient",
		domain.CodeInvalidMessage: "body", domain.CodeInvalidThread: "subject", domain.CodeInvalidAttachment: "files",
		domain.CodeAttachmentTooLarge: "files", domain.CodeAttachmentType: "files", domain.CodeTooManyAttachments: "files"})
	if err != nil {
		return err
	}
	v, lerr := s.loadOrderView(c, "/operator", number)
	if lerr != nil {
		return lerr
	}
	v.Open = "thread"
	return s.renderBO(c, fiber.StatusBadRequest, "operator_order", boPage{Title: "Order " + v.Order.Number, Body: v, Form: form, Errors: errs})
}
