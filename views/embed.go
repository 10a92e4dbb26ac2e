// Package views holds the HTML templates: layouts, pages, fragments (pieces
// htmx and the live hub swap by id) and partials (reusable markup).
package views

import "embed"

// FS holds every template, parsed once per language at start.
//
//go:embed layouts pages fragments partials
var FS embed.FS
