package web

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/blog"
)

// A new post: one form with every language's text, the author's name and
// the categories. It makes a draft and goes to its page, where the rest
// (cover, publishing) happens. It works without JavaScript and answers 422
// with what was typed when refused.

// createGuard makes a create form's second submission (a double click, a
// form sent again) find the row the first one made instead of making
// another. The blog service takes no create key, unlike events, locations
// and artists, whose tables remember it; so the guard remembers the forms'
// keys itself, in this process, for createGuardTTL. A second submission
// that a load balancer sends to another instance still makes a second
// draft: only a key stored with the row (a blog_posts.create_key column)
// would catch that.
type createGuard struct {
	now  func() time.Time
	mu   sync.Mutex
	runs map[string]*createRun
}

// createRun is one key's first submission.
type createRun struct {
	done chan struct{} // closed when it has finished
	id   int64         // what it made; 0 when it failed
	at   time.Time
}

// How long, and for how many forms, the guard remembers keys.
const (
	createGuardTTL = time.Hour
	createGuardMax = 10_000
)

func newCreateGuard(now func() time.Time) *createGuard {
	return &createGuard{now: now, runs: map[string]*createRun{}}
}

// do runs create once for key and returns what it made. A call with a key
// whose first submission is still running waits for it; after that one
// made a row, do returns its id and true (a repeat). After a refusal the
// key is free again, since the corrected form comes back with it. An empty
// key is no guard: create just runs.
func (g *createGuard) do(ctx context.Context, key string, create func() (int64, error)) (int64, bool, error) {
	if key == "" {
		id, err := create()
		return id, false, err
	}
	for {
		run, first := g.claim(key)
		if first {
			return g.run(key, run, create)
		}
		select {
		case <-run.done:
		case <-ctx.Done():
			return 0, false, ctx.Err()
		}
		if run.id != 0 {
			return run.id, true, nil
		}
		// The first submission failed; this one tries for itself.
	}
}

// claim returns key's run, and whether this caller starts it.
func (g *createGuard) claim(key string) (*createRun, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if run, ok := g.runs[key]; ok && (!finished(run) || now.Sub(run.at) < createGuardTTL) {
		return run, false
	}
	if len(g.runs) >= createGuardMax {
		g.prune(now)
	}
	run := &createRun{done: make(chan struct{}), at: now}
	g.runs[key] = run
	return run, true
}

func (g *createGuard) run(key string, run *createRun, create func() (int64, error)) (id int64, repeat bool, err error) {
	defer func() {
		g.mu.Lock()
		run.id = id
		if id == 0 {
			delete(g.runs, key)
		}
		g.mu.Unlock()
		close(run.done)
	}()
	id, err = create()
	if err != nil {
		id = 0
	}
	return id, false, err
}

// prune forgets finished runs past their time, or, if the guard is still
// full, every finished run: a flood of forms must not grow it without end.
func (g *createGuard) prune(now time.Time) {
	for k, r := range g.runs {
		if finished(r) && now.Sub(r.at) >= createGuardTTL {
			delete(g.runs, k)
		}
	}
	if len(g.runs) < createGuardMax {
		return
	}
	for k, r := range g.runs {
		if finished(r) {
			delete(g.runs, k)
		}
	}
}

func finished(r *createRun) bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// guardKey scopes a form's create key to its kind and its user; a value
// that is not one of ours guards nothing.
func guardKey(kind string, userID int64, key string) string {
	if len(key) < 16 || len(key) > 64 {
		return ""
	}
	for _, r := range key {
		if (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return ""
		}
	}
	return kind + ":" + strconv.FormatInt(userID, 10) + ":" + key
}

// postNewForm is the data of the new-post page and its admin-post-new form.
type postNewForm struct {
	adminBase
	Langs      []string
	Texts      map[string]blog.PostText
	AuthorName string
	Choices    []categoryChoice
	CreateKey  string
	Errors     fieldErrors
	// Other holds the errors of no field of the form.
	Other []apperr.Message
}

