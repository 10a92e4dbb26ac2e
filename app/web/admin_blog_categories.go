package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/blog"
)

// The blog's categories: one page lists them all (there are few), each
// with its fields edited in place and its history, and a form for a new
// one. Deleting a category that still has posts is refused, and the
// refusal shows on that category.

// categoriesPath is the categories' page.
const categoriesPath = "/admin/blog/categories"

// categoryPath is category id's place on the categories' page.
func categoryPath(id int64) string { return fmt.Sprintf("%s#category-%d", categoriesPath, id) }

// categoryName is the category's name in lang, else in the default
// language, else its slug.
func (s *Server) categoryName(cat blog.CategoryDraft, lang string) string {
	for _, l := range []string{lang, s.Bundle.Default()} {
		if n := cat.Texts[l].Name; n != "" {
			return n
		}
	}
	return cat.Slug
}

// categoriesEntity is the inline editing of blog categories.
func (s *Server) categoriesEntity() inlineEntity {
	return inlineEntity{
		name: "categories", auditKind: audit.KindCategory, roles: rolesStaff,
		page: categoryPath,
		load: func(c fiber.Ctx, id int64) (fieldSet, error) {
			cat, err := s.Blog.AdminCategory(c.Context(), id)
			if err != nil {
				return fieldSet{}, err
			}
			return s.categoryFields(c, cat), nil
		},
		save: func(c fiber.Ctx, a actor.Actor, id int64, version int32, name, value string) error {
			_, err := s.Blog.CategoryPatch(c.Context(), a, id, int(version), name, value)
			return err
		},
	}
}

// categoryFields lays out a category's editable fields: its position, then
// each language's name and description.
func (s *Server) categoryFields(c fiber.Ctx, cat blog.CategoryDraft) fieldSet {
	set := fieldSet{Title: s.categoryName(cat, langOf(c)), Version: int32(cat.Version)}
	set.Fields = []field{
		{Name: "position", LabelID: "admin.category.position", Input: inputNumber, Value: strconv.Itoa(cat.Position), Required: true},
	}
	for _, l := range s.Bundle.Languages() {
		t := cat.Texts[l]
		set.Fields = append(set.Fields,
			field{Name: "name." + l, LabelID: "admin.category.name", Lang: l, Input: inputText, Value: t.Name, MaxLen: blog.MaxCategoryName, Required: l == s.Bundle.Default()},
			field{Name: "description." + l, LabelID: "admin.category.description", Lang: l, Input: inputTextarea, Value: t.Description, MaxLen: blog.MaxCategoryDesc},
		)
	}
	set.bind("categories", cat.ID, s.csrfToken(c), categoryPath(cat.ID))
	return set
}

// categoriesAdminPage is the data of the categories' page.
type categoriesAdminPage struct {
	adminBase
	List categoryList
	New  categoryNewForm
}

// categoryList is the data of the admin-category-list fragment.
type categoryList struct {
	Cards []categoryCard
}

// categoryCard is the data of the admin-category fragment: one category
// with its fields, its history and its delete form.
type categoryCard struct {
	ID         int64
	Slug       string
	Name       string
	PostCount  int
	General    []field
	Langs      []langFields
	History    entityHistory
	CSRF       string
	Error      *apperr.Message
	DeleteOpen bool
}

// categoryNewForm is the data of the admin-category-new fragment.
type categoryNewForm struct {
	Langs     []string
	Texts     map[string]blog.CategoryText
	Position  string
	CreateKey string
	CSRF      string
	Errors    fieldErrors
	Other     []apperr.Message
}

// categoryList lays out every category; refused, when set, is the one
// whose deletion was refused with msg.
func (s *Server) categoryList(c fiber.Ctx, refused int64, msg *apperr.Message) (categoryList, error) {
	ctx := c.Context()
	cats, err := s.Blog.AdminCategories(ctx)
	if err != nil {
		return categoryList{}, err
	}
	var l categoryList
	for _, cat := range cats {
		history, err := s.Audit.ForEntity(ctx, audit.KindCategory, cat.ID, historyLength)
		if err != nil {
			return categoryList{}, err
		}
		set := s.categoryFields(c, cat)
		card := categoryCard{
			ID: cat.ID, Slug: cat.Slug, Name: set.Title, PostCount: cat.PostCount, CSRF: s.csrfToken(c),
			History: entityHistory{Kind: audit.KindCategory, ID: cat.ID, Entries: history, Zone: zoneOf(c)},
		}
		card.General, card.Langs = s.byLanguage(set.Fields)
		if cat.ID == refused {
			card.Error, card.DeleteOpen = msg, true
		}
		l.Cards = append(l.Cards, card)
	}
	return l, nil
}

