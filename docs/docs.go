// Package docs holds annotate's documentation pages (docs/*.md), embedded
// so that `annotate help TOPIC` can quote the page it points to: its title
// and opening paragraph come from the page itself and cannot drift from it.
package docs

import "embed"

// Pages are the documentation pages, by file name (screen.md, ...).
//
//go:embed *.md
var Pages embed.FS
