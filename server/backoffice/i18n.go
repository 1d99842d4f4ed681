package backoffice

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// The back office's words in the reader's language. Customers read their
// account pages in their own language (English or Spanish); sellers and
// customer care read English. Templates call the reader's words as
// {{$.T.S "My orders"}}: the English text is the key, so a text with no
// translation yet still reads as English, never as a key; codes such as
// item_not_received become words with {{$.T.Code "incident_reason" .Reason}}.

// words is what the reader of a page reads it in.
type words struct{ lang string }

// wordsFor is the language of a's pages: a customer's own, English for staff
// and for a visitor who has not signed in.
func wordsFor(a domain.Actor) words {
	if a.Role == domain.RoleCustomer && catalogues[a.Locale] != nil {
		return words{a.Locale}
	}
	return words{"en"}
}

// wordsOf is wordsFor the request's reader.
func wordsOf(c *fiber.Ctx) words { return wordsFor(domain.ActorFrom(c.UserContext())) }

// Lang is the page's language, for <html lang>.
func (w words) Lang() string { return w.lang }

// S is text in the reader's language.
func (w words) S(en string) string {
	if s, ok := catalogues[w.lang][en]; ok {
		return s
	}
	return en
}

// F is S with fmt verbs filled in.
func (w words) F(en string, args ...any) string { return fmt.Sprintf(w.S(en), args...) }

// N is "1 item" or "3 items" in the reader's language: one and many are the
// English forms with %d.
func (w words) N(n int, one, many string) string {
	if n == 1 {
		return w.F(one, n)
	}
	return w.F(many, n)
}

// Code is the words for a code of kind ("incident_reason", "claim_state"…):
// a label for people, never the code. A code with no label yet reads as
// its words ("label_issued" → "Label issued").
func (w words) Code(kind string, code any) string {
	c := fmt.Sprint(code)
	if c == "" {
		return ""
	}
	if en, ok := codeLabels[kind+"."+c]; ok {
		return w.S(en)
	}
	s := strings.ReplaceAll(c, "_", " ")
	return w.S(strings.ToUpper(s[:1]) + s[1:])
}

var monthsES = [...]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"}

// When is an instant in UTC, to the minute, in the reader's language.
func (w words) When(t any) string {
	s := web.When(t)
	if w.lang != "es" || s == "" {
		return s
	}
	var at time.Time
	switch v := t.(type) {
	case time.Time:
		at = v
	case *time.Time:
		at = *v
	}
	at = at.UTC()
	return fmt.Sprintf("%d %s %d %s UTC", at.Day(), monthsES[at.Month()-1], at.Year(), at.Format("15:04"))
}

// Until says how long is left to t, or how late it is, in the reader's
// language.
func (w words) Until(t *time.Time) string {
	if t == nil {
		return ""
	}
	d := time.Until(*t)
	if w.lang != "es" {
		return web.Until(d)
	}
	s := strings.Replace(web.Duration(d), "days", "días", 1)
	if d < 0 {
		return s + " de retraso"
	}
	return "quedan " + s
}

// codeLabels are the English words for the domain's codes.
var codeLabels = map[string]string{
	"incident_reason.item_not_received": "Item not received",
	"incident_reason.damaged":           "Damaged item",
	"incident_reason.defective":         "Defective item",
	"incident_reason.not_as_described":  "Not as described",
	"incident_reason.other":             "Something else",
	"claim_reason.defect":               "Product defect",
	"claim_reason.different_product":    "Different product than ordered",
	"claim_reason.damaged":              "Damaged goods",
	"claim_reason.buyers_remorse":       "Changed my mind",
	"claim_reason.other":                "Something else",
	"incident_state.open":               "Open",
	"incident_state.resolved_by_seller": "Solved by the seller, being checked",
	"incident_state.closed":             "Closed",
	"claim_state.open":                  "Open",
	"claim_state.returning":             "Return under way",
	"claim_state.closed":                "Closed",
	"resolution.buyer_closed":           "you closed it",
	"resolution.partial_refund":         "partial refund",
	"resolution.total_refund":           "full refund",
	"resolution.return":                 "returned and refunded",
	"resolution.operator":               "closed by customer care",
	"offer_state.pending":               "Waiting for your answer",
	"offer_state.accepted":              "Accepted",
	"offer_state.rejected":              "Rejected",
	"offer_state.withdrawn":             "Withdrawn",
	"offer_state.expired":               "Expired",
	"refund_state.requested":            "Requested",
	"refund_state.processing":           "Processing",
	"refund_state.refunded":             "Refunded",
	"refund_state.failed":               "Failed",
	"refund_kind.total":                 "Full refund",
	"refund_kind.partial":               "Partial refund",
	"return_state.label_issued":         "Label issued: send it back",
	"return_state.shipped":              "On its way back",
	"return_state.received":             "Received by the shop",
	"return_state.refunded":             "Refunded",
	"order_state.paid":                  "Paid",
	"order_state.shipped":               "Shipped",
	"order_state.delivered":             "Delivered",
	"order_state.closed":                "Completed",
	"order_state.cancelled":             "Cancelled",
	"topic.order_status":                "Order status",
	"topic.delivery":                    "Delivery",
	"topic.invoice":                     "Invoice",
	"topic.return":                      "Return",
	"topic.refund":                      "Refund",
	"topic.product":                     "Product",
	"topic.account":                     "My account",
	"topic.payment":                     "Payment",
	"topic.other":                       "Something else",
	"party.customer":                    "You",
	"party.seller":                      "The seller",
	"party.operator":                    "Customer care",
	"translation.pending":               "pending",
	"translation.failed":                "failed",
	"translation.unsupported":           "not available",
}

