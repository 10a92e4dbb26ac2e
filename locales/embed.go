// Package locales holds the UI strings, one JSON file per language
// (en.json, de.json), embedded in the binary.
package locales

import "embed"

// FS holds every *.json message file. English is the reference: a key it
// lacks fails a test, a key another language lacks falls back to it.
//
//go:embed *.json
var FS embed.FS
