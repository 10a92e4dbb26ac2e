package web

import (
	"errors"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/media"
)

// mediaFile serves an uploaded picture or one of its variants,
// /media/<sha256>.<ext>. The name is the content's hash, so the answer
// never changes: browsers and proxies keep it a year and revalidate never.
// Only well-formed names of stored files whose type matches the extension
// are served; the rest is 404. nosniff and a CSP that allows nothing keep
// a browser from ever treating a file as a page.
func (s *Server) mediaFile(c fiber.Ctx) error {
	key, contentType, ok := media.ParseFileName(c.Params("file"))
	if !ok {
		return fiber.ErrNotFound
	}
	store := s.Media.Storage()
	info, err := store.Stat(c.Context(), key)
	if errors.Is(err, media.ErrNotFound) || (err == nil && info.ContentType != contentType) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	etag := `"` + key + `"`
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'")
	if etagMatches(c.Get(fiber.HeaderIfNoneMatch), etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, info.ContentType)
	if c.Method() == fiber.MethodHead {
		c.Response().Header.SetContentLength(int(info.Size))
		c.Response().SkipBody = true
		return nil
	}
	r, info, err := store.Open(c.Context(), key)
	if errors.Is(err, media.ErrNotFound) {
		return fiber.ErrNotFound // deleted since Stat
	}
	if err != nil {
		return err
	}
	// fasthttp closes r once the body is sent.
	return c.SendStream(r, int(info.Size))
}
