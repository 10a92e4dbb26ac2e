package web

import (
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/blog"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
)

// The blog in the back office: a list of posts, a page per post whose
// fields are edited in place (the markdown body beside a live preview),
// its categories as one form, and the actions that publish, schedule,
// unpublish or delete it. Categories have a page of their own
// (admin_blog_categories.go), new posts a form (admin_blog_new.go).

// officeRoutes are the routes of the blog, users and settings back office.
func (s *Server) officeRoutes() []adminRoute {
	routes := s.blogRoutes()
	routes = append(routes, s.userRoutes()...)
	return append(routes, s.settingsRoutes()...)
}

// officeEntities are the blog's and the settings' inline entities.
func (s *Server) officeEntities() []inlineEntity {
	return []inlineEntity{s.postsEntity(), s.categoriesEntity(), s.settingsEntity()}
}

// blogRoutes are the back office's blog routes. The create guard belongs
// to the two create handlers, so it lives as long as the routes do.
func (s *Server) blogRoutes() []adminRoute {
	guard := newCreateGuard(s.Now)
	return []adminRoute{
		{methodsRead, "/admin/blog", rolesStaff, s.adminPosts},
		{methodsRead, "/admin/blog/new", rolesStaff, s.adminPostNew},
		{methodsWrite, "/admin/blog", rolesStaff, s.adminPostCreate(guard)},
		{methodsWrite, "/admin/blog/preview", rolesStaff, s.adminPostPreview},
		{methodsRead, "/admin/blog/scheduled", rolesStaff, s.adminScheduledPosts},
		{methodsRead, "/admin/blog/:id<int>", rolesStaff, s.adminPost},
		{methodsWrite, "/admin/blog/:id<int>/:action<regex(publish|schedule|unpublish|delete)>", rolesStaff, s.adminPostAction},
		{methodsWrite, "/admin/blog/:id<int>/categories", rolesStaff, s.adminPostCategories},
		{methodsRead, "/admin/blog/categories", rolesStaff, s.adminCategories},
		{methodsWrite, "/admin/blog/categories", rolesStaff, s.adminCategoryCreate(guard)},
		{methodsWrite, "/admin/blog/categories/:id<int>/delete", rolesStaff, s.adminCategoryDelete},
	}
}

// postsPerPage is the length of a page of the back office's post list.
const postsPerPage = 25

// postPath is a post's page in the back office.
func postPath(id int64) string { return fmt.Sprintf("/admin/blog/%d", id) }

// postListSpec is what the post list accepts; the category filter offers
// the categories there are.
func (s *Server) postListSpec(lang string, cats []blog.CategoryDraft) listSpec {
	catOptions := []fieldOption{{Value: "", LabelID: "admin.list.any"}}
	for _, cat := range cats {
		catOptions = append(catOptions, fieldOption{Value: strconv.FormatInt(cat.ID, 10), Label: s.categoryName(cat, lang)})
	}
	statuses := []fieldOption{{Value: "", LabelID: "admin.list.any"}}
	for _, st := range []blog.Status{blog.StatusDraft, blog.StatusScheduled, blog.StatusPublished} {
		statuses = append(statuses, fieldOption{Value: string(st), LabelID: "admin.post.status." + string(st)})
	}
	return listSpec{
		sorts: []string{string(blog.SortUpdated), string(blog.SortPublishAt), string(blog.SortTitle), string(blog.SortCreated)},
		filters: []listFilterSpec{
			{name: "status", labelID: "admin.post.status", options: statuses},
			{name: "category", labelID: "admin.post.categories", options: catOptions},
		},
	}
}

type postsAdminPage struct {
	adminBase
	List adminList
}

