package site

import (
	"strconv"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// contactMessages are the contact flow's words (the plain-form flow, the
// confirmation and the conversation mailed to anonymous visitors), apart
// from the other pages' so that each flow's texts stay together.
var contactMessages = map[string]map[string]string{
	"en": {
		"subject": "Subject", "question": "Your question", "ask": "Find answers",
		"order":           "Which order is it about?",
		"no_order":        "Not about an order",
		"signed_in_as":    "Signed in as %s: customer care answers in your account's messages.",
		"suggest_title":   "These articles may answer your question",
		"suggest_none":    "No article answers this yet.",
		"still_help":      "Still need help?",
		"still_help_lead": "Send your question to customer care. Nothing you typed is lost.",
		"email":           "Your email (we answer there)",
		"email_hint":      "We send a link to this address: following it confirms that it is yours.",
		"send":            "Send to customer care",
		"edit":            "Change my question",
		"sent_title":      "Your message reached customer care",
		"reference":       "Your reference",
		"next_title":      "What happens next",
		"next_account":    "Customer care reads your message and answers within %s. The answer appears in your account's messages, and we tell you by email if you chose to be told.",
		"next_email":      "Customer care reads your message and answers within %s, by email to %s. We have sent a link to that address: follow it to confirm that the address is yours and to read or add to the conversation at any time.",
		"my_messages":     "See my messages",
		"back_help":       "Back to the help centre",
		"conv_title":      "Your conversation with customer care",
		"conv_verified":   "Thank you: your email address is confirmed.",
		"you":             "You",
		"care":            "Customer care",
		"reply":           "Write to customer care",
		"message":         "Message",
		"send_reply":      "Send",
		"reply_sent":      "Sent: customer care will answer by email.",
		"link_invalid":    "This link is not valid or has expired. Write to us again from the contact page: your new message gets a new link.",
		"err_email":       "Give the email address we should answer to, like name@example.com.",
		"err_text":        "Write what you need help with.",
		"err_busy":        "Too many messages were sent from here in the last hour. Please try again later.",
		"err_unavailable": "Messages to customer care cannot be taken right now. Please try again later.",
		"err_expired":     "This form expired. Please send it again.",
		"err_other":       "Sorry, that did not work. Please try again.",
	},
	"es": {
		"subject": "Asunto", "question": "Tu pregunta", "ask": "Buscar respuestas",
		"order":           "¿Sobre qué pedido es?",
		"no_order":        "No es sobre un pedido",
		"signed_in_as":    "Has iniciado sesión como %s: atención al cliente te responde en los mensajes de tu cuenta.",
		"suggest_title":   "Estos artículos pueden responder a tu pregunta",
		"suggest_none":    "Todavía no hay ningún artículo que responda a esto.",
		"still_help":      "¿Todavía necesitas ayuda?",
		"still_help_lead": "Envía tu pregunta a atención al cliente. No se pierde nada de lo que has escrito.",
		"email":           "Tu correo (te responderemos allí)",
		"email_hint":      "Enviaremos un enlace a esta dirección: al abrirlo confirmas que es tuya.",
		"send":            "Enviar a atención al cliente",
		"edit":            "Cambiar mi pregunta",
		"sent_title":      "Tu mensaje ha llegado a atención al cliente",
		"reference":       "Tu referencia",
		"next_title":      "Qué pasa ahora",
		"next_account":    "Atención al cliente lee tu mensaje y te responde en un plazo de %s. La respuesta aparecerá en los mensajes de tu cuenta y te avisaremos por correo si así lo elegiste.",
		"next_email":      "Atención al cliente lee tu mensaje y te responde en un plazo de %s, por correo a %s. Te hemos enviado un enlace a esa dirección: ábrelo para confirmar que es tuya y para leer la conversación o añadir algo cuando quieras.",
		"my_messages":     "Ver mis mensajes",
		"back_help":       "Volver al centro de ayuda",
		"conv_title":      "Tu conversación con atención al cliente",
		"conv_verified":   "Gracias: tu dirección de correo está confirmada.",
		"you":             "Tú",
		"care":            "Atención al cliente",
		"reply":           "Escribe a atención al cliente",
		"message":         "Mensaje",
		"send_reply":      "Enviar",
		"reply_sent":      "Enviado: atención al cliente te responderá por correo.",
		"link_invalid":    "Este enlace no es válido o ha caducado. Escríbenos de nuevo desde la página de contacto: tu nuevo mensaje traerá un enlace nuevo.",
		"err_email":       "Indica el correo en el que quieres la respuesta, p. ej. nombre@ejemplo.com.",
		"err_text":        "Escribe en qué necesitas ayuda.",
		"err_busy":        "Se han enviado demasiados mensajes desde aquí en la última hora. Vuelve a intentarlo más tarde.",
		"err_unavailable": "Ahora mismo no podemos recibir mensajes para atención al cliente. Vuelve a intentarlo más tarde.",
		"err_expired":     "Este formulario ha caducado. Envíalo de nuevo.",
		"err_other":       "Lo sentimos, no ha funcionado. Vuelve a intentarlo.",
	},
}

// ct returns the contact flow's text for key in locale, falling back to
// English.
func ct(locale, key string) string {
	if s, ok := contactMessages[locale][key]; ok {
		return s
	}
	return contactMessages["en"][key]
}

// contactError is what a customer is told of err, in their language: the
// domain's messages are English and for developers.
func contactError(locale string, err error) string {
	switch domain.ErrorCode(err) {
	case domain.CodeEmailRequired, domain.CodeInvalidEmail:
		return ct(locale, "err_email")
	case domain.CodeInvalidMessage:
		return ct(locale, "err_text")
	case domain.CodeTooManyHandoffs, domain.CodeTooManyMessages:
		return ct(locale, "err_busy")
	case domain.CodeHandoffUnavailable:
		return ct(locale, "err_unavailable")
	case domain.CodeSessionNotFound:
		return ct(locale, "err_expired")
	}
	return ct(locale, "err_other")
}

// inWords says a duration as the confirmation promises it: "24 hours",
// "2 days", "24 horas".
func inWords(locale string, d time.Duration) string {
	h := int(d.Round(time.Hour).Hours())
	days, hours := "days", "hours"
	if locale == "es" {
		days, hours = "días", "horas"
	}
	if h >= 48 && h%24 == 0 {
		return strconv.Itoa(h/24) + " " + days
	}
	if h == 1 {
		if locale == "es" {
			return "1 hora"
		}
		return "1 hour"
	}
	return strconv.Itoa(h) + " " + hours
}
