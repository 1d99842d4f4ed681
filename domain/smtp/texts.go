package smtp

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// Letter is a mail's text in its recipient's language.
type Letter struct {
	Subject string
	Body    string
}

// Links are the addresses a mail points to: the conversation (for an
// anonymous visitor, a signed link that needs no account) and the page
// where a customer chooses their emails.
type Links struct {
	Open  string
	Prefs string
}

// words are the mails' sentences, by language. %[n]s are filled in by Write.
var words = map[string]map[string]string{
	"en": {
		"hello":          "Hello,",
		"sign":           "— Marketplace customer care",
		"verify_subject": "We received your message [%s]",
		"verify_body": "we received your message \"%s\" and gave it the reference %s.\n\n" +
			"What happens next: customer care reads it and answers within %s, by email to this address.\n\n" +
			"To confirm that this address is yours, and to read or add to the conversation at any time, open this link:\n%s\n\n" +
			"Until you do, your message is marked as coming from an unconfirmed address. If you did not write to us, ignore this email: nothing more will be sent.",
		"reply_subject": "Re: %s [%s]",
		"reply_body": "customer care answered your message %s:\n\n%s\n\n" +
			"Read the whole conversation and answer here (no account needed):\n%s\n\n" +
			"This link is yours alone: do not share it. It works for %d days; every answer brings a new one.",
		"account":        "See it in your account:",
		"prefs":          "You receive these emails because you chose them in your account; change that here:",
		"no_subject":     "your question",
		"refund_request": "A refund of %s for order %s is on its way",
		"refund_issued":  "Your refund of %s for order %s was issued",
		"refund_failed":  "Your refund for order %s could not be completed: customer care is on it",
		"refund_other":   "News about a refund for order %s",
		"message_order":  "You have a new message about order %s",
		"message":        "You have a new message",
		"claim_offer":    "The shop offers a refund on order %s: accept or reject it",
		"claim_closed":   "Your claim on order %s was resolved",
		"claim_other":    "News about your claim on order %s",
		"return_label":   "Your return label for order %s is ready",
		"return_other":   "News about your return for order %s",
		"incident":       "News about the problem you reported with order %s",
		"news":           "News about your order %s",
	},
	"es": {
		"hello":          "Hola:",
		"sign":           "— Atención al cliente del marketplace",
		"verify_subject": "Hemos recibido tu mensaje [%s]",
		"verify_body": "hemos recibido tu mensaje «%s» y le hemos dado la referencia %s.\n\n" +
			"Qué pasa ahora: atención al cliente lo lee y te responde en un plazo de %s, por correo a esta dirección.\n\n" +
			"Para confirmar que esta dirección es tuya, y para leer la conversación o añadir algo cuando quieras, abre este enlace:\n%s\n\n" +
			"Hasta entonces, tu mensaje figura como enviado desde una dirección sin confirmar. Si no nos has escrito, ignora este correo: no te enviaremos nada más.",
		"reply_subject": "Re: %s [%s]",
		"reply_body": "atención al cliente ha respondido a tu mensaje %s:\n\n%s\n\n" +
			"Lee toda la conversación y responde aquí (sin necesidad de cuenta):\n%s\n\n" +
			"Este enlace es solo tuyo: no lo compartas. Funciona durante %d días; cada respuesta trae uno nuevo.",
		"account":        "Míralo en tu cuenta:",
		"prefs":          "Recibes estos correos porque los elegiste en tu cuenta; puedes cambiarlo aquí:",
		"no_subject":     "tu pregunta",
		"refund_request": "Un reembolso de %s de tu pedido %s está en camino",
		"refund_issued":  "Se ha emitido tu reembolso de %s del pedido %s",
		"refund_failed":  "No se ha podido completar el reembolso de tu pedido %s: atención al cliente se ocupa de ello",
		"refund_other":   "Novedades sobre un reembolso del pedido %s",
		"message_order":  "Tienes un mensaje nuevo sobre el pedido %s",
		"message":        "Tienes un mensaje nuevo",
		"claim_offer":    "La tienda te ofrece un reembolso en el pedido %s: acéptalo o recházalo",
		"claim_closed":   "Tu reclamación del pedido %s se ha resuelto",
		"claim_other":    "Novedades sobre tu reclamación del pedido %s",
		"return_label":   "Tu etiqueta de devolución del pedido %s está lista",
		"return_other":   "Novedades sobre tu devolución del pedido %s",
		"incident":       "Novedades sobre el problema que nos contaste con el pedido %s",
		"news":           "Novedades sobre tu pedido %s",
	},
}