func (s *Server) adminPosts(c fiber.Ctx) error {
	ctx, lang, z := c.Context(), langOf(c), zoneOf(c)
	cats, err := s.Blog.AdminCategories(ctx)
	if err != nil {
		return err
	}
	spec := s.postListSpec(lang, cats)
	q := parseList(c, spec)
	category, _ := strconv.ParseInt(q.Filters["category"], 10, 64)
	page, err := s.Blog.AdminList(ctx, blog.PostFilter{
		Q: q.Q, Status: q.Filters["status"], Category: category, Sort: blog.Sort(q.Sort), Page: q.Page, PerPage: postsPerPage,
	})
	if err != nil {
		return err
	}
	q.Page = page.Page
	l := newAdminList("admin-posts", "/admin/blog", "admin.blog.title", spec, q, page.Total, page.PerPage, [][2]string{
		{"admin.post.title", string(blog.SortTitle)},
		{"admin.post.status", ""},
		{"admin.post.publish_at", string(blog.SortPublishAt)},
		{"admin.post.languages", ""},
		{"admin.post.author_name", ""},
		{"admin.post.updated", string(blog.SortUpdated)},
	})
	l.EmptyID, l.NewURL, l.NewLabel = "admin.list.empty", "/admin/blog/new", s.Bundle.T(lang, "admin.blog.new", nil)
	now := s.Now()
	for _, p := range page.Posts {
		status, badge := postBadge(p.Status, p.PublishAt, now)
		title := p.Title
		if title == "" {
			title = s.Bundle.T(lang, "admin.post.untitled", nil)
		}
		l.Rows = append(l.Rows, listRow{Cells: []listCell{
			{Text: title, Href: postPath(p.ID)},
			{Text: s.Bundle.T(lang, status, nil), Badge: badge},
			{Text: s.whenInZone(lang, p.PublishAt, z)},
			{Text: strings.Join(p.Languages, ", ")},
			{Text: p.AuthorName},
			{Text: s.Bundle.When(lang, p.UpdatedAt, z)},
		}})
	}
	data := postsAdminPage{adminBase: s.adminBase(c, "blog", s.Bundle.T(lang, "admin.blog.title", nil)), List: l}
	return s.listPage(c, "admin/blog/index", data, l)
}

// postBadge names a post's state at now and its badge: a scheduled post
// whose time has come is public, whatever its stored status says.
func postBadge(st blog.Status, publishAt, now time.Time) (msgID, badge string) {
	d := blog.PostDraft{Status: st, PublishAt: publishAt}
	if st == blog.StatusScheduled && d.Visible(now) {
		st = blog.StatusPublished
	}
	return "admin.post.status." + string(st), string(st)
}

// whenInZone is t for reading, with its zone's name; "" for no time.
func (s *Server) whenInZone(lang string, t time.Time, z i18n.Zone) string {
	if t.IsZero() {
		return ""
	}
	return s.Bundle.When(lang, t, z)
}

// postsEntity is the inline editing of posts.
func (s *Server) postsEntity() inlineEntity {
	return inlineEntity{
		name: "posts", auditKind: audit.KindPost, roles: rolesStaff,
		page: postPath,
		load: func(c fiber.Ctx, id int64) (fieldSet, error) {
			d, err := s.Blog.AdminGet(c.Context(), id)
			if err != nil {
				return fieldSet{}, err
			}
			return s.postFields(c, d)
		},
		save: func(c fiber.Ctx, a actor.Actor, id int64, version int32, name, value string) error {
			_, err := s.Blog.Patch(c.Context(), a, id, int(version), name, value)
			return err
		},
	}
}

// bodyExcerpt is how much of a body the post page shows before it is
// opened for editing; the preview beside it shows the whole text.
const bodyExcerpt = 300

