package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
)

// UploadLimit bounds a request that carries files: an attachment upload, or
// a back-office form with up to domain.MaxAttachmentsPer files.
const UploadLimit = domain.MaxAttachmentsPer*domain.MaxAttachmentBytes + 1<<20

// isUpload reports whether a request may carry files: the attachment upload
// endpoint, or a multipart form of the back office.
func isUpload(c *fiber.Ctx) bool {
	p := c.Path()
	if p == "/api/v1/attachments" {
		return true
	}
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		return false
	}
	return strings.HasPrefix(p, "/account/") || strings.HasPrefix(p, "/seller/") || strings.HasPrefix(p, "/operator/")
}

// limitBody refuses a body over its route's limit before it is read: the
// server streams request bodies (so that uploads are not buffered whole), and
// this keeps every other route to BodyLimit. A body of unknown length (chunked)
// is accepted only where uploads are.
func (s *Server) limitBody(c *fiber.Ctx) error {
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		return c.Next()
	}
	n := c.Request().Header.ContentLength()
	limit := s.cfg.BodyLimit
	if isUpload(c) {
		limit = UploadLimit
	}
	switch {
	case n > limit:
		// The body stays unread: the connection cannot carry another request.
		c.Context().SetConnectionClose()
		return fiber.ErrRequestEntityTooLarge
	case n == -1 && limit == s.cfg.BodyLimit: // chunked
		c.Context().SetConnectionClose()
		return &apiError{status: fiber.StatusLengthRequired, code: "length_required", detail: "Send the body with a Content-Length."}
	}
	return c.Next()
}
