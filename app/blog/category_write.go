package blog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/content"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
)

// CategoryText is a category's name and description in one language.
type CategoryText struct {
	Name, Description string
}

func (t CategoryText) empty() bool { return t.Name == "" && t.Description == "" }

// CategoryDraft is a category as the back office edits it.
type CategoryDraft struct {
	ID       int64
	Slug     string
	Position int
	Version  int
	// Texts holds each language that has a name or description.
	Texts map[string]CategoryText
	// PostCount is how many posts, in any state, are in the category.
	PostCount int
}

// CategoryInput is the form that creates a category. Field errors are keyed
// "name.<lang>", "description.<lang>" and "position", as CategoryPatch's.
type CategoryInput struct {
	Texts    map[string]CategoryText
	Position int
}

// AdminCategories lists every category with its texts in every language,
// in the public order.
func (s *Service) AdminCategories(ctx context.Context) ([]CategoryDraft, error) {
	rows, err := s.q.BlogCategoryAdminList(ctx)
	if err != nil {
		return nil, fmt.Errorf("blog: admin categories: %w", err)
	}
	trs, err := s.q.BlogCategoryTranslationListAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("blog: admin category texts: %w", err)
	}
	out := make([]CategoryDraft, len(rows))
	at := make(map[int64]int, len(rows))
	for i, r := range rows {
		out[i] = CategoryDraft{
			ID: r.ID, Slug: r.Slug, Position: int(r.Position), Version: int(r.Version),
			Texts: map[string]CategoryText{}, PostCount: int(r.PostCount),
		}
		at[r.ID] = i
	}
	for _, t := range trs {
		if i, ok := at[t.CategoryID]; ok {
			out[i].Texts[t.Lang] = CategoryText{Name: t.Name, Description: t.Description}
		}
	}
	return out, nil
}

// AdminCategory returns category id with its texts, or apperr.ErrNotFound.
func (s *Service) AdminCategory(ctx context.Context, id int64) (CategoryDraft, error) {
	return s.loadCategory(ctx, s.q, id)
}

