package server

import "github.com/gofiber/fiber/v2"

// workRoutes registers this area's endpoints (filled in by its owner).
func (s *Server) workRoutes(api fiber.Router) {}
