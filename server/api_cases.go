package server

import "github.com/gofiber/fiber/v2"

// caseRoutes registers this area's endpoints (filled in by its owner).
func (s *Server) caseRoutes(api fiber.Router) {}
