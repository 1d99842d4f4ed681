package api

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// ExportCustomer is an admin's copy of everything stored about one customer
// (GDPR articles 15 and 20), as a ZIP of JSON files and the attachments.
func (s *Handler) ExportCustomer(c *fiber.Ctx) error {
	return s.export(c, c.Params("id"))
}

// ExportMine is the signed-in customer's own copy ("Download my data").
func (s *Handler) ExportMine(c *fiber.Ctx) error {
	return s.export(c, domain.ActorFrom(c.UserContext()).UserID)
}

func (s *Handler) export(c *fiber.Ctx, customerID string) error {
	if s.dom.Privacy == nil {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	x, err := s.dom.Privacy.ExportCustomer(ctx, customerID)
	if err != nil {
		return err
	}
	name := "helpcentre-data-" + x.Customer.Name + "-" + x.GeneratedAt.Format("2006-01-02") + ".zip"
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Set(fiber.HeaderCacheControl, "no-store")
	open := func(context.Context, string) (*domain.Attachment, io.ReadCloser, error) {
		return nil, nil, fmt.Errorf("no attachment store")
	}
	if s.dom.Attachments != nil {
		open = s.dom.Attachments.OpenAttachment
	}
	log := s.log
	// Streamed: the attachments are read from disk as the archive is
	// written, never held in memory whole.
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := WriteExport(ctx, w, x, open); err != nil && log != nil {
			log.Error("export: writing the archive", "err", err)
		}
		_ = w.Flush()
	})
	return nil
}

// ExportFiles are the archive's JSON files and what each holds, in order.
func ExportFiles(x *domain.CustomerExport) []struct {
	Name string
	V    any
} {
	return []struct {
		Name string
		V    any
	}{
		{"account.json", x.Customer},
		{"orders.json", x.Orders},
		{"threads.json", x.Threads},
		{"incidents.json", x.Incidents},
		{"claims.json", x.Claims},
		{"returns.json", x.Returns},
		{"refunds.json", x.Refunds},
		{"help_centre_sessions.json", x.Sessions},
		{"feedback.json", x.Feedback},
		{"notifications.json", x.Notifications},
		{"anonymous_contacts.json", x.Anonymous},
		{"attachments.json", x.Attachments},
		{"export.json", map[string]any{"generated_at": x.GeneratedAt, "customer_id": x.Customer.ID, "counts": x.Counts}},
	}
}

// WriteExport writes x as a ZIP to w: one JSON file per kind of record, and
// each attachment under attachments/ (an attachment that cannot be read is
// listed in attachments/MISSING.txt instead).
func WriteExport(ctx context.Context, w io.Writer, x *domain.CustomerExport, open func(context.Context, string) (*domain.Attachment, io.ReadCloser, error)) error {
	zw := zip.NewWriter(w)
	for _, f := range ExportFiles(x) {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: x.GeneratedAt})
		if err != nil {
			return err
		}
		enc := json.NewEncoder(fw)
		enc.SetIndent("", "  ")
		if err := enc.Encode(f.V); err != nil {
			return err
		}
	}
	var missing []string
	for _, a := range x.Attachments {
		if err := copyAttachment(ctx, zw, a, open); err != nil {
			missing = append(missing, fmt.Sprintf("%s (%s): %v", a.Name, a.SHA256, err))
		}
	}
	if len(missing) > 0 {
		fw, err := zw.Create("attachments/MISSING.txt")
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, strings.Join(missing, "\n")+"\n"); err != nil {
			return err
		}
	}
	return zw.Close()
}

// ExportAttachmentName is where an attachment is in the archive.
func ExportAttachmentName(a domain.Attachment) string {
	return "attachments/" + a.SHA256[:12] + "-" + path.Base(web.SafeFilename(a.Name))
}

func copyAttachment(ctx context.Context, zw *zip.Writer, a domain.Attachment, open func(context.Context, string) (*domain.Attachment, io.ReadCloser, error)) error {
	_, rc, err := open(ctx, a.SHA256)
	if err != nil {
		return err
	}
	defer rc.Close()
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: ExportAttachmentName(a), Method: zip.Store, Modified: a.CreatedAt})
	if err != nil {
		return err
	}
	_, err = io.Copy(fw, rc)
	return err
}

// EraseCustomer erases a customer's personal data (GDPR article 17; admins).
// The body names the customer's login name to confirm: {"confirm": "ana"}.
func (s *Handler) EraseCustomer(c *fiber.Ctx) error {
	if s.dom.Privacy == nil {
		return fiber.ErrNotFound
	}
	var req struct {
		Confirm string `json:"confirm"`
	}
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	rep, err := s.dom.Privacy.EraseCustomer(c.UserContext(), c.Params("id"), req.Confirm)
	if rep != nil && err != nil {
		// Erased in the database, but a file, the index of messages or
		// the old copies in the file's free pages are not cleared yet:
		// say so rather than answer a bare 500.
		s.log.Error("erasure: clearing after the erasure", "err", err)
		return c.JSON(fiber.Map{"erasure": rep, "warning": "The data is erased in the database, but not everything was cleared yet (the server log says what): erase again (confirming with the pseudonym), or stop the server and run helpcentre compact."})
	}
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"erasure": rep})
}