func w(locale, key string) string {
	if s, ok := words[domain.MailLocale(locale)][key]; ok {
		return s
	}
	return words["en"][key]
}

// Write is m's text in its language. replyWithin is customer care's answer
// time a hand-off's confirmation promises.
func Write(m domain.Mail, l Links, replyWithin time.Duration) Letter {
	loc := m.Locale
	subject := m.Subject
	if strings.TrimSpace(subject) == "" {
		subject = w(loc, "no_subject")
	}
	var out Letter
	switch m.Kind {
	case domain.MailHandoffVerify:
		out.Subject = fmt.Sprintf(w(loc, "verify_subject"), m.Reference)
		out.Body = fmt.Sprintf(w(loc, "verify_body"), subject, m.Reference, Duration(loc, replyWithin), l.Open)
	case domain.MailHandoffReply:
		out.Subject = fmt.Sprintf(w(loc, "reply_subject"), subject, m.Reference)
		out.Body = fmt.Sprintf(w(loc, "reply_body"), m.Reference, quote(m.Excerpt), l.Open, int(domain.GuestLinkTTL.Hours()/24))
	default:
		out.Subject = headline(m)
		out.Body = out.Subject + ".\n\n" + w(loc, "account") + "\n" + l.Open + prefsLine(loc, l)
	}
	out.Body = w(loc, "hello") + "\n\n" + capitalFirst(out.Body) + "\n\n" + w(loc, "sign") + "\n"
	return out
}

func prefsLine(loc string, l Links) string {
	if l.Prefs == "" {
		return ""
	}
	return "\n\n" + w(loc, "prefs") + "\n" + l.Prefs
}

// headline is a notification mail's subject, by its type.
func headline(m domain.Mail) string {
	loc, o := m.Locale, m.Order
	amount := Money(loc, m.Amount, m.Currency)
	switch {
	case m.Type == domain.EventRefundRequested:
		return fmt.Sprintf(w(loc, "refund_request"), amount, o)
	case m.Type == domain.EventRefundIssued:
		return fmt.Sprintf(w(loc, "refund_issued"), amount, o)
	case m.Type == domain.EventRefundFailed:
		return fmt.Sprintf(w(loc, "refund_failed"), o)
	case strings.HasPrefix(m.Type, "refund."):
		return fmt.Sprintf(w(loc, "refund_other"), o)
	case m.Type == "thread.message" && o != "":
		return fmt.Sprintf(w(loc, "message_order"), o)
	case m.Type == "thread.message":
		return w(loc, "message")
	case m.Type == domain.EventClaimOffer:
		return fmt.Sprintf(w(loc, "claim_offer"), o)
	case m.Type == domain.EventClaimClosed:
		return fmt.Sprintf(w(loc, "claim_closed"), o)
	case strings.HasPrefix(m.Type, "claim."):
		return fmt.Sprintf(w(loc, "claim_other"), o)
	case m.Type == domain.EventReturnIssued:
		return fmt.Sprintf(w(loc, "return_label"), o)
	case strings.HasPrefix(m.Type, "return."):
		return fmt.Sprintf(w(loc, "return_other"), o)
	case strings.HasPrefix(m.Type, "incident."):
		return fmt.Sprintf(w(loc, "incident"), o)
	}
	return fmt.Sprintf(w(loc, "news"), o)
}

// Money formats minor units as people of the language write them:
// 57.85 EUR, 57,85 EUR.
func Money(locale string, minor int64, currency string) string {
	neg := minor < 0
	if neg {
		minor = -minor
	}
	frac := strconv.FormatInt(minor%100, 10)
	if len(frac) < 2 {
		frac = "0" + frac
	}
	sep := "."
	if domain.MailLocale(locale) == "es" {
		sep = ","
	}
	s := strconv.FormatInt(minor/100, 10) + sep + frac
	if neg {
		s = "-" + s
	}
	return strings.TrimSpace(s + " " + currency)
}

// Duration says d in words: "24 hours", "2 days", "24 horas".
func Duration(locale string, d time.Duration) string {
	h := int(d.Round(time.Hour).Hours())
	es := domain.MailLocale(locale) == "es"
	switch {
	case h >= 48 && h%24 == 0:
		if es {
			return strconv.Itoa(h/24) + " días"
		}
		return strconv.Itoa(h/24) + " days"
	case h == 1:
		if es {
			return "1 hora"
		}
		return "1 hour"
	}
	if es {
		return strconv.Itoa(h) + " horas"
	}
	return strconv.Itoa(h) + " hours"
}

// quote indents an answer as mail readers expect a quotation.
func quote(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n")
}

func capitalFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	return string(r)
}
