package web

import "testing"

// TestLocalPath: only a plain path on this site is a place to land after
// sign-in; whatever a browser could read as another host is refused.
func TestLocalPath(t *testing.T) {
	for _, s := range []string{"/account", "/seller/messages?status=unread&sort=due", "/operator/claims/7#offers", "/search?q=my%20invoice&locale=es", "/es/articles/x/y", "/login?done=signed_out"} {
		if !LocalPath(s) {
			t.Errorf("LocalPath(%q) = false, want true", s)
		}
	}
	for _, s := range []string{
		"", "account", "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example",
		"/\t/evil.example", "/\v/evil.example", "/\f/evil.example", "/\r/evil.example", "/\n/evil.example", "/ /evil.example",
		"/%09/evil.example", "/%2F%2Fevil.example", "/%2f/evil.example", "/%5Cevil.example", "/%0d%0aSet-Cookie:x=1",
		"/%252F%252Fevil.example", "/%2509/evil.example", "/%zz", "/\x00", "/\x7f", "/\u0085evil", "/\u2028evil",
		"https:evil.example", "https://evil.example", "javascript:alert(1)", "%2F%2Fevil.example", "%09/evil.example",
		"http:/evil.example", "/\t", " /account", "/a%20b", "/search?q=%0d%0aX:1", "/search?q=\tx", "/x#%09",
	} {
		if LocalPath(s) {
			t.Errorf("LocalPath(%q) = true, want false", s)
		}
	}
}
