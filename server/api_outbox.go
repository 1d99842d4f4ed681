package server

import "github.com/gofiber/fiber/v2"

// outboxRoutes registers this area's endpoints (filled in by its owner).
func (s *Server) outboxRoutes(api fiber.Router) {}