// postFields lays out a post's editable fields in the editor's language
// and zone: the general ones, then each language's text.
func (s *Server) postFields(c fiber.Ctx, d blog.PostDraft) (fieldSet, error) {
	lang, z := langOf(c), zoneOf(c)
	cover, err := s.mediaField(c, "cover", "admin.post.cover", d.CoverMediaID)
	if err != nil {
		return fieldSet{}, err
	}
	set := fieldSet{Title: s.postTitle(d), Version: int32(d.Version)}
	set.Fields = []field{
		{Name: "slug", LabelID: "admin.post.slug", Input: inputText, Value: d.Slug, ReadOnly: true},
		{Name: "author_name", LabelID: "admin.post.author_name", Input: inputText, Value: d.AuthorName, MaxLen: blog.MaxAuthorName},
		{Name: "publish_at", LabelID: "admin.post.publish_at", Input: inputDateTime, Value: editorClock(d.PublishAt, z), Display: s.whenInZone(lang, d.PublishAt, z)},
		cover,
	}
	for _, l := range s.Bundle.Languages() {
		t := d.Texts[l]
		body := field{Name: "body." + l, LabelID: "admin.post.body", Lang: l, Input: inputTextarea, Value: t.Body, MaxLen: blog.MaxBody}
		if utf8.RuneCountInString(t.Body) > bodyExcerpt {
			body.Display = string([]rune(t.Body)[:bodyExcerpt]) + "…"
		}
		set.Fields = append(set.Fields,
			field{Name: "title." + l, LabelID: "admin.post.title", Lang: l, Input: inputText, Value: t.Title, MaxLen: blog.MaxTitle},
			field{Name: "summary." + l, LabelID: "admin.post.summary", Lang: l, Input: inputTextarea, Value: t.Summary, MaxLen: blog.MaxSummary},
			body,
		)
	}
	set.bind("posts", d.ID, s.csrfToken(c), postPath(d.ID))
	return set, nil
}

// postTitle is the post's name in the back office: the default language's
// title, another language's, or its slug.
func (s *Server) postTitle(d blog.PostDraft) string {
	if t := d.Texts[s.Bundle.Default()].Title; t != "" {
		return t
	}
	for _, l := range s.Bundle.Languages() {
		if t := d.Texts[l].Title; t != "" {
			return t
		}
	}
	return d.Slug
}

// postAdminPage is the data of a post's page and of the admin-post fragment.
type postAdminPage struct {
	adminBase
	Post       blog.PostDraft
	Title      string
	General    []field
	Langs      []langFields // title and summary, side by side
	Bodies     []postBody   // each body beside its preview
	Status     postStatus
	Categories postCategoriesForm
	History    entityHistory
}

// postBody is one language's body field and its preview.
type postBody struct {
	Lang    string
	Field   field
	Preview postPreview
}

// postPreview is the data of the admin-post-preview fragment.
type postPreview struct {
	Lang string
	HTML template.HTML
}

// postStatus is the data of the admin-post-status fragment: the state and
// the actions it allows.
type postStatus struct {
	ID        int64
	Status    blog.Status
	StatusID  string
	Badge     string
	PublishAt time.Time
	Visible   bool
	PublicURL string
	// ScheduleAt is the schedule form's value, as typed after a refusal.
	ScheduleAt string
	CSRF       string
	Zone       i18n.Zone
	Now        time.Time
	Error      *apperr.Message
	// DeleteOpen keeps the delete confirmation open after a refusal.
	DeleteOpen bool
}

func (s *Server) adminPost(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	d, err := s.Blog.AdminGet(c.Context(), id)
	if err != nil {
		return err
	}
	data, err := s.postPage(c, d)
	if err != nil {
		return err
	}
	return s.adminPage(c, fiber.StatusOK, "admin/blog/show", "", data)
}