func (s *Service) loadCategory(ctx context.Context, q *db.Queries, id int64) (CategoryDraft, error) {
	r, err := q.BlogCategoryAdminGet(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return CategoryDraft{}, fmt.Errorf("blog: category %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return CategoryDraft{}, fmt.Errorf("blog: category %d: %w", id, err)
	}
	c := CategoryDraft{ID: r.ID, Slug: r.Slug, Position: int(r.Position), Version: int(r.Version), Texts: map[string]CategoryText{}}
	trs, err := q.BlogCategoryTranslationListByCategory(ctx, id)
	if err != nil {
		return CategoryDraft{}, fmt.Errorf("blog: category %d texts: %w", id, err)
	}
	for _, t := range trs {
		c.Texts[t.Lang] = CategoryText{Name: t.Name, Description: t.Description}
	}
	n, err := q.BlogCategoryPostCount(ctx, id)
	if err != nil {
		return CategoryDraft{}, fmt.Errorf("blog: category %d posts: %w", id, err)
	}
	c.PostCount = int(n)
	return c, nil
}

// CategoryCreate stores a new category. It needs a default-language name;
// its slug comes from that name, made unique, and is kept from then on, so
// /blog/category/{slug} links survive a rename.
func (s *Service) CategoryCreate(ctx context.Context, a actor.Actor, in CategoryInput) (CategoryDraft, error) {
	if err := staff(a, "create category"); err != nil {
		return CategoryDraft{}, err
	}
	v := apperr.NewInvalid()
	c := CategoryDraft{Texts: map[string]CategoryText{}}
	for l, t := range in.Texts {
		if !slices.Contains(s.langs, l) {
			v.Add("name."+l, MsgLanguageUnknown, map[string]any{"Lang": l})
			continue
		}
		t = CategoryText{
			Name:        cleanText(v, "name."+l, t.Name, textCategoryName),
			Description: cleanText(v, "description."+l, t.Description, textCategoryDesc),
		}
		if !t.empty() {
			c.Texts[l] = t
		}
	}
	c.Position = checkPosition(v, in.Position)
	s.checkCategory(v, c)
	if err := v.Err(); err != nil {
		return CategoryDraft{}, err
	}
	var out CategoryDraft
	err := s.retryTx(ctx, func(q *db.Queries) error {
		base := makeSlug(c.Texts[s.defLang].Name, s.defLang, maxCategorySlug, "category")
		taken, err := q.BlogCategorySlugsLike(ctx, db.BlogCategorySlugsLikeParams{Base: base})
		if err != nil {
			return fmt.Errorf("blog: category slugs like %q: %w", base, err)
		}
		slug := content.UniqueSlug(base, taken, maxCategorySlug+10)
		id, err := q.BlogCategoryInsert(ctx, db.BlogCategoryInsertParams{Slug: slug, Position: int32(c.Position)})
		if err != nil {
			return fmt.Errorf("blog: create category: %w", err)
		}
		if err := s.writeCategoryTexts(ctx, q, id, nil, c.Texts); err != nil {
			return err
		}
		if out, err = s.loadCategory(ctx, q, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, s.stamp(), audit.Entry{
			Action: ActionCreate, Kind: audit.KindCategory, EntityID: id, Summary: out.Slug,
			Changes: s.categoryDiff(CategoryDraft{}, out),
		})
	})
	if err != nil {
		return CategoryDraft{}, err
	}
	live.Publish(ctx, s.pub, s.log, out.ID, live.TopicPosts)
	return out, nil
}

// CategoryPatch changes one field of category id, if it is still at
// version: "name.<lang>", "description.<lang>" or "position" (0 to
// MaxCategoryPos). The default-language name may not be emptied.
func (s *Service) CategoryPatch(ctx context.Context, a actor.Actor, id int64, version int, field, value string) (CategoryDraft, error) {
	if err := staff(a, "patch category"); err != nil {
		return CategoryDraft{}, err
	}
	var old, out CategoryDraft
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		var err error
		if old, err = s.loadCategory(ctx, q, id); err != nil {
			return err
		}
		if old.Version != version {
			return fmt.Errorf("blog: patch category %d at version %d (now %d): %w", id, version, old.Version, apperr.ErrConflict)
		}
		c := old
		c.Texts = make(map[string]CategoryText, len(old.Texts))
		for l, t := range old.Texts {
			c.Texts[l] = t
		}
		v := apperr.NewInvalid()
		s.applyCategoryField(v, &c, field, value)
		s.checkCategory(v, c)
		if err := v.Err(); err != nil {
			return err
		}
		changes := s.categoryDiff(old, c)
		if len(changes) == 0 {
			out = old
			return nil
		}
		n, err := q.BlogCategoryUpdate(ctx, db.BlogCategoryUpdateParams{Position: int32(c.Position), ID: id, Version: int32(version)})
		if err != nil {
			return fmt.Errorf("blog: patch category %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("blog: patch category %d at version %d: %w", id, version, apperr.ErrConflict)
		}
		if err := s.writeCategoryTexts(ctx, q, id, old.Texts, c.Texts); err != nil {
			return err
		}
		if out, err = s.loadCategory(ctx, q, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, s.stamp(), audit.Entry{
			Action: ActionUpdate, Kind: audit.KindCategory, EntityID: id, Summary: out.Slug, Changes: changes,
		})
	})
	if err != nil {
		return CategoryDraft{}, err
	}
	if out.Version != old.Version {
		live.Publish(ctx, s.pub, s.log, id, live.TopicPosts)
	}
	return out, nil
}

