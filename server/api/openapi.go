package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/gofiber/fiber/v2"
)

// Each area of the API describes its endpoints in its own fragment,
// openapi/<area>.json: an OpenAPI 3.1 object with "paths" and
// "components.schemas". buildOpenAPI merges them into one document at
// start-up, which fails on a broken fragment or a path described twice.
//
//go:embed openapi/*.json
var openapiFS embed.FS

type openapiFragment struct {
	Paths      map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]json.RawMessage `json:"schemas"`
	} `json:"components"`
}

// buildOpenAPI returns the whole API as one OpenAPI 3.1 JSON document.
func buildOpenAPI(version string) ([]byte, error) {
	names, err := fs.Glob(openapiFS, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	paths := map[string]json.RawMessage{}
	schemas := map[string]json.RawMessage{
		"Problem": json.RawMessage(`{"type":"object","description":"RFC 9457 problem details with a stable code.",
			"required":["type","title","status","code"],
			"properties":{"type":{"type":"string"},"title":{"type":"string"},"status":{"type":"integer"},
			"detail":{"type":"string"},"code":{"type":"string","description":"Stable error code clients may branch on."},
			"instance":{"type":"string"}}}`),
	}
	for _, name := range names {
		data, err := openapiFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var f openapiFragment
		if err := json.Unmarshal(data, &f); err != nil {
			return nil, fmt.Errorf("server: %s: %w", name, err)
		}
		for p, v := range f.Paths {
			if _, dup := paths[p]; dup {
				return nil, fmt.Errorf("server: %s: path %s is described by another fragment too", path.Base(name), p)
			}
			paths[p] = v
		}
		for n, v := range f.Components.Schemas {
			if prev, dup := schemas[n]; dup && string(prev) != string(v) {
				return nil, fmt.Errorf("server: %s: schema %s differs from another fragment's", path.Base(name), n)
			}
			schemas[n] = v
		}
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Help centre and after-sales API",
			"version":     version,
			"description": "Search help articles, and the marketplace's after-sales domain: orders, message threads, incidents, refunds, claims and returns. Errors are RFC 9457 problem documents (application/problem+json) with a stable `code`. Any write may answer 503 `storage_unavailable` with Retry-After when the server's storage fails (disk full, I/O error): nothing was written; retry later.",
		},
		"servers":  []map[string]string{{"url": "/api/v1"}},
		"security": []map[string][]string{{"bearer": {}}},
		"paths":    paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"bearer": map[string]string{"type": "http", "scheme": "bearer", "description": "An API token: Authorization: Bearer <token>."},
			},
			"responses": map[string]any{
				"Problem": map[string]any{"description": "An error, as a problem document.",
					"content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]string{"$ref": "#/components/schemas/Problem"}}}},
			},
		},
	}
	return json.Marshal(doc)
}

func (s *Handler) OpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(s.openapi)
}
