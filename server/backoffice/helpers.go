package backoffice

import (
	"io"
	"mime/multipart"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// Helpers shared by the three back-office areas.

// fieldErrors turns a domain error into a message next to the field it is
// about (the error's Field, else the one fieldByCode gives its code), or into the form's own error when no field fits. Non-domain errors
// are returned as they are (they become the error page).
func fieldErrors(err error, fieldByCode map[domain.Code]string) (map[string]string, error) {
	kind := domain.ErrorKind(err)
	if kind == domain.Internal || kind == domain.Unauthorized {
		return nil, err
	}
	if kind == domain.NotFound {
		return nil, err
	}
	// The page's own map wins: it knows its form's inputs, and an error keyed
	// by an input the page does not have would not be shown.
	field, ok := fieldByCode[domain.ErrorCode(err)]
	if !ok {
		field = domain.ErrorField(err)
	}
	return map[string]string{field: domain.ErrorMessage(err)}, nil
}

// uploadAttachments stores the files of a multipart field (at most
// domain.MaxAttachmentsPer) and returns their references.
func (s *Handler) uploadAttachments(c *fiber.Ctx, field string) ([]domain.AttachmentRef, error) {
	form, err := c.MultipartForm()
	if err != nil || form == nil || s.dom.Attachments == nil {
		return nil, nil // not a multipart form: no files
	}
	files := form.File[field]
	var refs []domain.AttachmentRef
	for i, fh := range files {
		if fh.Size == 0 {
			continue
		}
		if i >= domain.MaxAttachmentsPer {
			return nil, domain.Errorf(domain.CodeTooManyAttachments, "At most %d files per message.", domain.MaxAttachmentsPer)
		}
		ref, err := s.putUpload(c, fh)
		if err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

func (s *Handler) putUpload(c *fiber.Ctx, fh *multipart.FileHeader) (domain.AttachmentRef, error) {
	f, err := fh.Open()
	if err != nil {
		return domain.AttachmentRef{}, err
	}
	defer f.Close()
	a, err := s.dom.Attachments.PutAttachment(c.UserContext(), fh.Filename, io.Reader(f))
	if err != nil {
		return domain.AttachmentRef{}, err
	}
	return domain.AttachmentRef{SHA256: a.SHA256, Name: a.Name, Type: a.Type, Size: a.Size}, nil
}

// SellerOrders lists the shop's orders.
func (s *Handler) SellerOrders(c *fiber.Ctx) error { return s.orders(c, "/seller", "Orders") }

// OperatorOrders lists every order.
func (s *Handler) OperatorOrders(c *fiber.Ctx) error { return s.orders(c, "/operator", "All orders") }

// OperatorReply posts customer care's reply form.
func (s *Handler) OperatorReply(c *fiber.Ctx) error { return s.postReply(c, "/operator") }

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

// sellerCasesView is a page of incidents or claims.
type sellerCasesView struct {
	Incidents []domain.Incident
	Claims    []sellerClaimRow
	Next      string
}

// opDueText says how long is left to due at now, and how urgent that is: overdue,
// warn (less than the alert lead time), or nothing.
func opDueText(due *time.Time, now time.Time, warnWithin time.Duration) (text, class string) {
	if due == nil {
		return "", ""
	}
	left := due.Sub(now)
	switch {
	case left < 0:
		return web.Until(left), "overdue"
	case left < warnWithin:
		return web.Until(left), "warn"
	}
	return web.Until(left), ""
}

// opHistoryEntry is one line of a case's audit log, with the actor's name.
type opHistoryEntry struct {
	domain.AuditEntry
	Who  string
	What string // "incident.resolved" → "resolved"
}

// opHistory reads an entity's audit log (customer care only), naming who
// acted. No audit service: no history.
func (s *Handler) opHistory(c *fiber.Ctx, entity string) ([]opHistoryEntry, error) {
	if s.dom.Audit == nil {
		return nil, nil
	}
	ctx := c.UserContext()
	log, err := s.dom.Audit.AuditLog(ctx, entity)
	if err != nil {
		return nil, err
	}
	names := map[string]string{domain.SystemUserID: "the system"}
	if users, err := s.dom.Access.ListUsers(ctx, ""); err == nil {
		for _, u := range users {
			names[u.ID] = u.Display + " (" + string(u.Role) + ")"
		}
	}
	out := make([]opHistoryEntry, 0, len(log))
	for _, e := range log {
		who := names[e.Actor]
		if who == "" {
			who = e.Actor
		}
		_, what, _ := strings.Cut(e.Action, ".")
		out = append(out, opHistoryEntry{AuditEntry: e, Who: who, What: strings.ReplaceAll(what, "_", " ")})
	}
	return out, nil
}
