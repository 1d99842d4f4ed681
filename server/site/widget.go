package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/marketplace/helpcentre/server/web"
)

// widgetAsset is the embeddable widget script: served at /widget.js with a
// short cache (embedders keep one stable URL) and at /widget.<hash>.js,
// immutable, for those who pin a version. Both carry an ETag and are sent
// gzipped to clients that accept it.
type widgetAsset struct {
	data, gz []byte
	hash     string
}

func buildWidget(assets *web.Assets) (widgetAsset, error) {
	data := assets.File("widget.js")
	if data == nil {
		return widgetAsset{}, errors.New("site: no static/widget.js")
	}
	sum := sha256.Sum256(data)
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(data); err != nil {
		return widgetAsset{}, err
	}
	if err := zw.Close(); err != nil {
		return widgetAsset{}, err
	}
	return widgetAsset{data: data, gz: buf.Bytes(), hash: hex.EncodeToString(sum[:8])}, nil
}

// WidgetSizes reports the widget script's size, plain and gzipped, in bytes.
func (s *Handler) WidgetSizes() (plain, gzipped int) {
	return len(s.widget.data), len(s.widget.gz)
}

// WidgetPath is the versioned URL of the widget script.
func (s *Handler) WidgetPath() string { return "/widget." + s.widget.hash + ".js" }

// Widget serves the widget script.
func (s *Handler) Widget(c *fiber.Ctx) error {
	w := s.widget
	name := c.Params("file")
	switch {
	case name == "widget.js":
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	case name == "widget."+w.hash+".js":
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	case strings.HasPrefix(name, "widget.") && strings.HasSuffix(name, ".js"):
		// An old version: the current one, briefly cached, keeps pages working.
		return c.Redirect("/widget.js", fiber.StatusFound)
	default:
		return c.Next()
	}
	etag := `"` + w.hash + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Vary(fiber.HeaderAcceptEncoding)
	// Host pages on other origins load it; no credentials are involved.
	c.Set("Cross-Origin-Resource-Policy", "cross-origin")
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	if strings.Contains(c.Get(fiber.HeaderAcceptEncoding), "gzip") {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(w.gz)
	}
	return c.Send(w.data)
}
