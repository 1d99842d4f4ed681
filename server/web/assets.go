package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"path"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

//go:embed static
var staticFS embed.FS

// asset is an embedded static file with its checksum, served with an ETag
// and, under its versioned URL, cached for a year.
type asset struct {
	data  []byte
	etag  string
	ctype string
}

// Assets are the embedded static files (static/), read once.
type Assets struct {
	files map[string]asset
}

// LoadAssets reads the embedded static files.
func LoadAssets() (*Assets, error) {
	a := &Assets{files: map[string]asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		name := strings.TrimPrefix(p, "static/")
		a.files[name] = asset{data: data, etag: hex.EncodeToString(sum[:8]), ctype: contentType(path.Ext(p))}
		return nil
	})
	return a, err
}

// assetTypes are the content types of the assets' kinds, as Go's mime
// package has them built in: asking it loads the system's whole MIME
// database (/usr/share/mime: ~11,000 objects kept for the process's life).
var assetTypes = map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

func contentType(ext string) string {
	if t, ok := assetTypes[ext]; ok {
		return t
	}
	return mime.TypeByExtension(ext)
}

// URL is the versioned URL of a static file, for templates.
func (a *Assets) URL(name string) string {
	f, ok := a.files[name]
	if !ok {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + f.etag
}

// File is a static file's content, nil when there is none.
func (a *Assets) File(name string) []byte { return a.files[name].data }

// Serve answers /static/*.
func (a *Assets) Serve(c *fiber.Ctx) error {
	f, ok := a.files[c.Params("*")]
	if !ok {
		return fiber.ErrNotFound
	}
	etag := `"` + f.etag + `"`
	c.Set(fiber.HeaderETag, etag)
	if c.Query("v") == f.etag {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	}
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, f.ctype)
	return c.Send(f.data)
}

// Funcs are the template helpers every page may use.
func (a *Assets) Funcs() template.FuncMap {
	return template.FuncMap{
		"asset": a.URL,
		"add":   func(a, b int) int { return a + b },
		"sub":   func(a, b int) int { return a - b },
		"mul":   func(a, b int) int { return a * b },
		"join":  strings.Join,
		"money": Money,
		"when":  When,
		"day":   LongDay, // 2006-01-02 as "Sun 1 Nov 2026"
		"ago":   func(t time.Time) string { return Ago(time.Since(t)) },
		"until": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return Until(time.Until(*t))
		},
		"overdue": func(t *time.Time) bool { return t != nil && time.Now().After(*t) },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		},
	}
}