// CategoryDelete removes category id, if it is still at version. It is
// refused, with a field error on "category", while any post (in any state)
// is in it: detaching silently would change published posts, so the editor
// moves them first.
func (s *Service) CategoryDelete(ctx context.Context, a actor.Actor, id int64, version int) error {
	if err := staff(a, "delete category"); err != nil {
		return err
	}
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		old, err := s.loadCategory(ctx, q, id)
		if err != nil {
			return err
		}
		if old.Version != version {
			return fmt.Errorf("blog: delete category %d at version %d (now %d): %w", id, version, old.Version, apperr.ErrConflict)
		}
		if old.PostCount > 0 {
			v := apperr.NewInvalid()
			v.Add("category", MsgCategoryInUse, map[string]any{"Count": old.PostCount})
			return v
		}
		n, err := q.BlogCategoryDelete(ctx, db.BlogCategoryDeleteParams{ID: id, Version: int32(version)})
		if err != nil {
			return fmt.Errorf("blog: delete category %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("blog: delete category %d at version %d: %w", id, version, apperr.ErrConflict)
		}
		return audit.Record(ctx, q, a, s.stamp(), audit.Entry{
			Action: ActionDelete, Kind: audit.KindCategory, EntityID: id, Summary: old.Slug,
			Changes: s.categoryDiff(old, CategoryDraft{}),
		})
	})
	if err != nil {
		return err
	}
	live.Publish(ctx, s.pub, s.log, id, live.TopicPosts)
	return nil
}

func (s *Service) applyCategoryField(v *apperr.Invalid, c *CategoryDraft, field, value string) {
	if field == "position" {
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil {
			v.Add(field, MsgPositionInvalid, map[string]any{"Max": MaxCategoryPos})
			return
		}
		c.Position = checkPosition(v, n)
		return
	}
	kind, lang, ok := strings.Cut(field, ".")
	if !ok || (kind != "name" && kind != "description") {
		v.Add(field, MsgFieldUnknown, nil)
		return
	}
	if !slices.Contains(s.langs, lang) {
		v.Add(field, MsgLanguageUnknown, map[string]any{"Lang": lang})
		return
	}
	t := c.Texts[lang]
	if kind == "name" {
		t.Name = cleanText(v, field, value, textCategoryName)
	} else {
		t.Description = cleanText(v, field, value, textCategoryDesc)
	}
	if t.empty() {
		delete(c.Texts, lang)
	} else {
		c.Texts[lang] = t
	}
}

// checkCategory holds the rule that a category, public at once, has a
// default-language name.
func (s *Service) checkCategory(v *apperr.Invalid, c CategoryDraft) {
	if c.Texts[s.defLang].Name == "" {
		v.Add("name."+s.defLang, MsgCategoryName, map[string]any{"Lang": s.defLang})
	}
}

func checkPosition(v *apperr.Invalid, n int) int {
	if n < 0 || n > MaxCategoryPos {
		v.Add("position", MsgPositionInvalid, map[string]any{"Max": MaxCategoryPos})
		return 0
	}
	return n
}

func (s *Service) writeCategoryTexts(ctx context.Context, q *db.Queries, id int64, old, texts map[string]CategoryText) error {
	for _, l := range unionKeys(old, texts) {
		o, n := old[l], texts[l]
		if o == n {
			continue
		}
		var err error
		if n.empty() {
			err = q.BlogCategoryTranslationDelete(ctx, db.BlogCategoryTranslationDeleteParams{CategoryID: id, Lang: l})
		} else {
			err = q.BlogCategoryTranslationUpsert(ctx, db.BlogCategoryTranslationUpsertParams{
				CategoryID: id, Lang: l, Name: n.Name, Description: n.Description,
			})
		}
		if err != nil {
			return fmt.Errorf("blog: category %d text %s: %w", id, l, err)
		}
	}
	return nil
}

func (s *Service) categoryDiff(old, c CategoryDraft) []audit.Change {
	var out []audit.Change
	add := func(field, o, n string) {
		if o != n {
			out = append(out, audit.Change{Field: field, Old: o, New: n})
		}
	}
	add("slug", old.Slug, c.Slug)
	add("position", strconv.Itoa(old.Position), strconv.Itoa(c.Position))
	for _, l := range unionKeys(old.Texts, c.Texts) {
		add("name."+l, old.Texts[l].Name, c.Texts[l].Name)
		add("description."+l, old.Texts[l].Description, c.Texts[l].Description)
	}
	return out
}
