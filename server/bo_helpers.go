package server

import (
	"io"
	"mime/multipart"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
)

// Helpers shared by the three back-office areas.

// formValues copies the named fields of the posted form, to show them again
// when the form has an error (Fiber's strings are reused after the handler).
func formValues(c *fiber.Ctx, names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = strings.Clone(c.FormValue(n))
	}
	return m
}

// fieldErrors turns a domain error into a message next to the field it is
// about, or into the form's own error when no field fits. Non-domain errors
// are returned as they are (they become the error page).
func fieldErrors(err error, fieldByCode map[domain.Code]string) (map[string]string, error) {
	kind := domain.ErrorKind(err)
	if kind == domain.Internal || kind == domain.Unauthorized {
		return nil, err
	}
	if kind == domain.NotFound {
		return nil, err
	}
	field := fieldByCode[domain.ErrorCode(err)]
	return map[string]string{field: domain.ErrorMessage(err)}, nil
}

// formInt reads a whole number from a form field; "" is 0.
func formInt(c *fiber.Ctx, name string) (int, bool) {
	v := strings.TrimSpace(c.FormValue(name))
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0 && len(v) <= 9
}

// formMoney reads an amount typed in major units ("12.50" or "12,50") as
// minor units; "" is 0.
func formMoney(c *fiber.Ctx, name string) (int64, bool) {
	v := strings.TrimSpace(strings.ReplaceAll(c.FormValue(name), ",", "."))
	if v == "" {
		return 0, true
	}
	whole, frac, _ := strings.Cut(v, ".")
	if len(frac) > 2 || len(whole) > 10 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 {
		return 0, false
	}
	return w*100 + f, true
}

// uploadAttachments stores the files of a multipart field (at most
// domain.MaxAttachmentsPer) and returns their references.
func (s *Server) uploadAttachments(c *fiber.Ctx, field string) ([]domain.AttachmentRef, error) {
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

func (s *Server) putUpload(c *fiber.Ctx, fh *multipart.FileHeader) (domain.AttachmentRef, error) {
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

// safeFilename keeps a download name to characters that cannot break the header.
func safeFilename(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || r == '"' || r == '\\' || r == '/' || r > 0x7e {
			b.WriteByte('_')
			continue
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "attachment"
	}
	return b.String()
}

// readerLang is the language a signed-in reader reads: their user's locale,
// which authentication already read.
func (s *Server) readerLang(c *fiber.Ctx) string {
	if l := domain.ActorFrom(c.UserContext()).Locale; l != "" {
		return l
	}
	return "en"
}
