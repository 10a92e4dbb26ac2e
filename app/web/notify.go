package web

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/notify"
)

// unsubscribePage is the data of /unsubscribe/{token}: a confirm button,
// the result, or why the link does not work.
type unsubscribePage struct {
	Base
	Token  string
	WhatID string // message ID naming the kind of mail
	Done   bool
	Bad    bool
	kind   string
}

// unsubscribeShow asks before unsubscribing: a link in a mail may be
// fetched by a scanner, and a GET must change nothing.
func (s *Server) unsubscribeShow(c fiber.Ctx) error {
	d, _, ok := s.unsubscribeToken(c)
	if !ok {
		return s.privatePage(c, fiber.StatusBadRequest, "notify/unsubscribe", "", d)
	}
	return s.privatePage(c, fiber.StatusOK, "notify/unsubscribe", "", d)
}

// unsubscribe turns the kind off. It is the RFC 8058 one-click target too:
// mail providers POST "List-Unsubscribe=One-Click" without cookies, so no
// CSRF token is asked for (csrfProtect); the signed token is the proof.
func (s *Server) unsubscribe(c fiber.Ctx) error {
	d, userID, ok := s.unsubscribeToken(c)
	if !ok {
		return s.privatePage(c, fiber.StatusBadRequest, "notify/unsubscribe", "", d)
	}
	if err := s.Notify.Unsubscribe(c, userID, notify.Kind(d.kind)); err != nil {
		return err // a deleted user is a 404
	}
	d.Done = true
	return s.privatePage(c, fiber.StatusOK, "notify/unsubscribe", "", d)
}

// unsubscribeToken checks the token in the path and returns the page's
// data for it, the user it names, and whether it is good.
func (s *Server) unsubscribeToken(c fiber.Ctx) (unsubscribePage, int64, bool) {
	token := c.Params("token")
	d := unsubscribePage{Base: s.accountBase(c, "/unsubscribe", "notify.unsubscribe.title"), Token: token}
	userID, kind, err := s.Notify.Verify(token)
	if err != nil {
		d.Bad = true
		return d, 0, false
	}
	d.kind, d.WhatID = string(kind), "notify.unsubscribe.kind."+string(kind)
	return d, userID, true
}

// accountNotify saves the notification preferences of /account.
func (s *Server) accountNotify(c fiber.Ctx) error {
	u, _ := s.currentUser(c)
	lead, err := strconv.Atoi(formField(c, "lead_minutes"))
	if err != nil {
		lead = -1 // not a number: the service's range error says what to type
	}
	p := notify.Prefs{
		Reminders: formField(c, "reminders") == "on", LeadMinutes: lead,
		Announcements: formField(c, "announcements") == "on", Posts: formField(c, "posts") == "on",
	}
	if err := s.Notify.SavePrefs(c, u.ID, p); err != nil {
		d, derr := s.savedData(c, u)
		if derr != nil {
			return derr
		}
		d.Notify = p
		d.NotifyLead = keep(formField(c, "lead_minutes"))
		return s.accountFailed(c, err, "account-notify", d)
	}
	if isPartial(c) {
		d, err := s.savedData(c, u)
		if err != nil {
			return err
		}
		d.Saved = "notify"
		return s.privatePage(c, fiber.StatusOK, "account/index", "account-notify", d)
	}
	return afterPost(c, "/account?saved=notify")
}

// notifyAdminPage is the data of /admin/notifications.
type notifyAdminPage struct {
	adminBase
	Statuses []statusCount
	Failed   []notify.Failed
	Retried  bool
}

type statusCount struct {
	Status string
	N      int64
}

func (s *Server) notifyRoutes() []adminRoute {
	return []adminRoute{
		{methodsRead, "/admin/notifications", rolesAdmin, s.adminNotifications},
		{methodsWrite, "/admin/notifications/:id<int>/retry", rolesAdmin, s.adminNotificationRetry},
	}
}

func (s *Server) adminNotifications(c fiber.Ctx) error {
	o, err := s.Notify.Overview(c)
	if err != nil {
		return err
	}
	d := notifyAdminPage{
		adminBase: s.adminBase(c, "notifications", s.Bundle.T(langOf(c), "notify.admin.title", nil)),
		Failed:    o.Failed, Retried: c.Query("retried") == "1",
	}
	for _, st := range []string{"pending", "sending", "sent", "failed", "cancelled"} {
		d.Statuses = append(d.Statuses, statusCount{Status: st, N: o.Counts[st]})
	}
	return s.adminPage(c, fiber.StatusOK, "admin/notifications/index", "", d)
}

func (s *Server) adminNotificationRetry(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	if err := s.Notify.Retry(c, s.actor(c), id); err != nil {
		return err
	}
	return s.redirectTo(c, "/admin/notifications?retried=1")
}
