package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/nowplaying"
)

// maxIngestBody is the largest push the ingest API reads: a track is a few
// hundred bytes, whatever the software adds around it.
const maxIngestBody = 16 << 10

// apiAnswer is every answer of the ingest API: small JSON a DJ's software
// can log.
type apiAnswer struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
	Changed bool   `json:"changed,omitempty"`
	Artist  string `json:"artist,omitempty"`
	Title   string `json:"title,omitempty"`
	DJ      string `json:"dj,omitempty"`
}

// nowPlayingIngest is POST /api/locations/{slug}/now-playing: DJ software
// says what plays, with the venue's bearer token, as JSON or a form
// (artist, title, optional dj; or "Artist - Title" in song or title). The
// same track again is accepted and changes nothing.
func (s *Server) nowPlayingIngest(c fiber.Ctx) error {
	if len(c.Body()) > maxIngestBody {
		return apiFail(c, fiber.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", maxIngestBody))
	}
	ctx := c.Context()
	slug := c.Params("slug")
	err := s.NowPlaying.Admit(ctx, slug, c.IP(), bearerToken(c.Get(fiber.HeaderAuthorization)))
	var limited *nowplaying.RateLimited
	switch {
	case errors.As(err, &limited):
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(limited.RetryAfter.Seconds()))))
		return apiFail(c, fiber.StatusTooManyRequests, "too many requests")
	case errors.Is(err, apperr.ErrNotFound):
		return apiFail(c, fiber.StatusNotFound, "unknown location")
	case errors.Is(err, nowplaying.ErrBadToken):
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="now-playing", error="invalid_token"`)
		return apiFail(c, fiber.StatusUnauthorized, "wrong or missing bearer token")
	case err != nil:
		return s.apiBroken(c, err)
	}
	t, status, msg := parseTrack(c)
	if status != 0 {
		return apiFail(c, status, msg)
	}
	t.Source = nowplaying.SourcePush
	changed, err := s.NowPlaying.Record(ctx, slug, t)
	if err != nil {
		return s.apiBroken(c, err)
	}
	t = nowplaying.Clean(t)
	return c.JSON(apiAnswer{OK: true, Changed: changed, Artist: t.Artist, Title: t.Title, DJ: t.DJ})
}

// bearerToken is the token of an "Authorization: Bearer ..." header, or "".
func bearerToken(h string) string {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// pushFields is a push as JSON. Only strings are accepted: a number where
// a title belongs is a client's bug, said as such.
type pushFields struct {
	Artist string `json:"artist"`
	Title  string `json:"title"`
	DJ     string `json:"dj"`
	Song   string `json:"song"`
}

// parseTrack reads the push body; a non-zero status says why it cannot be
// used.
func parseTrack(c fiber.Ctx) (nowplaying.Track, int, string) {
	ct, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	var f pushFields
	switch ct {
	case fiber.MIMEApplicationJSON:
		body := c.Body()
		if !utf8.Valid(body) {
			// JSON's decoder would turn each bad byte into U+FFFD; read
			// them as Windows-1252 first, as the other fields are.
			body = []byte(nowplaying.RepairUTF8(string(body)))
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(&f); err != nil {
			return nowplaying.Track{}, fiber.StatusBadRequest, jsonReason(err)
		}
		if dec.More() {
			return nowplaying.Track{}, fiber.StatusBadRequest, "invalid JSON: more than one value"
		}
	case fiber.MIMEApplicationForm, fiber.MIMEMultipartForm:
		f = pushFields{Artist: c.FormValue("artist"), Title: c.FormValue("title"), DJ: c.FormValue("dj"), Song: c.FormValue("song")}
	default:
		return nowplaying.Track{}, fiber.StatusUnsupportedMediaType, "send application/json or a form"
	}
	if f.Title == "" {
		f.Title = f.Song
	}
	t := nowplaying.Track{Artist: f.Artist, Title: f.Title, DJ: f.DJ}
	if c := nowplaying.Clean(t); c.Title == "" {
		return t, fiber.StatusBadRequest, "title (or song) is required"
	}
	return t, 0, ""
}

// jsonReason says what is wrong with a JSON body, without quoting it.
func jsonReason(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("%s must be a string, not %s", typ.Field, typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("want a JSON object, not %s", typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "invalid JSON: empty or cut short"
	}
	return "invalid JSON: " + err.Error()
}

func apiFail(c fiber.Ctx, status int, msg string) error {
	return c.Status(status).JSON(apiAnswer{Error: msg})
}

// apiBroken logs an unexpected error once and answers 500 (503 for a
// request that ran out of time) without its details.
func (s *Server) apiBroken(c fiber.Ctx, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		s.logger(c).Warn("now-playing push timed out", slog.Any("error", err))
		c.Set(fiber.HeaderRetryAfter, "5")
		return apiFail(c, fiber.StatusServiceUnavailable, "try again later")
	}
	s.logger(c).Error("now-playing push failed", slog.Any("error", err))
	return apiFail(c, fiber.StatusInternalServerError, "internal error")
}
