package bolt

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/marketplace/helpcentre/domain"
)

func TestCannedReplies(t *testing.T) {
	for _, migrated := range []bool{true, false} {
		migs := migrations()
		if migrated {
			migs = append(migs, migration{id: "9999_canned_test", up: cannedMigration})
		}
		db, err := open(filepath.Join(t.TempDir(), "c.db"), fastOptions(nil), migs)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		s := NewCannedReplies(db)
		sam := domain.WithActor(context.Background(), domain.Actor{UserID: "u-sam", Role: domain.RoleSeller, ShopID: "shop-1"})
		sue := domain.WithActor(context.Background(), domain.Actor{UserID: "u-sue", Role: domain.RoleSeller, ShopID: "shop-2"})
		ana := domain.WithActor(context.Background(), domain.Actor{UserID: "u-ana", Role: domain.RoleCustomer})

		if l, err := s.ListCannedReplies(sam); err != nil || len(l) != 0 {
			t.Fatalf("empty list: %v %v", l, err)
		}
		b, err := s.SaveCannedReply(sam, &domain.CannedReply{Title: "Delay", Body: "Sorry for the delay."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveCannedReply(sam, &domain.CannedReply{Title: "a returns note", Body: "See /en/articles/returns"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveCannedReply(sam, &domain.CannedReply{Title: "", Body: "x"}); domain.ErrorCode(err) != domain.CodeInvalidCannedTitle {
			t.Errorf("empty title: %v", err)
		}
		l, err := s.ListCannedReplies(sam)
		if err != nil || len(l) != 2 || l[0].Title != "a returns note" || l[1].ShopID != "shop-1" || l[1].CreatedBy != "u-sam" {
			t.Fatalf("list: %+v %v", l, err)
		}
		if l, _ := s.ListCannedReplies(sue); len(l) != 0 {
			t.Errorf("sue sees sam's replies: %+v", l)
		}
		if _, err := s.FindCannedReply(sue, b.ID); domain.ErrorKind(err) != domain.NotFound {
			t.Errorf("sue finds sam's reply: %v", err)
		}
		if _, err := s.SaveCannedReply(sue, &domain.CannedReply{ID: b.ID, Title: "x", Body: "y"}); domain.ErrorKind(err) != domain.NotFound {
			t.Errorf("sue updates sam's reply: %v", err)
		}
		if err := s.DeleteCannedReply(sue, b.ID); domain.ErrorKind(err) != domain.NotFound {
			t.Errorf("sue deletes sam's reply: %v", err)
		}
		if _, err := s.ListCannedReplies(ana); domain.ErrorKind(err) != domain.Forbidden {
			t.Errorf("a customer lists canned replies: %v", err)
		}
		u, err := s.SaveCannedReply(sam, &domain.CannedReply{ID: b.ID, Title: "Delay", Body: "Sorry, it ships tomorrow."})
		if err != nil || u.CreatedAt != b.CreatedAt || u.Body != "Sorry, it ships tomorrow." {
			t.Fatalf("update: %+v %v", u, err)
		}
		if got, err := s.FindCannedReply(sam, b.ID); err != nil || got.Body != u.Body {
			t.Errorf("find: %+v %v", got, err)
		}
		if err := s.DeleteCannedReply(sam, b.ID); err != nil {
			t.Fatal(err)
		}
		if l, _ := s.ListCannedReplies(sam); len(l) != 1 {
			t.Errorf("after delete: %+v", l)
		}
	}
}