// catalogues hold the translations of the English texts, by language.
var catalogues = map[string]map[string]string{
	"en": {},
	"es": {
		// layout and navigation
		"Help centre": "Centro de ayuda", "Skip to content": "Saltar al contenido", "Sign out": "Cerrar sesión",
		"Change your password": "Cambiar tu contraseña", "My orders": "Mis pedidos", "My messages": "Mis mensajes", "Notifications": "Notificaciones",
		"Account": "Cuenta", "customer": "cliente", "Times are UTC.": "Las horas están en UTC.",
		// flashes
		"Your password was changed.": "Tu contraseña se ha cambiado.", "Your message was sent.": "Tu mensaje se ha enviado.",
		"Closed.": "Cerrado.", "Reopened.": "Reabierto.", "Offer accepted.": "Oferta aceptada.", "Offer rejected.": "Oferta rechazada.",
		"The incident was opened; the seller must answer immediately.": "Se ha abierto la incidencia; el vendedor debe responder de inmediato.",
		"Your claim was opened.": "Se ha abierto tu reclamación.", "You are signed out.": "Has cerrado la sesión.",
		"Marked as shipped.": "Marcado como enviado.",
		// orders
		"Order": "Pedido", "Placed": "Fecha", "Items": "Artículos", "Total": "Total", "State": "Estado",
		"on hold: an incident is open": "en espera: hay una incidencia abierta", "Older orders": "Pedidos anteriores",
		"No orders yet.": "Todavía no tienes pedidos.", "Order %s": "Pedido %s", "← My orders": "← Mis pedidos",
		"Summary": "Resumen", "Shipped": "Enviado", "Delivered": "Entregado", "Shop": "Tienda", "Paid": "Pagado",
		"shipping %s": "envío %s", "Refunded": "Reembolsado", "Item": "Artículo", "Qty": "Cant.", "Price": "Precio",
		"%d item": "%d artículo", "%d items": "%d artículos", "Refunds": "Reembolsos", "Incidents": "Incidencias",
		"Claims": "Reclamaciones", "Conversations": "Conversaciones", "new": "nuevo", "opened %s": "abierta el %s",
		"item %d": "artículo %d", "Reason from the seller": "Motivo del vendedor",
		"Write to the seller or customer care": "Escribir al vendedor o a atención al cliente",
		"To":                                   "Para", "The seller (%s)": "El vendedor (%s)", "Customer care": "Atención al cliente", "Topic": "Tema",
		"Subject": "Asunto", "(optional)": "(opcional)", "Message": "Mensaje",
		"Attach files": "Adjuntar archivos", "(e.g. a photo; PDF or image, up to 10 MB)": "(p. ej. una foto; PDF o imagen, hasta 10 MB)",
		"(PDF or image, up to 10 MB each)": "(PDF o imagen, hasta 10 MB cada uno)", "Send": "Enviar",
		"Report a problem with this order":    "Informar de un problema con este pedido",
		"(an incident: answered immediately)": "(una incidencia: se responde de inmediato)",
		"The whole order":                     "Todo el pedido",
		"What happened":                       "Qué ha pasado",
		"Details":                             "Detalles",
		"Open incident":                       "Abrir incidencia",
		"Make a claim":                        "Hacer una reclamación",
		"(after delivery: defect, wrong or damaged item, changed your mind)": "(tras la entrega: defecto, artículo equivocado o dañado, cambio de opinión)",
		"Reason":                    "Motivo",
		"Describe the problem":      "Describe el problema",
		"Open claim":                "Abrir reclamación",
		"← Order %s":                "← Pedido %s",
		"Conversation":              "Conversación",
		"Claim on order %s":         "Reclamación del pedido %s",
		"Description":               "Descripción",
		"Opened":                    "Abierta",
		"Offers from the seller":    "Ofertas del vendedor",
		"you keep the product":      "te quedas el producto",
		"Accept":                    "Aceptar",
		"Reject":                    "Rechazar",
		"Return":                    "Devolución",
		"tracking %s":               "seguimiento %s",
		"Download the return label": "Descargar la etiqueta de devolución",
		"Your data":                 "Tus datos",
		"Download my data":          "Descargar mis datos",
		"A copy of everything we keep about you: your account, orders, messages with their files, incidents, claims, refunds, help-centre questions and notifications.": "Una copia de todo lo que guardamos sobre ti: tu cuenta, pedidos, mensajes con sus archivos, incidencias, reclamaciones, reembolsos, preguntas al centro de ayuda y notificaciones.",
		"Packed it with the label and handed it to the carrier? Tell the seller; you are refunded when it arrives.":                                                     "¿Lo has embalado con la etiqueta y entregado al transportista? Avisa al vendedor; se te reembolsa cuando llegue.",
		"Tracking number":   "Número de seguimiento",
		"optional":          "opcional",
		"I've sent it back": "Ya lo he devuelto",
		"On its way back: you are refunded when the seller receives it.":        "De camino: se te reembolsa cuando el vendedor lo reciba.",
		"Did the seller's guidance solve it? You can close the claim yourself.": "¿Se ha resuelto con la ayuda del vendedor? Puedes cerrar la reclamación tú mismo.",
		"Close my claim: it is solved":                                          "Cerrar mi reclamación: está resuelta",
		"Machine-translated from %s · show original":                            "Traducido automáticamente del %s · ver el original",
		"Machine translation into %s: %s":                                       "Traducción automática al %s: %s",
		"English":                                                               "inglés", "Spanish": "español",
		// messages
		"Your conversations": "Tus conversaciones", "With": "Con", "Last message": "Último mensaje",
		"Older conversations": "Conversaciones anteriores", "No conversations yet. Start one from an": "Todavía no tienes conversaciones. Empieza una desde un",
		"order": "pedido", "← All messages": "← Todos los mensajes", "Participants": "Participantes",
		"Older messages": "Mensajes anteriores", "No messages you can see yet.": "Todavía no hay mensajes.",
		"Reference": "Referencia",
		"Reply":     "Responder", "This conversation was closed; a new message reopens it.": "Esta conversación está cerrada; un mensaje nuevo la reabre.",
		"Close the conversation": "Cerrar la conversación", "A new message reopens it.": "Un mensaje nuevo la reabre.",
		"seller reply due %s": "el vendedor debe responder antes del %s",
		// sign-in
		"Sign in": "Iniciar sesión", "User name": "Usuario", "Password": "Contraseña",
		"Enter your user name.": "Escribe tu usuario.", "Enter your password.": "Escribe tu contraseña.",
		"That user name and password do not match.": "El usuario y la contraseña no coinciden.",
		"That is not your current password.":        "Esa no es tu contraseña actual.",
		// password and refusals
		"Change password": "Cambiar la contraseña", "Current password": "Contraseña actual", "New password": "Contraseña nueva", "New password again": "Repite la contraseña nueva",
		"Not your area": "Esta zona no es para ti",
		"This page is not part of your area, or the request came from another site.": "Esta página no es de tu zona, o la solicitud llegó desde otro sitio.",
		"Go to your start page": "Ir a tu página de inicio",
		"For your safety, forms only work in the session that showed them. Go back, reload the page and send it again; nothing was changed.": "Por tu seguridad, los formularios solo funcionan en la sesión que los mostró. Vuelve atrás, recarga la página y envíalo de nuevo; no se ha cambiado nada.", "Request refused": "Solicitud rechazada", "This form has expired": "Este formulario ha caducado",
		// codes
		"Item not received": "No he recibido el artículo", "Damaged item": "Artículo dañado", "Defective item": "Artículo defectuoso",
		"Not as described": "No es como se describía", "Something else": "Otro motivo", "Product defect": "Defecto del producto",
		"Different product than ordered": "Producto distinto del pedido", "Damaged goods": "Mercancía dañada",
		"Changed my mind": "He cambiado de opinión", "Open": "Abierta", "Solved by the seller, being checked": "Resuelta por el vendedor, en revisión",
		"Closed": "Cerrada", "Return under way": "Devolución en curso", "you closed it": "la cerraste tú",
		"partial refund": "reembolso parcial", "full refund": "reembolso total", "returned and refunded": "devuelto y reembolsado",
		"closed by customer care": "cerrada por atención al cliente", "Waiting for your answer": "Esperando tu respuesta",
		"Accepted": "Aceptada", "Rejected": "Rechazada", "Withdrawn": "Retirada", "Expired": "Caducada", "Requested": "Solicitado",
		"Processing": "En proceso", "Failed": "Fallido", "Full refund": "Reembolso total", "Partial refund": "Reembolso parcial",
		"Label issued: send it back": "Etiqueta emitida: envíalo de vuelta", "On its way back": "De camino a la tienda",
		"Received by the shop": "Recibido por la tienda", "Completed": "Completado", "Cancelled": "Cancelado",
		"Order status": "Estado del pedido", "Delivery": "Envío", "Invoice": "Factura", "Refund": "Reembolso", "Product": "Producto",
		"My account": "Mi cuenta", "Payment": "Pago", "You": "Tú", "The seller": "El vendedor",
		"pending": "pendiente", "failed": "fallida", "not available": "no disponible",
	},
}