func (s *Server) postPage(c fiber.Ctx, d blog.PostDraft) (postAdminPage, error) {
	set, err := s.postFields(c, d)
	if err != nil {
		return postAdminPage{}, err
	}
	history, err := s.Audit.ForEntity(c.Context(), audit.KindPost, d.ID, historyLength)
	if err != nil {
		return postAdminPage{}, err
	}
	cats, err := s.postCategoriesForm(c, d, d.CategoryIDs)
	if err != nil {
		return postAdminPage{}, err
	}
	p := postAdminPage{
		adminBase:  s.adminBase(c, "blog", set.Title),
		Post:       d,
		Title:      set.Title,
		Status:     s.postStatus(c, d),
		Categories: cats,
		History:    entityHistory{Kind: audit.KindPost, ID: d.ID, Entries: history, Zone: zoneOf(c)},
	}
	var texts []field
	for _, f := range set.Fields {
		if strings.HasPrefix(f.Name, "body.") {
			p.Bodies = append(p.Bodies, postBody{Lang: f.Lang, Field: f, Preview: postPreview{Lang: f.Lang, HTML: s.Blog.Preview(f.Lang, f.Value)}})
			continue
		}
		texts = append(texts, f)
	}
	p.General, p.Langs = s.byLanguage(texts)
	p.follow(live.AdminTopic(live.AdminPost, d.ID), int64(d.Version))
	return p, nil
}

// byLanguage splits fields into those of no language and, for each offered
// language in order, that language's.
func (s *Server) byLanguage(fields []field) ([]field, []langFields) {
	var general []field
	var langs []langFields
	for _, l := range s.Bundle.Languages() {
		lf := langFields{Lang: l, NameID: "language.name"}
		for _, f := range fields {
			if f.Lang == l {
				lf.Fields = append(lf.Fields, f)
			}
		}
		langs = append(langs, lf)
	}
	for _, f := range fields {
		if f.Lang == "" {
			general = append(general, f)
		}
	}
	return general, langs
}

func (s *Server) postStatus(c fiber.Ctx, d blog.PostDraft) postStatus {
	now := s.Now()
	id, badge := postBadge(d.Status, d.PublishAt, now)
	return postStatus{
		ID: d.ID, Status: d.Status, StatusID: id, Badge: badge, PublishAt: d.PublishAt,
		Visible: d.Visible(now), PublicURL: "/blog/" + d.Slug,
		CSRF: s.csrfToken(c), Zone: zoneOf(c), Now: now,
	}
}

// adminPostAction publishes, schedules, unpublishes or deletes a post.
// Like an event's state change, it is a decision about the post as it is
// now, so it applies to the current version; deleting needs the box
// ticked, which works with or without JavaScript.
func (s *Server) adminPostAction(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	ctx, a, action := c.Context(), s.actor(c), c.Params("action")
	cur, err := s.Blog.AdminGet(ctx, id)
	if err != nil {
		return err
	}
	d, typedAt := cur, ""
	switch action {
	case "publish":
		d, err = s.Blog.Publish(ctx, a, id, cur.Version)
	case "unpublish":
		d, err = s.Blog.Unpublish(ctx, a, id, cur.Version)
	case "schedule":
		typedAt = c.FormValue("publish_at")
		at, msg := parseEditorTime(typedAt, zoneOf(c))
		if msg != nil {
			err = fieldError("publish_at", *msg)
			break
		}
		d, err = s.Blog.Schedule(ctx, a, id, cur.Version, at)
	case "delete":
		if c.FormValue("confirm") != "yes" {
			err = fieldError("confirm", apperr.Message{ID: "admin.delete.confirm_required"})
			break
		}
		if err = s.Blog.Delete(ctx, a, id, cur.Version); err == nil {
			return s.redirectTo(c, "/admin/blog")
		}
	default:
		return fiber.ErrNotFound
	}
	status := fiber.StatusOK
	var msg *apperr.Message
	if inv, ok := errors.AsType[*apperr.Invalid](err); ok {
		m := inv.First()
		status, msg, err = fiber.StatusUnprocessableEntity, &m, nil
	}
	if errors.Is(err, apperr.ErrConflict) {
		// Someone changed the post between our read and the write: show
		// it as it is now and let the editor decide again.
		status, msg, err = fiber.StatusConflict, &apperr.Message{ID: "admin.post.action_conflict"}, nil
		if d, err = s.Blog.AdminGet(ctx, id); err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	if msg == nil && !isPartial(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To(postPath(id))
	}
	// The whole post changes with its state (version, history), so htmx
	// gets all of it back; a refusal shows beside the actions.
	data, err := s.postPage(c, d)
	if err != nil {
		return err
	}
	data.Status.Error, data.Status.ScheduleAt = msg, typedAt
	data.Status.DeleteOpen = msg != nil && action == "delete"
	return s.adminPage(c, status, "admin/blog/show", "admin-post", data)
}

// parseEditorTime reads a datetime-local value typed in the editor's zone.
func parseEditorTime(typed string, z i18n.Zone) (time.Time, *apperr.Message) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return time.Time{}, &apperr.Message{ID: blog.MsgPublishAtRequired}
	}
	t, err := time.ParseInLocation(dateTimeLayout, typed, z.Location())
	if err != nil {
		return time.Time{}, &apperr.Message{ID: "admin.error.datetime_invalid"}
	}
	return t.UTC(), nil
}

