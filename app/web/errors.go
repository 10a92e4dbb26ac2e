package web

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/apperr"
)

// requestError is a 4xx the visitor caused, with a translatable reason.
type requestError struct {
	status int
	msg    apperr.Message
}

func (e *requestError) Error() string { return e.msg.ID }

func badRequest(id string, args map[string]any) error {
	return &requestError{status: fiber.StatusBadRequest, msg: apperr.Message{ID: id, Args: args}}
}

// errorPage is the data of the error page.
type errorPage struct {
	Base
	Status             int
	TitleID, MessageID string
	Reason             string
}

// flash is the data of the flash fragment.
type flash struct {
	Kind, MessageID string
	Text            string // already translated; wins over MessageID
}

// handleError is the one place errors become responses: it picks the status,
// logs server errors once with the request id, and renders the translated
// error page, or for an htmx partial a flash message.
func (s *Server) handleError(c fiber.Ctx, err error) error {
	status := fiber.StatusInternalServerError
	titleID, msgID := "error.500.title", "error.500.message"
	reason := ""
	var rerr *requestError
	var ferr *fiber.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		// The request's deadline passed in a service or the database.
		status = fiber.StatusServiceUnavailable
	case errors.Is(err, apperr.ErrNotFound):
		status = fiber.StatusNotFound
	case errors.Is(err, apperr.ErrForbidden):
		status = fiber.StatusForbidden
	case errors.Is(err, apperr.ErrConflict):
		status = fiber.StatusConflict
	case errors.As(err, new(*apperr.Invalid)):
		status = fiber.StatusBadRequest
	case errors.As(err, &rerr):
		status = rerr.status
	case errors.As(err, &ferr):
		status = ferr.Code
	}
	switch {
	case status == fiber.StatusServiceUnavailable:
		titleID, msgID = "error.503.title", "error.503.message"
		c.Set(fiber.HeaderRetryAfter, "5")
	case status == fiber.StatusNotFound:
		titleID, msgID = "error.404.title", "error.404.message"
	case status == fiber.StatusForbidden:
		titleID, msgID = "error.403.title", "error.403.message"
	case status == fiber.StatusConflict:
		titleID, msgID = "error.409.title", "error.409.message"
	case status >= 400 && status < 500:
		titleID, msgID = "error.400.title", "error.400.message"
	}
	// Clients' mistakes are not our errors: the access log line says enough.
	log := s.logger(c)
	switch {
	case status == fiber.StatusServiceUnavailable:
		log.Warn("request timed out", slog.Int("status", status), slog.Any("error", err))
	case status >= 500:
		log.Error("request failed", slog.Int("status", status), slog.Any("error", err))
	default:
		log.Debug("request rejected", slog.Int("status", status), slog.Any("error", err))
	}
	if langOf(c) == "" {
		// Errors before negotiation (e.g. an overlong query) still get a language.
		c.Locals(localLang, s.Bundle.Negotiate("", c.Cookies("lang"), c.Get(fiber.HeaderAcceptLanguage)))
		c.Locals(localZone, s.clubZone(c.Context()))
	}
	if rerr != nil {
		reason = s.Bundle.T(langOf(c), rerr.msg.ID, rerr.msg.Args)
	}
	if isPartial(c) {
		// htmx swaps error responses too; put the message in #flash rather
		// than replacing the element the visitor was working with.
		c.Set("HX-Retarget", "#flash")
		c.Set("HX-Reswap", "outerHTML")
		return s.fragmentOrPlain(c, status, "flash", flash{Kind: "error", MessageID: msgID, Text: reason})
	}
	data := errorPage{
		Base:   s.base(c, "", localPath(c.Path()), url.Values{}, Meta{Title: s.Bundle.T(langOf(c), titleID, nil), NoIndex: true}),
		Status: status, TitleID: titleID, MessageID: msgID, Reason: reason,
	}
	body, rerrRender := s.render(c, "errors/error", "", data)
	if rerrRender != nil {
		log.Error("render error page", slog.Any("error", rerrRender))
		return c.Status(status).SendString(fiber.ErrInternalServerError.Message)
	}
	return send(c, status, body)
}

// localPath returns p if it is a path on this site. "//host/x" is a
// protocol-relative URL to another site, so links built from it would leave.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return "/"
	}
	return p
}

func (s *Server) fragmentOrPlain(c fiber.Ctx, status int, name string, data any) error {
	body, err := s.render(c, "", name, data)
	if err != nil {
		s.logger(c).Error("render fragment", slog.String("fragment", name), slog.Any("error", err))
		return c.Status(status).SendString(fiber.ErrInternalServerError.Message)
	}
	return send(c, status, body)
}
