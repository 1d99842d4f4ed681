package domain

import (
	"strings"
	"testing"
)

func TestDetectLanguage(t *testing.T) {
	for _, tc := range []struct{ text, fallback, want string }{
		{"Hola, ¿me podéis enviar la factura?", "en", "es"},
		{"Te envío la factura hoy mismo, disculpa el retraso.", "en", "es"}, // an English seller writing Spanish
		{"La pantalla de la lámpara está rota.", "en", "es"},
		{"Here is your invoice.", "es", "en"},
		{"The lamp shade is cracked.", "es", "en"},
		// too short to tell: the author's language
		{"Gracias", "en", "en"},
		{"ok", "es", "es"},
		{"No llegó", "es", "es"},
		{"", "es", "es"},
	} {
		if got := DetectLanguage(tc.text, tc.fallback); got != tc.want {
			t.Errorf("DetectLanguage(%q, %q) = %q, want %q", tc.text, tc.fallback, got, tc.want)
		}
	}
}

func TestDetectLanguageShortTexts(t *testing.T) {
	for _, tc := range []struct{ text, fallback, want string }{
		{"Your parcel left our warehouse today.", "es", "en"},
		{"We are sending a new shade today.", "es", "en"},
		{"Thank you, the refund arrived.", "es", "en"},
		{"Quiero devolver la silla, es demasiado grande.", "en", "es"},
		{"¿Dónde está mi pedido?", "en", "es"},
		{"Replacement shade sent.", "es", "es"}, // no function word: the author's
		{strings.Repeat("Your parcel left our warehouse today.\n\n", 2700), "es", "en"},
	} {
		if got := DetectLanguage(tc.text, tc.fallback); got != tc.want {
			t.Errorf("DetectLanguage(%.60q, %q) = %q, want %q", tc.text, tc.fallback, got, tc.want)
		}
	}
}

func TestHideInternals(t *testing.T) {
	for _, tc := range []struct {
		a    Actor
		hide bool
	}{{Actor{UserID: "u-ana", Role: RoleCustomer}, true}, {Actor{}, true}, {Actor{UserID: "u-sam", Role: RoleSeller, ShopID: "shop-1"}, false},
		{Actor{UserID: "u-olga", Role: RoleAgent}, false}} {
		th := &Thread{Assignment: &Assignment{Team: "seller", Why: `rule "order questions"`}, NoReplyNeeded: true}
		HideInternals(tc.a, th)
		if hidden := th.Assignment == nil && !th.NoReplyNeeded; hidden != tc.hide {
			t.Errorf("%s: hidden %v, want %v", tc.a.Role, hidden, tc.hide)
		}
	}
}
