package server

import "github.com/gofiber/fiber/v2"

// threadRoutes registers this area's endpoints (filled in by its owner).
func (s *Server) threadRoutes(api fiber.Router) {}
