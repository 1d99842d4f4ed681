package search

// fillerWords are, per locale, the words of asking rather than of the topic:
// the request itself ("I want help to…", "can you tell me…", "I have a
// problem with…"), politeness and swearing. They are not stop words
// (bodies keep them: "help" is a word of an article), but in a question
// they say little about which article answers it, and being rare in
// articles gives them a high idf that lets them outweigh the words that do. Their clauses are scaled by
// Options.FillerWeight.
var fillerWords = map[string]map[string]bool{
	"en": set(
		"want", "wanna", "wants", "wanted", "need", "needs", "needed", "gotta",
		"help", "helping", "assist", "assisting", "assistance", "support",
		"please", "pls", "plz", "kindly", "thanks", "thank", "hi", "hello", "hey",
		"like", "love", "wish", "wonder", "wondering", "try", "trying", "tried",
		"know", "tell", "telling", "see", "seeing", "look", "looking",
		"going", "gonna", "able", "possible", "way", "someone", "somebody",
		"information", "info", "question", "ask", "asking", "call", "calling",
		"problem", "problems", "issue", "issues", "trouble",
		"damn", "goddamn", "fucking", "fuck", "bloody", "freaking", "shit",
	),
	"es": set(
		"quiero", "quisiera", "querer", "necesito", "necesitaria", "ayuda", "ayudar",
		"ayudame", "ayudarme", "ayudeme", "favor", "gracias", "hola", "buenas",
		"gustaria", "saber", "intento", "intentar", "intentando",
		"ver", "poder", "puedo", "podria", "podrian", "alguien", "informacion", "pregunta",
		"problema", "problemas", "llamar", "llamo",
		"mierda", "joder", "puto", "puta", "maldito", "maldita",
	),
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
