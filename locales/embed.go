// Package locales holds the UI strings, embedded in the binary: en.json and
// de.json for the public site, and <area>.<lang>.json for each further area
// (accounts.en.json, admin.de.json, ...), so each area owns its strings.
package locales

import "embed"

// FS holds every *.json message file. English is the reference: a key it
// lacks fails a test, a key another language lacks falls back to it.
//
//go:embed *.json
var FS embed.FS
