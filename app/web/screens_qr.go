package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// qrSVG draws a QR code of text as an inline SVG: one path of the dark
// modules, each row's runs merged, in the text colour of the screen's theme
// (currentColor), on a quiet zone the code's own bitmap includes.
func qrSVG(text string) (template.HTML, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("web: qr code of %q: %w", text, err)
	}
	bits := q.Bitmap()
	n := len(bits)
	var b strings.Builder
	b.WriteString(`<svg class="screen-qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 `)
	b.WriteString(strconv.Itoa(n) + " " + strconv.Itoa(n))
	b.WriteString(`" shape-rendering="crispEdges" aria-hidden="true" focusable="false"><path fill="currentColor" d="`)
	for y, row := range bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	b.WriteString(`"/></svg>`)
	// Built from numbers alone: nothing of text reaches the markup.
	return template.HTML(b.String()), nil //nolint:gosec // see above
}
