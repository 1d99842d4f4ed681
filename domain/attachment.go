package domain

import "time"

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
