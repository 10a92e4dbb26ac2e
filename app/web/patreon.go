package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/patreon"
)

// maxPatreonBody is the largest webhook body read: a member with its
// tiers, user and campaign is a few KiB; Patreon documents no limit.
const maxPatreonBody = 512 << 10

// patreonAnswer is every answer of the webhook, for Patreon's delivery log.
type patreonAnswer struct {
	OK      bool   `json:"ok"`
	Outcome string `json:"outcome,omitempty"`
	Error   string `json:"error,omitempty"`
}

// patreonWebhook is POST /webhooks/patreon. The signature is checked over
// the raw bytes before anything is parsed. Answers: 404 when
// TDC_PATREON_WEBHOOK_SECRET is unset (the endpoint is off), 413 over
// 512 KiB, 401 for a missing or wrong signature, 400 for a body that is
// not a member, 200 for a member stored, a replay or an older state (each
// changes nothing more), 202 for events and "send test" payloads we do not
// store.
func (s *Server) patreonWebhook(c fiber.Ctx) error {
	if !s.Patreon.Enabled() {
		return fiber.ErrNotFound
	}
	body := c.BodyRaw() // the bytes as sent: the signature covers them
	if len(body) > maxPatreonBody {
		return patreonFail(c, fiber.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", maxPatreonBody))
	}
	res, err := s.Patreon.Deliver(c.Context(), c.Get("X-Patreon-Event"), c.Get("X-Patreon-Signature"), body)
	var bad *patreon.BadPayload
	switch {
	case errors.Is(err, patreon.ErrDisabled):
		return fiber.ErrNotFound
	case errors.Is(err, patreon.ErrBadSignature):
		s.logger(c).Warn("patreon webhook: bad signature", slog.String("ip", c.IP()))
		return patreonFail(c, fiber.StatusUnauthorized, "missing or wrong X-Patreon-Signature")
	case errors.As(err, &bad):
		s.logger(c).Warn("patreon webhook: bad payload", slog.String("reason", bad.Reason))
		return patreonFail(c, fiber.StatusBadRequest, bad.Reason)
	case errors.Is(err, context.DeadlineExceeded):
		s.logger(c).Warn("patreon webhook timed out", slog.Any("error", err))
		return patreonFail(c, fiber.StatusServiceUnavailable, "try again later")
	case err != nil:
		// Non-2xx: Patreon keeps the delivery and sends it again.
		s.logger(c).Error("patreon webhook failed", slog.Any("error", err))
		return patreonFail(c, fiber.StatusInternalServerError, "internal error")
	}
	status := fiber.StatusOK
	if res.Outcome == patreon.Ignored {
		status = fiber.StatusAccepted
	}
	return c.Status(status).JSON(patreonAnswer{OK: true, Outcome: string(res.Outcome)})
}

func patreonFail(c fiber.Ctx, status int, msg string) error {
	return c.Status(status).JSON(patreonAnswer{Error: msg})
}