// LangName is a language code's name in the reader's language ("es" →
// "Spanish", or "español" to a Spanish reader).
func (w words) LangName(code string) string {
	switch code {
	case "en":
		return w.S("English")
	case "es":
		return w.S("Spanish")
	}
	return code
}

// names turns the ids a page holds into the names people know: shops by the
// name they trade under, users (for customer care) by their display name.
// Each list is read once per page, when first asked for.
type names struct {
	ctx   context.Context
	dom   *web.Domain
	shops map[string]string
	users map[string]string
}

// Shop is the shop's name, or its id when it has none.
func (n *names) Shop(id string) string {
	if n.shops == nil {
		n.shops = map[string]string{}
		if n.dom != nil && n.dom.Access != nil {
			if m, err := n.dom.Access.ShopNames(n.ctx); err == nil {
				n.shops = m
			}
		}
	}
	return cmp.Or(n.shops[id], id)
}

// User is a user's display name as customer care sees it; others (who
// cannot list users) get "".
func (n *names) User(id string) string {
	if n.users == nil {
		n.users = map[string]string{}
		if n.dom != nil && n.dom.Access != nil && domain.ActorFrom(n.ctx).Role.Operator() {
			if us, err := n.dom.Access.ListUsers(n.ctx, ""); err == nil {
				for _, u := range us {
					n.users[u.ID] = cmp.Or(u.Display, u.Name)
				}
			}
		}
	}
	return n.users[id]
}

