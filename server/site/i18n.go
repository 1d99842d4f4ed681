package site

// messages are the pages' own words; articles bring theirs.
var messages = map[string]map[string]string{
	"en": {
		"home": "Help centre", "tagline": "Answers about orders, delivery, returns, refunds, invoices and your account.",
		"hero": "How can we help?", "search": "Search", "search_placeholder": "Search the help centre, e.g. where is my invoice",
		"search_label": "Search the help centre", "categories": "Browse by topic", "popular": "Popular articles",
		"article": "article", "articles": "articles", "contact": "Contact us", "contact_lead": "Can't find what you need?",
		"contact_cta": "Our customer care team answers every day.", "results_for": "results for",
		"translated_results": "No article in your language answered this, so we searched our English articles for your question machine-translated:",
		"fallback_results":   "No article in your language answered this; these English articles might.",
		"showing_for":        "Showing results for", "search_instead": "Search instead for", "no_results": "We couldn't find an article for",
		"no_results_tips": "Check the spelling, use fewer words, or try one of these popular articles.",
		"all_topics":      "All topics", "filter_topic": "Filter by topic", "pagination": "Result pages",
		"prev": "Previous", "next": "Next", "page": "Page", "related": "Related articles", "updated": "Last updated",
		"also_in": "Also available in", "breadcrumb": "Breadcrumb", "language": "Language",
		"helpful_q": "Was this article helpful?", "yes": "Yes", "no": "No",
		"why_not": "What went wrong?", "comment": "Anything else? (optional)", "send": "Send feedback",
		"thanks_yes": "Thanks for letting us know!", "thanks_no": "Thanks — we'll use your feedback to improve this article.",
		"still_help": "Still need help?", "contact_us": "Contact customer care",
		"reason_outdated": "It's out of date", "reason_unclear": "It's hard to understand",
		"reason_didnt_apply": "It didn't apply to my order", "reason_other": "Something else",
		"suggestions": "Suggested articles", "suggest_count": "suggestions available, use up and down arrows to review",
		"no_suggestions": "No suggestions", "skip": "Skip to content", "back_home": "Back to the help centre",
		"error_title": "Something went wrong", "not_found": "We couldn't find that page",
		"language_name": "English", "footer": "Marketplace help centre",
		"contact_intro":    "Tell us what you need: matching answers appear as you type, and if none helps, your message goes to customer care.",
		"contact_noscript": "This form needs JavaScript. You can also browse the articles below or search the help centre.",
	},
	"es": {
		"home": "Centro de ayuda", "tagline": "Respuestas sobre pedidos, envíos, devoluciones, reembolsos, facturas y tu cuenta.",
		"hero": "¿En qué podemos ayudarte?", "search": "Buscar", "search_placeholder": "Busca en el centro de ayuda, p. ej. dónde está mi factura",
		"search_label": "Buscar en el centro de ayuda", "categories": "Temas", "popular": "Artículos populares",
		"article": "artículo", "articles": "artículos", "contact": "Contacto", "contact_lead": "¿No encuentras lo que buscas?",
		"contact_cta": "Nuestro equipo de atención al cliente responde todos los días.", "results_for": "resultados para",
		"translated_results": "Ningún artículo en español responde a esto, así que hemos buscado en nuestros artículos en inglés tu pregunta traducida automáticamente:",
		"fallback_results":   "Ningún artículo en español responde a esto; estos artículos en inglés quizá sí.",
		"showing_for":        "Mostrando resultados para", "search_instead": "Buscar en su lugar", "no_results": "No hemos encontrado ningún artículo para",
		"no_results_tips": "Revisa la ortografía, usa menos palabras o prueba uno de estos artículos populares.",
		"all_topics":      "Todos los temas", "filter_topic": "Filtrar por tema", "pagination": "Páginas de resultados",
		"prev": "Anterior", "next": "Siguiente", "page": "Página", "related": "Artículos relacionados", "updated": "Última actualización",
		"also_in": "También disponible en", "breadcrumb": "Ruta de navegación", "language": "Idioma",
		"helpful_q": "¿Te ha resultado útil este artículo?", "yes": "Sí", "no": "No",
		"why_not": "¿Qué ha fallado?", "comment": "¿Algo más? (opcional)", "send": "Enviar opinión",
		"thanks_yes": "¡Gracias por decírnoslo!", "thanks_no": "Gracias: usaremos tu opinión para mejorar este artículo.",
		"still_help": "¿Todavía necesitas ayuda?", "contact_us": "Contactar con atención al cliente",
		"reason_outdated": "Está desactualizado", "reason_unclear": "Es difícil de entender",
		"reason_didnt_apply": "No se aplicaba a mi pedido", "reason_other": "Otro motivo",
		"suggestions": "Artículos sugeridos", "suggest_count": "sugerencias disponibles, usa las flechas arriba y abajo para revisarlas",
		"no_suggestions": "Sin sugerencias", "skip": "Saltar al contenido", "back_home": "Volver al centro de ayuda",
		"error_title": "Algo ha fallado", "not_found": "No hemos encontrado esa página",
		"language_name": "Español", "footer": "Centro de ayuda del marketplace",
		"contact_intro":    "Cuéntanos qué necesitas: las respuestas aparecen mientras escribes y, si ninguna te sirve, tu mensaje llega a atención al cliente.",
		"contact_noscript": "Este formulario necesita JavaScript. También puedes consultar los artículos de abajo o buscar en el centro de ayuda.",
	},
}

// tr returns the page text for key in locale, falling back to English.
func tr(locale, key string) string {
	if m, ok := messages[locale]; ok {
		if s, ok := m[key]; ok {
			return s
		}
	}
	return messages["en"][key]
}
