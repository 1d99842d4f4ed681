package domain

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Attachment is a stored file, addressed by the SHA-256 of its content.
type Attachment struct {
	SHA256     string    `json:"sha256"`
	Name       string    `json:"name"`
	Type       string    `json:"type"` // media type, checked against the content
	Size       int64     `json:"size"`
	UploadedBy string    `json:"uploaded_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// AttachmentRef is an attachment as a message names it.
type AttachmentRef struct {
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
	Type   string `json:"type,omitempty"`
	Size   int64  `json:"size,omitempty"`
}

// Attachment limits.
const (
	MaxAttachmentBytes = 10 << 20
)

// AttachmentTypes are the media types accepted, detected from the content.
func AttachmentTypes() []string {
	return []string{"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain; charset=utf-8"}
}

// ValidateAttachment checks an upload of size bytes whose content was
// detected as media type typ.
func ValidateAttachment(size int64, typ string) error {
	if size > MaxAttachmentBytes {
		return FieldErrorf(CodeAttachmentTooLarge, "files", "An attachment is at most %d MiB.", MaxAttachmentBytes>>20)
	}
	if size <= 0 {
		return FieldErrorf(CodeInvalidAttachment, "files", "The attachment is empty.")
	}
	if !slices.Contains(AttachmentTypes(), typ) {
		return FieldErrorf(CodeAttachmentType, "files", "Files of type %s are not accepted; send PDF, PNG, JPEG, GIF, WebP or plain text.", strings.SplitN(typ, ";", 2)[0])
	}
	return nil
}

// ErrAttachmentNotYours refuses attaching a file the caller did not upload
// and may not open (or that does not exist: the same answer).
func ErrAttachmentNotYours(sha256 string) *Error {
	return FieldErrorf(CodeInvalidAttachment, "files", "Attachment %s is not one you uploaded: upload it first (POST /api/v1/attachments).", sha256)
}

// CanOpenAnyAttachment reports whether a may open every stored file:
// customer care. Others open what they uploaded and what a message they may
// see carries.
func CanOpenAnyAttachment(a Actor) bool { return a.Role.Operator() }

// MaxAttachmentNameRunes bounds an attachment's name.
const MaxAttachmentNameRunes = 200

// CleanAttachmentName keeps the base name of what a client calls a file, as
// valid text without control characters, at most MaxAttachmentNameRunes;
// "attachment" when nothing is left.
func CleanAttachmentName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > MaxAttachmentNameRunes {
		name = strings.TrimSpace(string([]rune(name)[:MaxAttachmentNameRunes]))
	}
	if name == "" || name == "." || name == ".." {
		return "attachment"
	}
	return name
}
