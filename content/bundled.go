package content

import (
	"embed"
	"io/fs"
)

//go:embed all:articles
var bundled embed.FS

// Bundled is the help centre's own articles, compiled into the binary; its
// root holds the locale folders.
func Bundled() fs.FS {
	sub, err := fs.Sub(bundled, "articles")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder exists
	}
	return sub
}
