package events_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v3"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/testenv"
)

// The public pages show a cancelled event marked, and hostile text as
// text. The app is built over the package database without the demo
// content, around the bundle's clock.
func TestPublicPagesShowCancelledAndEscapedText(t *testing.T) {
	t.Parallel()
	b := setupWrite(t)
	ctx := t.Context()
	rdb, prefix := testenv.Redis(t)
	cfg := testenv.Config(t)
	cfg.RedisKeyPrefix = prefix
	srv := testenv.Build(t, cfg, b.sqlDB, rdb, b.now)

	hostile := `<script>alert(1)</script> ` + testenv.Unique("t")
	in := b.input(hostile)
	in.Texts["en"] = events.Text{Title: hostile, Summary: hostile}
	d, err := b.svc.Create(ctx, editor, in)
	require.NoError(t, err)
	d, err = b.svc.Publish(ctx, editor, d.ID, d.Version)
	require.NoError(t, err)
	_, err = b.svc.Cancel(ctx, editor, d.ID, d.Version)
	require.NoError(t, err)

	page := func(target string, lang ...string) (string, *goquery.Document) {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		if len(lang) > 0 {
			req.Header.Set("Accept-Language", lang[0])
		}
		res, err := srv.App.Test(req, fiber.TestConfig{Timeout: 0})
		require.NoError(t, err)
		defer res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode, target)
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
		require.NoError(t, err)
		return string(body), doc
	}

	body, doc := page("/events/" + d.Slug)
	require.NotContains(t, body, "<script>alert(1)")
	require.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;")
	require.Equal(t, hostile, doc.Find("#event-title s").Text(), "the title is struck through, as text")
	require.Equal(t, "Cancelled", strings.TrimSpace(doc.Find("#event-detail .badge--cancelled").Text()))
	require.Equal(t, 1, doc.Find("#event-detail .note--cancelled").Length())

	_, doc = page("/events?location=" + b.loc.Slug)
	card := doc.Find(".event-card--cancelled")
	require.Equal(t, 1, card.Length())
	require.Equal(t, hostile, card.Find(".event-card__title s").Text())
	require.Equal(t, 1, card.Find(".badge--cancelled").Length())

	_, doc = page("/events/"+d.Slug, "de")
	require.Equal(t, "Abgesagt", strings.TrimSpace(doc.Find("#event-detail .badge--cancelled").Text()))
}
