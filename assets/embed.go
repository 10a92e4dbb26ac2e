// Package assets holds the site's static files: stylesheets and vendored front-end
// libraries. They are embedded so the binary is the whole deployment; app/static
// fingerprints and serves them.
package assets

import "embed"

// FS holds css/ and vendor/ (htmx and its websocket extension, refreshed by
// `go tool task assets`). Paths are relative to this directory, e.g. "css/site.css".
//
//go:embed css img js vendor
var FS embed.FS
