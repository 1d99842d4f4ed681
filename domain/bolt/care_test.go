package bolt

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// TestCareMigration: a store written before 0015 holds no routing rules (the
// defaults applied only while none were stored, and vanished with the
// first rule added) and may hold agents without a team (never given work).
// The migration stores the defaults, leaves a store that has rules alone,
// and puts teamless agents into customer care.
func TestCareMigration(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "d.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.eng.Update(func(tx kv.Tx) error {
		// Back to a pre-0015 store: no rules, a teamless agent, a customer.
		rules := tx.Bucket(bucketRoutingRules)
		for _, r := range domain.DefaultRoutingRules() {
			if err := rules.Delete([]byte(r.ID)); err != nil {
				return err
			}
		}
		for _, u := range []domain.User{{ID: "a1", Name: "otto", Role: domain.RoleAgent}, {ID: "c1", Name: "cat", Role: domain.RoleCustomer}} {
			if err := putJSON(tx.Bucket(bucketUsers), []byte(u.ID), u); err != nil {
				return err
			}
		}
		return careMigration(tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var otto, cat domain.User
	db.eng.View(func(tx kv.Tx) error {
		tx.Bucket(bucketRoutingRules).ForEach(func(_, _ []byte) error { n++; return nil })
		json.Unmarshal(tx.Bucket(bucketUsers).Get([]byte("a1")), &otto)
		json.Unmarshal(tx.Bucket(bucketUsers).Get([]byte("c1")), &cat)
		return nil
	})
	if n != len(domain.DefaultRoutingRules()) {
		t.Errorf("%d rules stored, want the %d defaults", n, len(domain.DefaultRoutingRules()))
	}
	if otto.Team != domain.TeamCustomerCare || cat.Team != "" {
		t.Errorf("teams after the migration: agent %q, customer %q", otto.Team, cat.Team)
	}
	// A store with a rule of its own keeps exactly its rules.
	err = db.eng.Update(func(tx kv.Tx) error {
		rules := tx.Bucket(bucketRoutingRules)
		for _, r := range domain.DefaultRoutingRules() {
			if err := rules.Delete([]byte(r.ID)); err != nil {
				return err
			}
		}
		if err := putJSON(rules, []byte("mine"), domain.RoutingRule{ID: "mine", Name: "mine", Team: domain.TeamCustomerCare}); err != nil {
			return err
		}
		if err := careMigration(tx); err != nil {
			return err
		}
		n = 0
		return rules.ForEach(func(_, _ []byte) error { n++; return nil })
	})
	if err != nil || n != 1 {
		t.Errorf("a store with its own rule: %d rules, %v", n, err)
	}
}
