package web

import (
	"context"
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/blog"
	"github.com/dreamerscave/tdc/app/live"
)

type blogPage struct {
	Base
	Category   *blog.Category
	Categories []blog.Category
	Page       blog.Page
	Pager      pager
}

func (s *Server) blogIndex(c fiber.Ctx) error { return s.blogList(c, "") }

func (s *Server) blogCategory(c fiber.Ctx) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	return s.blogList(c, slug)
}

// blogList serves the blog and its category pages, which differ only in
// the category filter.
func (s *Server) blogList(c fiber.Ctx, category string) error {
	inv := apperr.NewInvalid()
	q, bad := parseQuery(string(c.Request().URI().QueryString()))
	if bad["page"] {
		return badRequest("error.request.value_malformed", nil)
	}
	page := intParam(q.Get("page"), "page", inv)
	if inv.Err() != nil {
		return badRequest("error.filter.not_a_number", nil)
	}
	path := "/blog"
	if category != "" {
		path = "/blog/category/" + category
	}
	cq := url.Values{}
	if page > 1 {
		cq.Set("page", itoa(page))
	}
	c.Vary("HX-Source") // a pager link's swap focuses the list; see swap.go
	err := s.cachedPage(c, "blog:"+path+"?"+cq.Encode(), "blog/index", "post-list", func(ctx context.Context) (any, shows, error) {
		lang := langOf(c)
		meta := Meta{Title: s.Bundle.T(lang, "blog.list.title", nil), Description: s.Bundle.T(lang, "blog.list.lead", nil)}
		d := blogPage{}
		if category != "" {
			cat, err := s.Blog.Category(ctx, lang, category)
			if err != nil {
				return nil, shows{}, err
			}
			if err := canonicalSlug(category, cat.Slug, "/blog/category/"); err != nil {
				return nil, shows{}, err
			}
			d.Category = &cat
			meta.Title, meta.Description = cat.Name.Value, cat.Description.Value
		}
		d.Base = s.base(c, "blog", path, cq, meta)
		var err error
		if d.Categories, err = s.Blog.Categories(ctx, lang); err != nil {
			return nil, shows{}, err
		}
		if d.Page, err = s.Blog.List(ctx, lang, category, page, blog.DefaultPerPage); err != nil {
			return nil, shows{}, err
		}
		if d.Page.Page < max(page, 1) {
			return nil, shows{}, pastLastPage{d.Page.Page}
		}
		d.Pager = s.pagerFor(path, cq, d.Page.Page, d.Page.Pages, "post-list")
		return d, showing(live.TopicPosts), nil
	})
	if last, ok := errors.AsType[pastLastPage](err); ok {
		cq.Del("page")
		if last.page > 1 {
			cq.Set("page", itoa(last.page))
		}
		return redirectCanonical(c, path, cq)
	}
	return err
}

type postPage struct {
	Base
	Post blog.Post
}

func (s *Server) blogShow(c fiber.Ctx) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	return s.cachedPage(c, "post:"+slug, "blog/show", "post-detail", func(ctx context.Context) (any, shows, error) {
		lang := langOf(c)
		p, err := s.Blog.Get(ctx, lang, slug)
		if err != nil {
			return nil, shows{}, err
		}
		if err := canonicalSlug(slug, p.Slug, "/blog/"); err != nil {
			return nil, shows{}, err
		}
		d := postPage{
			Base: s.base(c, "blog", "/blog/"+p.Slug, url.Values{}, Meta{Title: p.Title.Value, Description: p.Summary.Summary.Value, Type: "article"}),
			Post: p,
		}
		// The list topic too: every post write publishes it (under the new
		// slug when the slug changed), and so do categories, whose names
		// the post shows.
		return d, showing(live.PostTopic(p.Slug), live.TopicPosts), nil
	})
}