func (s *Server) newCategoryForm(c fiber.Ctx) categoryNewForm {
	return categoryNewForm{
		Langs: s.Bundle.Languages(), Texts: map[string]blog.CategoryText{}, Position: "0",
		CreateKey: newCreateKey(), CSRF: s.csrfToken(c),
	}
}

func (s *Server) categoriesPage(c fiber.Ctx, list categoryList, form categoryNewForm) categoriesAdminPage {
	title := s.Bundle.T(langOf(c), "admin.categories.title", nil)
	return categoriesAdminPage{adminBase: s.adminBase(c, "blog", title), List: list, New: form}
}

func (s *Server) adminCategories(c fiber.Ctx) error {
	list, err := s.categoryList(c, 0, nil)
	if err != nil {
		return err
	}
	return s.adminPage(c, fiber.StatusOK, "admin/blog/categories", "", s.categoriesPage(c, list, s.newCategoryForm(c)))
}

// adminCategoryCreate makes a category from the new-category form, once
// per form.
func (s *Server) adminCategoryCreate(guard *createGuard) fiber.Handler {
	return func(c fiber.Ctx) error {
		f := s.newCategoryForm(c)
		f.CreateKey, f.Position = c.FormValue("create_key"), strings.TrimSpace(c.FormValue("position"))
		in := blog.CategoryInput{Texts: map[string]blog.CategoryText{}}
		for _, l := range f.Langs {
			t := blog.CategoryText{Name: c.FormValue("name." + l), Description: c.FormValue("description." + l)}
			f.Texts[l], in.Texts[l] = t, t
		}
		errs := map[string]apperr.Message{}
		if f.Position != "" {
			pos, err := strconv.Atoi(f.Position)
			if err != nil {
				errs["position"] = apperr.Message{ID: blog.MsgPositionInvalid, Args: map[string]any{"Max": blog.MaxCategoryPos}}
			}
			in.Position = pos
		}
		if len(errs) == 0 {
			refused, err := s.createOnce(c, guard, "category", f.CreateKey, categoryPath, func(a actor.Actor) (int64, error) {
				cat, err := s.Blog.CategoryCreate(c.Context(), a, in)
				return cat.ID, err
			})
			if refused == nil {
				return err
			}
			errs = refused
		}
		f.Errors = errs
		f.Other = otherErrors(errs, func(name string) bool {
			kind, lang, _ := strings.Cut(name, ".")
			return name == "position" || ((kind == "name" || kind == "description") && s.Bundle.Supported(lang))
		})
		if isPartial(c) {
			return s.adminFragment(c, fiber.StatusUnprocessableEntity, "admin-category-new", f)
		}
		list, err := s.categoryList(c, 0, nil)
		if err != nil {
			return err
		}
		return s.adminPage(c, fiber.StatusUnprocessableEntity, "admin/blog/categories", "", s.categoriesPage(c, list, f))
	}
}

// adminCategoryDelete deletes a category, once the box is ticked. The
// service refuses while posts are in it; the refusal shows on the
// category. Like a post's state, it applies to the category as it is now.
func (s *Server) adminCategoryDelete(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	ctx := c.Context()
	cur, err := s.Blog.AdminCategory(ctx, id)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		err = fieldError("confirm", apperr.Message{ID: "admin.delete.confirm_required"})
	} else {
		err = s.Blog.CategoryDelete(ctx, s.actor(c), id, cur.Version)
	}
	status, refused := fiber.StatusOK, int64(0)
	var msg *apperr.Message
	if inv, ok := errors.AsType[*apperr.Invalid](err); ok {
		m, found := inv.Fields["category"]
		if !found {
			m = inv.First()
		}
		status, refused, msg, err = fiber.StatusUnprocessableEntity, id, &m, nil
	}
	if err != nil {
		return err
	}
	if msg == nil && !isPartial(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To(categoriesPath)
	}
	list, err := s.categoryList(c, refused, msg)
	if err != nil {
		return err
	}
	return s.adminPage(c, status, "admin/blog/categories", "admin-category-list", s.categoriesPage(c, list, s.newCategoryForm(c)))
}
