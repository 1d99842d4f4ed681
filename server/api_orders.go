package server

import "github.com/gofiber/fiber/v2"

// orderRoutes registers this area's endpoints (filled in by its owner).
func (s *Server) orderRoutes(api fiber.Router) {}
