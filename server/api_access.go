package server

import "github.com/gofiber/fiber/v2"

// accessRoutes registers this area's endpoints (filled in by its owner).
func (s *Server) accessRoutes(api fiber.Router) {}
