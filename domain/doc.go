// Package domain holds the help centre's own types, their rules and the interfaces
// of the services that store them; it imports nothing of the project.
//
// Adapters live in sub-packages named after what they adapt (domain/bolt), and
// every error a service returns to a caller is an *Error (see errors.go).
package domain
