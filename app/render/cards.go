package render

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/media"
)

// The event card is written in Go, not as a
// template: a programme page shows twenty, the hub renders them on every
// change for each language and zone in use, and html/template costs about
// six allocations and a reflective call per printed value, some thirty per
// card. Here a card costs a few. The grids of programme.go write them; the
// card's markup lives only here.

// cardSizes is the sizes attribute of a card's cover.
const cardSizes = "(min-width: 75rem) 24rem, (min-width: 42rem) 50vw, 100vw"

// cardWriter writes event cards in one language.
type cardWriter struct {
	b    *i18n.Bundle
	lang string
	// The card's fixed strings, looked up once.
	live, cancelled, lineup string
	fallbackAttr            string // ` lang="en"` for text that fell back, or ""
}

func newCardWriter(b *i18n.Bundle, lang string) *cardWriter {
	w := &cardWriter{
		b: b, lang: lang,
		live: b.T(lang, "event.live_now", nil), cancelled: b.T(lang, "event.cancelled", nil),
		lineup: b.T(lang, "event.lineup", nil),
	}
	if lang != b.Default() {
		w.fallbackAttr = ` lang="` + b.Default() + `"`
	}
	return w
}

// appendCard writes one <li> with its card, marked live if it is at now.
func (w *cardWriter) appendCard(b []byte, e *events.Summary, z i18n.Zone, now time.Time) []byte {
	live := e.Live(now)
	b = append(b, "<li>\n<article class=\"event-card"...)
	if live {
		b = append(b, " event-card--live"...)
	}
	if e.Cancelled {
		b = append(b, " event-card--cancelled"...)
	}
	b = append(b, `" style="`...)
	if hexColour.MatchString(e.Location.Accent) {
		b = append(append(b, "--location-accent:"...), e.Location.Accent...)
	}
	b = append(b, `" aria-labelledby="ev-`...)
	b = strconv.AppendInt(b, e.ID, 10)
	b = append(b, "\">\n  "...)
	if e.Cover != nil {
		b = append(b, `<div class="event-card__media">`...)
		b = w.appendImage(b, e.Cover, cardSizes)
		b = append(b, "</div>\n  "...)
	}
	b = append(b, `<p class="event-card__time"><time datetime="`...)
	b = e.StartsAt.UTC().AppendFormat(b, time.RFC3339)
	b = append(b, `">`...)
	b = appendHTMLEscaped(b, w.b.Span(w.lang, e.StartsAt, e.EndsAt, z))
	b = append(b, "</time>"...)
	if live {
		b = appendHTMLEscaped(append(b, ` <span class="badge badge--live">`...), w.live)
		b = append(b, "</span>"...)
	}
	if e.Cancelled {
		b = appendHTMLEscaped(append(b, ` <span class="badge badge--cancelled">`...), w.cancelled)
		b = append(b, "</span>"...)
	}
	b = append(b, "</p>\n  <h3 class=\"event-card__title\" id=\"ev-"...)
	b = strconv.AppendInt(b, e.ID, 10)
	b = append(b, `"><a href="/events/`...)
	b = appendHTMLEscaped(b, url.PathEscape(e.Slug))
	b = w.appendLang(append(b, '"'), e.Title)
	b = append(b, '>')
	if e.Cancelled {
		b = append(appendHTMLEscaped(append(b, "<s>"...), e.Title.Value), "</s>"...)
	} else {
		b = appendHTMLEscaped(b, e.Title.Value)
	}
	b = append(b, "</a></h3>\n  <p class=\"event-card__meta\"><span class=\"kind kind--"...)
	b = appendHTMLEscaped(b, string(e.Kind))
	b = append(b, `">`...)
	b = appendHTMLEscaped(b, w.b.T(w.lang, "event.kind."+string(e.Kind), nil))
	b = append(b, `</span> · <a href="/locations/`...)
	b = appendHTMLEscaped(b, url.PathEscape(e.Location.Slug))
	b = w.appendLang(append(b, '"'), e.Location.Name)
	b = appendHTMLEscaped(append(b, '>'), e.Location.Name.Value)
	b = append(b, "</a></p>\n"...)
	if e.Summary.Value != "" {
		b = w.appendLang(append(b, `  <p class="event-card__summary"`...), e.Summary)
		b = appendHTMLEscaped(append(b, '>'), e.Summary.Value)
		b = append(b, "</p>\n"...)
	}
	if len(e.Lineup) > 0 {
		b = appendHTMLEscaped(append(b, `  <p class="event-card__lineup"><span class="visually-hidden">`...), w.lineup)
		b = append(b, ": </span>"...)
		for i, a := range e.Lineup {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendHTMLEscaped(append(b, `<a href="/artists/`...), url.PathEscape(a.ArtistSlug))
			b = appendHTMLEscaped(append(b, `">`...), a.ArtistName)
			b = append(b, "</a>"...)
		}
		b = append(b, "</p>\n"...)
	}
	return append(b, "</article></li>\n"...)
}

// appendImage writes a picture as views/partials/image.html does (a test
// holds the two equal).
func (w *cardWriter) appendImage(b []byte, img *media.Image, sizes string) []byte {
	b = appendHTMLEscaped(append(b, `<img src="`...), safeURL(img.Src))
	b = appendHTMLEscaped(append(b, `" srcset="`...), img.SrcSet)
	b = appendHTMLEscaped(append(b, `" sizes="`...), sizes)
	b = strconv.AppendInt(append(b, `" width="`...), int64(img.Width), 10)
	b = strconv.AppendInt(append(b, `" height="`...), int64(img.Height), 10)
	b = appendHTMLEscaped(append(b, `" loading="lazy" decoding="async" alt="`...), img.Alt.Value)
	b = append(b, "\" "...)
	if img.Alt.Fallback {
		b = append(b, strings.TrimPrefix(w.fallbackAttr, " ")...)
	}
	return append(b, '>')
}

// appendLang marks text that fell back to the default language, as the
// langattr function does.
func (w *cardWriter) appendLang(b []byte, t i18n.Text) []byte {
	if t.Fallback {
		b = append(b, w.fallbackAttr...)
	}
	return b
}

// safeURL passes our own paths and web addresses, and replaces anything
// else as html/template does.
func safeURL(u string) string {
	l := strings.ToLower(u)
	if strings.HasPrefix(u, "/") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") {
		return u
	}
	return "#ZgotmplZ"
}