// fieldError is a refusal of one field of a form, found before any
// service was asked.
func fieldError(name string, m apperr.Message) *apperr.Invalid {
	inv := apperr.NewInvalid()
	inv.Add(name, m.ID, m.Args)
	return inv
}

// adminPostPreview renders markdown as the post page will, for the preview
// beside the body being edited. htmx sends the editor's textarea (named
// value) as it changes; the language comes in the query.
func (s *Server) adminPostPreview(c fiber.Ctx) error {
	lang := c.Query("lang")
	if !s.Bundle.Supported(lang) {
		lang = s.Bundle.Default()
	}
	p := postPreview{Lang: lang, HTML: s.Blog.Preview(lang, c.FormValue("value"))}
	return s.adminFragment(c, fiber.StatusOK, "admin-post-preview", p)
}

// postCategoriesForm is the data of the admin-post-categories fragment: a
// box per category, ticked for those chosen.
type postCategoriesForm struct {
	PostID  int64
	Version int
	CSRF    string
	Choices []categoryChoice
	// Original lists the ids the form started from, so a save over a
	// newer version of the post can tell whether the categories moved.
	Original string
	Error    *apperr.Message
	// Theirs names a colleague's categories after a conflict (409).
	Theirs   []string
	Conflict bool
}

type categoryChoice struct {
	ID      int64
	Name    string
	Checked bool
}

// postCategoriesForm lays out the categories of d, with chosen ticked.
func (s *Server) postCategoriesForm(c fiber.Ctx, d blog.PostDraft, chosen []int64) (postCategoriesForm, error) {
	cats, err := s.Blog.AdminCategories(c.Context())
	if err != nil {
		return postCategoriesForm{}, err
	}
	f := postCategoriesForm{PostID: d.ID, Version: d.Version, CSRF: s.csrfToken(c), Original: joinIDs(d.CategoryIDs)}
	for _, cat := range cats {
		f.Choices = append(f.Choices, categoryChoice{ID: cat.ID, Name: s.categoryName(cat, langOf(c)), Checked: slices.Contains(chosen, cat.ID)})
	}
	return f, nil
}

