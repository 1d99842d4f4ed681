package server

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// requireIndex answers 503 not_ready, with Retry-After, while the index is
// built at start-up: the routes behind it search or list articles.
func (s *Server) requireIndex(c *fiber.Ctx) error {
	if s.ix.Ready() {
		return c.Next()
	}
	done, total := s.ix.Progress()
	c.Set(fiber.HeaderRetryAfter, "5")
	return domain.Errorf(domain.CodeNotReady, "the help centre is starting: %d of %d articles indexed; try again shortly", done, total)
}

// backup streams a consistent copy of the database to the admin (GET
// /api/v1/admin/backup, behind RequireAdmin). The copy is written to a file
// first, in one short read transaction, so that a slow download never
// holds a transaction open (which would stall writers that grow the file).
func (s *Server) backup(c *fiber.Ctx) error {
	if s.backupFn == nil {
		return web.NotFound(c)
	}
	// The copy holds every customer's data: admins only, not every operator
	// the /admin group lets through.
	if err := domain.RequireAdmin(domain.ActorFrom(c.UserContext())); err != nil {
		return err
	}
	r, size, err := s.backupFn()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	name := "helpcentre-" + time.Now().UTC().Format("20060102T150405Z") + ".db"
	c.Set(fiber.HeaderContentType, "application/octet-stream")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Helpcentre-Backup-Bytes", strconv.FormatInt(size, 10))
	return c.SendStream(r, int(size)) // fasthttp closes r once sent
}
