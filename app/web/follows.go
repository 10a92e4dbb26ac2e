package web

import (
	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/accounts"
)

// followButton is the data of a follow button: its state for the user
// asking, or a sign-in link for a visitor.
type followButton struct {
	Kind, Slug, Name string
	Page             string // the artist's or location's page
	SignedIn         bool
	Following        bool
	CSRF             string
	Next             string // where a plain form post returns to
	LoginURL         string
}

// Action is where the button posts (and deletes).
func (b followButton) Action() string { return "/follows/" + b.Kind + "s/" + b.Slug }

// followPage is the page a follow button lives on without JavaScript.
type followPage struct {
	Base
	Button followButton
}

func followedPage(t accounts.Target) string { return "/" + string(t.Kind) + "s/" + t.Slug }

// followTarget reads the route's kind and slug.
func (s *Server) followTarget(c fiber.Ctx, kind accounts.FollowKind) (accounts.Target, error) {
	slug, err := slugParam(c)
	if err != nil {
		return accounts.Target{}, err
	}
	return s.Accounts.FollowTarget(c.Context(), kind, slug, langOf(c))
}

// followState builds the button for t as the request's user sees it.
func (s *Server) followState(c fiber.Ctx, t accounts.Target) (followButton, error) {
	page := followedPage(t)
	b := followButton{Kind: string(t.Kind), Slug: t.Slug, Name: t.Name, Page: page, LoginURL: loginURL(page), Next: page}
	u, ok := s.currentUser(c)
	if !ok {
		return b, nil
	}
	following, err := s.Accounts.Following(c.Context(), u.ID, t)
	if err != nil {
		return b, err
	}
	b.SignedIn, b.Following, b.CSRF = true, following, s.csrfToken(c)
	return b, nil
}

// followShow answers GET: the button for htmx, or for a browser without
// JavaScript a small page holding it.
func (s *Server) followShow(kind accounts.FollowKind) fiber.Handler {
	return func(c fiber.Ctx) error {
		t, err := s.followTarget(c, kind)
		if err != nil {
			return err
		}
		b, err := s.followState(c, t)
		if err != nil {
			return err
		}
		// Without JavaScript, a click comes back here to show the new state.
		b.Next = b.Action()
		if isPartial(c) {
			return s.privateFragment(c, fiber.StatusOK, "follow-button", b)
		}
		d := followPage{Base: s.accountBase(c, b.Action(), "follow.page.title"), Button: b}
		d.Meta.Title = s.Bundle.T(langOf(c), "follow.page.title_named", map[string]any{"Name": t.Name})
		return s.privatePage(c, fiber.StatusOK, "account/follow", "", d)
	}
}

// followSet answers POST (follow; a plain form sends follow=0 to stop)
// and DELETE (stop following).
func (s *Server) followSet(kind accounts.FollowKind) fiber.Handler {
	return func(c fiber.Ctx) error {
		t, err := s.followTarget(c, kind)
		if err != nil {
			return err
		}
		u, _ := s.currentUser(c)
		follow := c.Method() == fiber.MethodPost && postValue(c, "follow") != "0"
		if err := s.Accounts.SetFollow(c.Context(), u.ID, t, follow); err != nil {
			return err
		}
		if c.Get("HX-Request") != "true" {
			return afterPost(c, nextOr(safeNext(formField(c, "next")), followedPage(t)))
		}
		b, err := s.followState(c, t)
		if err != nil {
			return err
		}
		if next := safeNext(formField(c, "next")); next != "" {
			b.Next = next
		}
		return s.privateFragment(c, fiber.StatusOK, "follow-button", b)
	}
}