// joinIDs is ids sorted and comma-separated, as Patch takes categories.
func joinIDs(ids []int64) string {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	parts := make([]string, len(sorted))
	for i, id := range sorted {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// maxFormChoices bounds the ticked boxes a form may send.
const maxFormChoices = 200

// adminPostCategories saves the post's categories from the form: every
// ticked box, none for none.
func (s *Server) adminPostCategories(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || version <= 0 {
		return badRequest("error.request.version_missing", nil)
	}
	args := c.Request().PostArgs()
	raw := args.PeekMulti("category")
	if len(raw) > maxFormChoices {
		return badRequest("admin.error.too_many_choices", nil)
	}
	var chosen []int64
	var msg *apperr.Message
	for _, v := range raw {
		cid, perr := strconv.ParseInt(string(v), 10, 64)
		if perr != nil || cid <= 0 {
			msg = &apperr.Message{ID: blog.MsgCategoriesInvalid}
			continue
		}
		chosen = append(chosen, cid)
	}
	ctx, a := c.Context(), s.actor(c)
	if msg == nil {
		_, err = s.Blog.Patch(ctx, a, id, version, "categories", joinIDs(chosen))
		if errors.Is(err, apperr.ErrConflict) && args.Has("original") {
			// The post moved on, perhaps only in other fields: if its
			// categories are still what the form started from, nothing of
			// a colleague's is lost by saving over the new version.
			if cur, lerr := s.Blog.AdminGet(ctx, id); lerr == nil && joinIDs(cur.CategoryIDs) == c.FormValue("original") {
				_, err = s.Blog.Patch(ctx, a, id, cur.Version, "categories", joinIDs(chosen))
			}
		}
	}
	status := fiber.StatusOK
	if inv, ok := errors.AsType[*apperr.Invalid](err); ok {
		m, found := inv.Fields["categories"]
		if !found {
			m = inv.First()
		}
		msg, err = &m, nil
	}
	conflict := errors.Is(err, apperr.ErrConflict)
	if conflict {
		err = nil
	}
	if err != nil {
		return err
	}
	d, err := s.Blog.AdminGet(ctx, id)
	if err != nil {
		return err
	}
	if msg == nil && !conflict {
		if !isPartial(c) {
			return c.Redirect().Status(fiber.StatusSeeOther).To(postPath(id) + "#post-categories")
		}
		form, err := s.postCategoriesForm(c, d, d.CategoryIDs)
		if err != nil {
			return err
		}
		return s.fragmentWithHistory(c, "admin-post-categories", form, audit.KindPost, id)
	}
	// Refused: the boxes stay as the editor ticked them.
	form, err := s.postCategoriesForm(c, d, chosen)
	if err != nil {
		return err
	}
	form.Error = msg
	if msg != nil {
		status = fiber.StatusUnprocessableEntity
		form.Version, form.Original = version, c.FormValue("original")
	}
	if conflict {
		status, form.Conflict = fiber.StatusConflict, true
		for _, ch := range form.Choices {
			if slices.Contains(d.CategoryIDs, ch.ID) {
				form.Theirs = append(form.Theirs, ch.Name)
			}
		}
	}
	if isPartial(c) {
		return s.adminFragment(c, status, "admin-post-categories", form)
	}
	data, err := s.postPage(c, d)
	if err != nil {
		return err
	}
	data.Categories = form
	return s.adminPage(c, status, "admin/blog/show", "", data)
}

// dashboardPostsPanel is the data of the admin-dashboard-posts fragment:
// the posts waiting for their publishing time, soonest first.
type dashboardPostsPanel struct {
	// Show is false for those who do not manage the blog: the fragment
	// then renders nothing.
	Show  bool
	Posts []blog.PostRow
	Zone  i18n.Zone
}

// dashboardPosts is the data of the dashboard's scheduled-posts panel,
// for the dashboard handler to put in its page data and render with
// {{template "admin-dashboard-posts" .Posts}}. GET /admin/blog/scheduled
// answers an htmx request with the same fragment, so a page can also load
// it with hx-get.
func (s *Server) dashboardPosts(c fiber.Ctx) (dashboardPostsPanel, error) {
	p := dashboardPostsPanel{Zone: zoneOf(c)}
	if !s.actor(c).IsStaff() {
		return p, nil
	}
	posts, err := s.Blog.Scheduled(c.Context(), s.Now())
	if err != nil {
		return p, err
	}
	p.Show, p.Posts = true, posts
	return p, nil
}

// adminScheduledPosts is the scheduled-posts panel for htmx; a browser
// without it gets the list of scheduled posts.
func (s *Server) adminScheduledPosts(c fiber.Ctx) error {
	if !isPartial(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To("/admin/blog?status=scheduled&sort=publish_at")
	}
	p, err := s.dashboardPosts(c)
	if err != nil {
		return err
	}
	return s.adminFragment(c, fiber.StatusOK, "admin-dashboard-posts", p)
}
