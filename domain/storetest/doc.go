// Package storetest is the contract every store of the after-sales domain
// keeps: one suite of behaviours and refusals, written against the service
// interfaces of package domain only, that a store's own tests run with its
// constructor.
//
// A store runs it from a _test.go file:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, c storetest.Config) storetest.Services {
//			// open an empty store in t.TempDir() (or a fresh schema) with
//			// c.Now as its clock and c.Policy as its policy; close it in
//			// t.Cleanup.
//		})
//	}
//
// The suite seeds the demo world (package demo) through AccessService and
// OrderService, so a store needs nothing beyond its services. Every subtest
// opens its own store and most run in parallel: the constructor must give a
// new, empty, independent store on each call.
//
// Every refusal is checked twice: for its code, and for leaving the store as
// it was (everything a reader can see through the services, audit logs and
// outbox included, is the same before and after).
package storetest
