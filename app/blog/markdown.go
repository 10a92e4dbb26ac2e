package blog

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// Markdown turns post bodies into HTML that is safe to put in a page.
// goldmark renders (raw HTML passes through, as editors may use it), and
// bluemonday's UGC policy then removes scripts, handlers and unsafe URLs.
// Both are built once; both are safe for concurrent use.
type Markdown struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// NewMarkdown returns the post renderer.
func NewMarkdown() *Markdown {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(false)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	return &Markdown{
		md: goldmark.New(
			goldmark.WithExtensions(extension.GFM, extension.Typographer),
			goldmark.WithRendererOptions(html.WithUnsafe()),
		),
		policy: p,
	}
}

// HTML renders src to sanitised HTML.
func (m *Markdown) HTML(src string) (template.HTML, error) {
	var buf bytes.Buffer
	if err := m.md.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("blog: render markdown: %w", err)
	}
	// The sanitiser's output is what makes this conversion to template.HTML safe.
	return template.HTML(m.policy.SanitizeBytes(buf.Bytes())), nil //nolint:gosec
}
