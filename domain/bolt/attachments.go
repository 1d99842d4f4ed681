package bolt

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/marketplace/helpcentre/domain"
)

var _ domain.AttachmentService = (*AttachmentService)(nil)

// AttachmentService keeps files content-addressed on disk, in a folder next
// to the bbolt file (<dir>/attachments/ab/abcdef…), and their metadata and
// who may read them in bbolt.
type AttachmentService struct {
	db     *DB
	dir    string
	policy domain.Policy
}

// NewAttachmentService returns an AttachmentService storing files under
// db's attachments folder (Options.Attachments), under policy p's upload quota.
func NewAttachmentService(db *DB, p domain.Policy) *AttachmentService {
	return &AttachmentService{db: db, dir: db.attach, policy: p}
}

// attachmentSniffLen is what http.DetectContentType looks at.
const attachmentSniffLen = 512

// PutAttachment implements domain.AttachmentService: it streams r to a temp
// file while hashing it, refuses more than MaxAttachmentBytes
// (attachment_too_large) and content of a type not in AttachmentTypes
// (attachment_type), then moves the file to its content address. Uploading
// the same content twice stores it once.
func (s *AttachmentService) PutAttachment(ctx context.Context, name string, r io.Reader) (*domain.Attachment, error) {
	if err := domain.RequireSignedIn(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	name = domain.CleanAttachmentName(name)
	tmpDir := filepath.Join(s.dir, "tmp")
	if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return nil, fmt.Errorf("bolt: attachments: %w", err)
	}
	f, err := os.CreateTemp(tmpDir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("bolt: attachments: %w", err)
	}
	defer func() {
		f.Close()
		os.Remove(f.Name()) // gone once renamed; a failed upload leaves nothing
	}()
	h := sha256.New()
	head := &attachmentHead{max: attachmentSniffLen}
	n, err := io.Copy(io.MultiWriter(f, h, head), io.LimitReader(r, domain.MaxAttachmentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("bolt: attachments: read upload: %w", err)
	}
	typ := ""
	if n > 0 && n <= domain.MaxAttachmentBytes {
		typ = http.DetectContentType(head.Bytes())
	}
	if err := domain.ValidateAttachment(n, typ); err != nil {
		return nil, err
	}
	// The user's upload quota, before the file takes a place of its own.
	if err := s.db.update(ctx, func(t *txn) error {
		return takeQuota(t, "uploads", s.policy.UploadQuota(), n, domain.CodeUploadQuota, "uploads")
	}); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("bolt: attachments: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	final := s.path(sum)
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return nil, fmt.Errorf("bolt: attachments: %w", err)
	}
	if err := os.Rename(f.Name(), final); err != nil {
		return nil, fmt.Errorf("bolt: attachments: %w", err)
	}
	if d, err := os.Open(filepath.Dir(final)); err == nil {
		d.Sync() // the rename survives a crash before the metadata commit refers to it
		d.Close()
	}
	att := &domain.Attachment{SHA256: sum, Name: name, Type: typ, Size: n}
	err = s.db.update(ctx, func(t *txn) error {
		var prev domain.Attachment
		ok, err := getJSON(t.tx.Bucket(bucketAttachments), []byte(sum), &prev)
		if err != nil {
			return err
		}
		if !ok {
			att.UploadedBy, att.CreatedAt = t.actorID(), t.now
			if err := putJSON(t.tx.Bucket(bucketAttachments), []byte(sum), att); err != nil {
				return err
			}
		} else {
			att.UploadedBy, att.CreatedAt = prev.UploadedBy, prev.CreatedAt
		}
		if err := t.tx.Bucket(bucketAttachmentOwners).Put(compositeKey([]byte(sum), []byte(t.actorID())), nil); err != nil {
			return err
		}
		return t.audit("attachment:"+sum, "attachment.uploaded", "", map[string]any{"name": name, "size": n, "type": typ})
	})
	if err != nil {
		return nil, err
	}
	return att, nil
}

// OpenAttachment implements domain.AttachmentService: the file, to whoever
// uploaded it, to customer care, and to those who may see a message naming
// it; anyone else gets not_found.
func (s *AttachmentService) OpenAttachment(ctx context.Context, sha string) (*domain.Attachment, io.ReadCloser, error) {
	if err := domain.RequireSignedIn(domain.ActorFrom(ctx)); err != nil {
		return nil, nil, err
	}
	if !domain.ValidSHA256(sha) {
		return nil, nil, domain.ErrNotFound("Attachment")
	}
	var att domain.Attachment
	err := s.db.view(ctx, func(t *txn) error {
		ok, err := getJSON(t.tx.Bucket(bucketAttachments), []byte(sha), &att)
		if err != nil {
			return err
		}
		if !ok || !mayOpenAttachment(t, sha) {
			return domain.ErrNotFound("Attachment")
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	f, err := os.Open(s.path(sha))
	if err != nil {
		return nil, nil, fmt.Errorf("bolt: attachments: %w", err)
	}
	return &att, f, nil
}

// mayOpenAttachment reads what domain.CanOpenAnyAttachment, CanSeeThread and
// CanSeeMessage decide on: who uploaded sha and the messages that carry it.
func mayOpenAttachment(t *txn, sha string) bool {
	if domain.CanOpenAnyAttachment(t.actor) {
		return true
	}
	if t.tx.Bucket(bucketAttachmentOwners).Get(compositeKey([]byte(sha), []byte(t.actorID()))) != nil {
		return true
	}
	prefix := compositeKey([]byte(sha), nil)
	c := t.tx.Bucket(bucketAttachmentThreads).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		threadID, msgID, ok := bytes.Cut(k[len(prefix):], []byte{0})
		if !ok {
			continue
		}
		r, err := getThread(t, string(threadID))
		if err != nil || r == nil || !domain.CanSeeThread(t.actor, &r.Thread) {
			continue
		}
		var m domain.Message
		if ok, err := getJSON(t.tx.Bucket(bucketMessages), compositeKey(threadID, msgID), &m); ok && err == nil && domain.CanSeeMessage(t.actor, &m) {
			return true
		}
	}
	return false
}

// SweepUnreferenced removes the uploads no message carries that were made
// Policy.UnreferencedUploadTTL or longer ago: their metadata, who uploaded
// them, and the file. It returns how many it removed. serve runs it hourly.
func (s *AttachmentService) SweepUnreferenced(ctx context.Context) (int, error) {
	var gone []string
	err := s.db.update(ctx, func(t *txn) error {
		gone = gone[:0] // fn may run again (kv.Engine.Update)
		c := t.tx.Bucket(bucketAttachments).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var att domain.Attachment
			if err := decodeJSON(v, &att); err != nil {
				return fmt.Errorf("bolt: attachment %q: %w", k, err)
			}
			if !s.policy.UnreferencedUpload(att.CreatedAt, t.now) || referenced(t, k) || !domain.ValidSHA256(string(k)) {
				continue
			}
			gone = append(gone, string(k))
		}
		for _, sha := range gone {
			if err := t.tx.Bucket(bucketAttachments).Delete([]byte(sha)); err != nil {
				return err
			}
			prefix := compositeKey([]byte(sha), nil)
			oc := t.tx.Bucket(bucketAttachmentOwners).Cursor()
			for k, _ := oc.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = oc.Seek(prefix) {
				if err := oc.Delete(); err != nil {
					return err
				}
			}
			if err := t.audit("attachment:"+sha, "attachment.swept", "no message carried it", nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, sha := range gone {
		if err := os.Remove(s.path(sha)); err != nil && !os.IsNotExist(err) {
			return len(gone), fmt.Errorf("bolt: attachments: %w", err)
		}
	}
	return len(gone), nil
}

// referenced reports whether a message names the file sha.
func referenced(t *txn, sha []byte) bool {
	prefix := compositeKey(sha, nil)
	k, _ := t.tx.Bucket(bucketAttachmentThreads).Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

func (s *AttachmentService) path(sha string) string {
	return filepath.Join(s.dir, sha[:2], sha)
}

// resolveAttachments checks that the actor may attach each file (they
// uploaded it, or may already open it) and fills in its name, type and size.
func resolveAttachments(t *txn, refs []domain.AttachmentRef) ([]domain.AttachmentRef, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	out := make([]domain.AttachmentRef, 0, len(refs))
	for _, ref := range refs {
		var att domain.Attachment
		ok, err := getJSON(t.tx.Bucket(bucketAttachments), []byte(ref.SHA256), &att)
		if err != nil {
			return nil, err
		}
		if !ok || !mayOpenAttachment(t, ref.SHA256) {
			return nil, domain.ErrAttachmentNotYours(ref.SHA256)
		}
		name := att.Name
		if ref.Name != "" {
			name = domain.CleanAttachmentName(ref.Name)
		}
		out = append(out, domain.AttachmentRef{SHA256: att.SHA256, Name: name, Type: att.Type, Size: att.Size})
	}
	return out, nil
}

// linkAttachments records that message msgID of thread threadID names refs.
func linkAttachments(t *txn, threadID, msgID string, refs []domain.AttachmentRef) error {
	for _, ref := range refs {
		if err := t.tx.Bucket(bucketAttachmentThreads).Put(compositeKey([]byte(ref.SHA256), []byte(threadID), []byte(msgID)), nil); err != nil {
			return err
		}
	}
	return nil
}

// attachmentHead keeps the first max bytes written to it.
type attachmentHead struct {
	buf []byte
	max int
}

func (p *attachmentHead) Write(b []byte) (int, error) {
	if room := p.max - len(p.buf); room > 0 {
		p.buf = append(p.buf, b[:min(room, len(b))]...)
	}
	return len(b), nil
}

func (p *attachmentHead) Bytes() []byte { return p.buf }
