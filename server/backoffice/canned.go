package backoffice

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server/web"
)

// ---- Canned replies ----

// sellerCannedView is the shop's canned replies, the form to write one, and the
// articles found to link in it.
type sellerCannedView struct {
	Replies  []domain.CannedReply
	Articles []search.Suggestion
	Searched bool
	Editing  string // the id of the reply in the form, "" for a new one
}

// sellerArticleLimit is how many articles a search offers to link.
const sellerArticleLimit = 6

func (s *Handler) SellerCanned(c *fiber.Ctx) error {
	cr := s.dom.Canned
	if cr == nil {
		return fiber.ErrNotFound
	}
	v := sellerCannedView{}
	var err error
	if v.Replies, err = cr.ListCannedReplies(c.UserContext()); err != nil {
		return err
	}
	var form map[string]string
	if id := c.Query("edit"); id != "" {
		r, err := cr.FindCannedReply(c.UserContext(), id)
		if err != nil {
			return err
		}
		v.Editing = r.ID
		form = map[string]string{"id": r.ID, "title": r.Title, "body": r.Body}
	}
	return s.renderBO(c, fiber.StatusOK, "seller_canned", boPage{Title: "Canned replies", Body: v, Form: form})
}

// SellerCannedSave saves the form, or (the "find" and "insert" buttons)
// searches the help centre for an article and inserts its link in the text,
// showing the form again with what was typed.
func (s *Handler) SellerCannedSave(c *fiber.Ctx) error {
	cr := s.dom.Canned
	if cr == nil {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	form := web.FormValues(c, "id", "title", "body", "article_q", "article", "action")
	v := sellerCannedView{Editing: form["id"]}
	var err error
	if v.Replies, err = cr.ListCannedReplies(ctx); err != nil {
		return err
	}
	flash := ""
	render := func(status int, errs map[string]string) error {
		return s.renderBO(c, status, "seller_canned", boPage{Title: "Canned replies", Body: v, Form: form, Errors: errs, Flash: flash})
	}
	switch form["action"] {
	case "find", "insert":
		if form["action"] == "insert" && form["article"] != "" {
			link := s.articleLink(form["article"])
			if link == "" {
				return render(fiber.StatusBadRequest, map[string]string{"article": "Choose one of the articles found."})
			}
			form["body"] = strings.TrimRight(form["body"], "\n ") + "\n\n" + link
			form["body"] = strings.TrimLeft(form["body"], "\n")
			flash = "The link was put at the end of the text: save to keep it."
		}
		if q := form["article_q"]; q != "" {
			v.Searched = true
			v.Articles, err = s.engine.Suggest(ctx, q, "en", search.Customer, sellerArticleLimit)
			if err != nil {
				return render(fiber.StatusBadRequest, map[string]string{"article_q": "Search for a few words of an article's title."})
			}
		} else if form["action"] == "find" {
			return render(fiber.StatusBadRequest, map[string]string{"article_q": "Type a few words of the article's title."})
		}
		return render(fiber.StatusOK, nil)
	}
	if _, err := cr.SaveCannedReply(ctx, &domain.CannedReply{ID: form["id"], Title: form["title"], Body: form["body"]}); err != nil {
		errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidCannedTitle: "title", domain.CodeInvalidCannedBody: "body"})
		if err != nil {
			return err
		}
		return render(fiber.StatusBadRequest, errs)
	}
	return c.Redirect("/seller/canned?done=reply_saved", fiber.StatusSeeOther)
}

// articleLink is "Title: URL" for an article of the help centre, "" when id
// names none. Articles are linked in English, the canonical locale.
func (s *Handler) articleLink(id string) string {
	locale, rest, ok := strings.Cut(id, "/")
	if !ok {
		return ""
	}
	a := s.cat.Content().Articles[content.Key{ID: rest, Locale: locale}]
	if a == nil {
		return ""
	}
	return a.Title + ": " + a.URL()
}

func (s *Handler) SellerCannedDelete(c *fiber.Ctx) error {
	cr := s.dom.Canned
	if cr == nil {
		return fiber.ErrNotFound
	}
	if err := cr.DeleteCannedReply(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.Redirect("/seller/canned?done=closed", fiber.StatusSeeOther)
}
