package web

import (
	"bytes"
	"context"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"
)

// Request bodies: every route takes at most TDC_BODY_LIMIT bytes, except the
// picture upload, which takes a picture of up to TDC_MEDIA_MAX_MB and the
// multipart form around it, and may take TDC_UPLOAD_TIMEOUT to arrive. The
// server's own limit (Fiber's BodyLimit) is the larger of the two; the
// smaller one is put back for every other request as soon as its header has
// arrived (fasthttp's HeaderReceived), so an oversized body is refused with
// 413 before a byte of it is read, whether its length was announced or it
// came chunked. limitBody checks the same again once routed.

// mediaUploadPath is the one path whose POST may carry a large body.
const mediaUploadPath = "/admin/media"

// multipartOverhead is what a multipart form adds around the file: the
// boundaries, part headers, the CSRF token and a long file name.
const multipartOverhead = 64 << 10

// uploadBodyLimit is the largest body the picture upload accepts: a file one
// byte over the media limit still arrives, so the service can say in words
// that it is too large.
func uploadBodyLimit(mediaMaxMB int) int {
	return mediaMaxMB<<20 + multipartOverhead
}

// serverBodyLimit is the body limit the server itself enforces: the larger of
// TDC_BODY_LIMIT and the upload's.
func serverBodyLimit(bodyLimit, mediaMaxMB int) int {
	return max(bodyLimit, uploadBodyLimit(mediaMaxMB))
}

// isUpload reports whether a request is the picture upload. The path is
// compared as sent, so another spelling of it (a trailing slash, an escape,
// upper case) gets the ordinary limit: that fails closed.
func isUpload(method, path []byte) bool {
	return string(method) == fiber.MethodPost && string(path) == mediaUploadPath
}

// requestPath is the path of a request-target without its query.
func requestPath(uri []byte) []byte {
	if i := bytes.IndexByte(uri, '?'); i >= 0 {
		return uri[:i]
	}
	return uri
}

// limitBodies installs the per-request body limit and read time-out on the
// server, before any body is read.
func (s *Server) limitBodies(app *fiber.App) {
	normal := fasthttp.RequestConfig{MaxRequestBodySize: s.Config.BodyLimit}
	upload := fasthttp.RequestConfig{
		MaxRequestBodySize: uploadBodyLimit(s.Config.MediaMaxMB),
		// A large photo on a slow line takes longer than the server's read
		// time-out; the deadline is the upload's, from the header on.
		ReadTimeout: max(s.Config.UploadTimeout, app.Config().ReadTimeout),
	}
	app.Server().HeaderReceived = func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
		if isUpload(h.Method(), requestPath(h.RequestURI())) {
			return upload
		}
		return normal
	}
}

// limitBody answers 413 to a body over TDC_BODY_LIMIT on any route but the
// upload. The server has refused those already (limitBodies); this holds the
// rule for the routed path too, whatever the header said.
func (s *Server) limitBody(c fiber.Ctx) error {
	if isUpload([]byte(c.Method()), []byte(c.Path())) {
		return c.Next()
	}
	req := c.Request()
	n := req.Header.ContentLength()
	if n < 0 {
		// Chunked: the body has been read whole (and was not parsed as a
		// multipart form, which fasthttp does only for a known length, so
		// Body does not have to put one back together).
		n = len(req.Body())
	}
	if n > s.Config.BodyLimit {
		return fiber.ErrRequestEntityTooLarge
	}
	return c.Next()
}

// withTimeout gives h a deadline of d instead of TDC_REQUEST_TIMEOUT, for
// work known to take longer (decoding and resizing a large photo).
func withTimeout(d time.Duration, h fiber.Handler) fiber.Handler {
	return func(c fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		c.SetContext(ctx)
		return h(c)
	}
}