func (s *Server) newPostForm(c fiber.Ctx, chosen []int64) (postNewForm, error) {
	lang := langOf(c)
	cats, err := s.Blog.AdminCategories(c.Context())
	if err != nil {
		return postNewForm{}, err
	}
	f := postNewForm{
		adminBase: s.adminBase(c, "blog", s.Bundle.T(lang, "admin.blog.new", nil)),
		Langs:     s.Bundle.Languages(),
		Texts:     map[string]blog.PostText{},
		CreateKey: newCreateKey(),
	}
	for _, cat := range cats {
		f.Choices = append(f.Choices, categoryChoice{ID: cat.ID, Name: s.categoryName(cat, lang), Checked: slices.Contains(chosen, cat.ID)})
	}
	return f, nil
}

func (s *Server) adminPostNew(c fiber.Ctx) error {
	f, err := s.newPostForm(c, nil)
	if err != nil {
		return err
	}
	return s.adminPage(c, fiber.StatusOK, "admin/blog/new", "", f)
}

// adminPostCreate makes a draft from the new-post form, once per form.
func (s *Server) adminPostCreate(guard *createGuard) fiber.Handler {
	return func(c fiber.Ctx) error {
		raw := c.Request().PostArgs().PeekMulti("category")
		if len(raw) > maxFormChoices {
			return badRequest("admin.error.too_many_choices", nil)
		}
		errs := map[string]apperr.Message{}
		var chosen []int64
		for _, v := range raw {
			id, perr := strconv.ParseInt(string(v), 10, 64)
			if perr != nil || id <= 0 {
				errs["categories"] = apperr.Message{ID: blog.MsgCategoriesInvalid}
				continue
			}
			chosen = append(chosen, id)
		}
		f, err := s.newPostForm(c, chosen)
		if err != nil {
			return err
		}
		f.CreateKey, f.AuthorName = c.FormValue("create_key"), c.FormValue("author_name")
		in := blog.PostInput{Texts: map[string]blog.PostText{}, AuthorName: f.AuthorName, CategoryIDs: chosen}
		for _, l := range f.Langs {
			t := blog.PostText{Title: c.FormValue("title." + l), Summary: c.FormValue("summary." + l), Body: c.FormValue("body." + l)}
			f.Texts[l], in.Texts[l] = t, t
		}
		if len(errs) == 0 {
			refused, err := s.createOnce(c, guard, "post", f.CreateKey, postPath, func(a actor.Actor) (int64, error) {
				d, err := s.Blog.Create(c.Context(), a, in)
				return d.ID, err
			})
			if refused == nil {
				return err
			}
			errs = refused
		}
		f.Errors = errs
		f.Other = otherErrors(errs, func(name string) bool {
			for _, l := range f.Langs {
				if name == "title."+l || name == "summary."+l || name == "body."+l {
					return true
				}
			}
			return name == "author_name" || name == "categories"
		})
		return s.adminPage(c, fiber.StatusUnprocessableEntity, "admin/blog/new", "admin-post-new", f)
	}
}

// createOnce makes a row with create, once per form key (see createGuard),
// and sends the browser to it (to names its page). A refusal comes back
// as the form's field errors; otherwise the answer has been sent, or err
// says why not.
func (s *Server) createOnce(c fiber.Ctx, guard *createGuard, kind, key string, to func(int64) string, create func(actor.Actor) (int64, error)) (refused map[string]apperr.Message, err error) {
	a := s.actor(c)
	id, _, err := guard.do(c.Context(), guardKey(kind, a.UserID, key), func() (int64, error) { return create(a) })
	if inv, ok := errors.AsType[*apperr.Invalid](err); ok {
		return inv.Fields, nil
	}
	if err != nil {
		return nil, err
	}
	return nil, s.redirectTo(c, to(id))
}