// errorsES are the Spanish forms of the errors a customer's forms can meet
// (the domain says them in English, with the figures filled in).
var errorsES = []struct {
	re *regexp.Regexp
	es string
}{
	{regexp.MustCompile(`^Describe the problem in 1 to (\d+) characters\.$`), "Describe el problema (de 1 a $1 caracteres)."},
	{regexp.MustCompile(`^A message needs a body\.$`), "Escribe un mensaje."},
	{regexp.MustCompile(`^A message body is at most (\d+) bytes; this one is (\d+)\.$`), "Un mensaje tiene como máximo $1 bytes; este tiene $2."},
	{regexp.MustCompile(`^Order (\S+) has an open claim already: continue there\.$`), "El pedido $1 ya tiene una reclamación abierta: continúa en ella."},
	{regexp.MustCompile(`^Order (\S+) has not been delivered yet: claims are opened after delivery \(or open an incident\)\.$`),
		"El pedido $1 aún no se ha entregado: las reclamaciones se abren tras la entrega (o abre una incidencia)."},
	{regexp.MustCompile(`^The claim is closed already\.$`), "La reclamación ya está cerrada."},
	{regexp.MustCompile(`^The claim is (\S+)\.$`), "La reclamación no admite este paso ahora."},
	{regexp.MustCompile(`^An offer is waiting for the buyer's answer\.$`), "Hay una oferta esperando tu respuesta."},
	{regexp.MustCompile(`^Choose a line of the order\.$`), "Elige un artículo del pedido."},
	{regexp.MustCompile(`^The description is text of at most (\d+) characters\.$`), "La descripción tiene como máximo $1 caracteres."},
	{regexp.MustCompile(`^A subject is at most (\d+) characters of text on one line\.$`), "El asunto tiene como máximo $1 caracteres en una línea."},
	{regexp.MustCompile(`^At most (\d+) files per message\.$`), "Como máximo $1 archivos por mensaje."},
	{regexp.MustCompile(`^Enter your current password\.$`), "Escribe tu contraseña actual."},
	{regexp.MustCompile(`^The two new passwords differ\.$`), "Las dos contraseñas nuevas no coinciden."},
	{regexp.MustCompile(`^Too many messages`), "Demasiados mensajes seguidos: espera un momento y vuelve a intentarlo."},
}

// Error is an error message of a form in the reader's language; one with no
// translation yet stays as the domain said it.
func (w words) Error(msg string) string {
	if w.lang != "es" {
		return msg
	}
	if s, ok := catalogues[w.lang][msg]; ok {
		return s
	}
	for _, e := range errorsES {
		if e.re.MatchString(msg) {
			return e.re.ReplaceAllString(msg, e.es)
		}
	}
	return msg
}
