package backoffice

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/marketplace/helpcentre/domain"
)

// --- The work queue ---

// opQueueView is the caller's queue, most urgent first.
type opQueueView struct {
	Items []opQueueRow
}

// opQueueRow is a queue item with where it links to and how urgent its clock is.
type opQueueRow struct {
	domain.QueueItem
	Link     string
	Due      string // "3 h 10 min left", "2 h 05 min overdue", "answer now", ""
	DueClass string // badge class: overdue, warn, ""
}

// opQueueLink is the operator page of a queue item.
func opQueueLink(it domain.QueueItem) string {
	switch it.Kind {
	case "incident":
		return "/operator/incidents/" + it.ID
	case "claim":
		return "/operator/claims/" + it.ID
	case "thread":
		return "/operator/messages/" + it.ID
	}
	if it.Order != "" {
		return "/operator/orders/" + it.Order
	}
	return "/operator"
}

func (s *Handler) OperatorQueue(c *fiber.Ctx) error {
	if s.dom.Work == nil {
		return s.renderBO(c, fiber.StatusOK, "operator_queue", boPage{Title: "Work queue", Body: opQueueView{}})
	}
	items, err := s.dom.Work.Queue(c.UserContext(), 100)
	if err != nil {
		return err
	}
	now := time.Now()
	v := opQueueView{Items: make([]opQueueRow, 0, len(items))}
	for _, it := range items {
		row := opQueueRow{QueueItem: it, Link: opQueueLink(it)}
		row.Due, row.DueClass = opDueText(it.DueAt, now, s.dom.PolicyOrDefault().AlertBefore)
		if it.Kind == "incident" {
			row.Due, row.DueClass = "answer now", "overdue" // incidents are due the moment they open
		}
		v.Items = append(v.Items, row)
	}
	return s.renderBO(c, fiber.StatusOK, "operator_queue", boPage{Title: "Work queue", Body: v})
}
