package web

import (
	"bytes"
	"html/template"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/blog"
	"github.com/dreamerscave/tdc/app/i18n"
)

// addOfficeSamples adds sample data for the pages and fragments of the
// blog, users and settings back office, with hostile text wherever an
// editor's or a user's text goes.
func addOfficeSamples(pages, fragments map[string]any, base Base, evil string) {
	ab := adminBase{
		Base: base, Actor: actor.Actor{UserID: 1, Role: actor.RoleAdmin}, CSRF: "tok" + evil, Section: "blog",
		Menu: []adminNav{{"blog", "/admin/blog", "admin.nav.blog"}, {"users", "/admin/users", "admin.nav.users"}},
	}
	zone, now := base.Zone, base.Now
	msg := &apperr.Message{ID: "error.blog.text.too_long", Args: map[string]any{"Max": 200}}
	fld := func(entity string, name, input, lang, value string) field {
		return field{Entity: entity, ID: 7, Name: name, LabelID: "admin.post.title", Lang: lang, Input: input, Value: value,
			Display: "Shown " + evil, Version: 3, CSRF: "tok" + evil, Page: "/admin/blog/7"}
	}
	invalid := fld("posts", "title.de", inputText, "de", evil)
	invalid.Error = msg
	history := entityHistory{Kind: audit.KindPost, ID: 7, Zone: zone, Entries: []audit.Logged{{
		At: now, UserName: evil, Action: "update", Kind: audit.KindPost, EntityID: 7, Summary: evil,
		Changes: []audit.Change{{Field: "title.en", Old: evil, New: evil}},
	}}}
	list := adminList{
		ID: "admin-posts", Path: "/admin/blog", TitleID: "admin.blog.title", Q: evil, Total: 1, EmptyID: "admin.list.empty",
		Columns: []listColumn{{LabelID: "admin.post.title", SortURL: "/admin/blog?sort=title", Sorted: "ascending"}},
		Rows:    []listRow{{Cells: []listCell{{Text: evil, Href: "/admin/blog/7"}, {Text: evil, Badge: "draft"}}}},
		Pager:   pager{Page: 1, Pages: 2, NextURL: "/admin/blog?page=2", Target: "admin-posts"},
	}
	choices := []categoryChoice{{ID: 1, Name: evil, Checked: true}, {ID: 2, Name: "Two"}}
	cats := postCategoriesForm{PostID: 7, Version: 3, CSRF: "tok" + evil, Choices: choices, Original: "1", Error: msg, Theirs: []string{evil}, Conflict: true}
	status := postStatus{ID: 7, Status: blog.StatusScheduled, StatusID: "admin.post.status.scheduled", Badge: "scheduled",
		PublishAt: now.Add(time.Hour), PublicURL: "/blog/p", ScheduleAt: evil, CSRF: "tok" + evil, Zone: zone, Now: now, Error: msg, DeleteOpen: true}
	post := postAdminPage{
		adminBase: ab, Title: evil, Status: status, Categories: cats, History: history,
		General: []field{fld("posts", "author_name", inputText, "", evil), invalid},
		Langs:   []langFields{{Lang: "en", NameID: "language.name", Fields: []field{fld("posts", "title.en", inputText, "en", evil)}}},
		Bodies: []postBody{{Lang: "en", Field: fld("posts", "body.en", inputTextarea, "en", evil),
			Preview: postPreview{Lang: "en", HTML: template.HTML("<p>sanitised</p>")}}},
	}
	newPost := postNewForm{
		adminBase: ab, Langs: []string{"en", "de"}, Texts: map[string]blog.PostText{"en": {Title: evil, Summary: evil, Body: evil}},
		AuthorName: evil, Choices: choices, CreateKey: "key" + evil,
		Errors: map[string]apperr.Message{"title.en": *msg, "categories": *msg, "author_name": *msg}, Other: []apperr.Message{*msg},
	}
	card := categoryCard{
		ID: 3, Slug: "news", Name: evil, PostCount: 2, CSRF: "tok" + evil, Error: msg, DeleteOpen: true,
		General: []field{fld("categories", "position", inputNumber, "", "1")},
		Langs:   []langFields{{Lang: "de", Fields: []field{fld("categories", "name.de", inputText, "de", evil)}}},
		History: entityHistory{Kind: audit.KindCategory, ID: 3, Zone: zone},
	}
	newCategory := categoryNewForm{
		Langs: []string{"en", "de"}, Texts: map[string]blog.CategoryText{"de": {Name: evil, Description: evil}}, Position: evil,
		CreateKey: "key" + evil, CSRF: "tok" + evil, Errors: map[string]apperr.Message{"name.en": *msg, "position": *msg}, Other: []apperr.Message{*msg},
	}
	categories := categoriesAdminPage{adminBase: ab, List: categoryList{Cards: []categoryCard{card}}, New: newCategory}
	role := userRoleForm{
		UserID: 9, CSRF: "tok" + evil, Role: "artist", ArtistID: "4",
		Roles:   []fieldOption{{Value: "artist", LabelID: "admin.user.role.artist"}},
		Artists: []fieldOption{{Value: "4", Label: evil}},
		Errors:  map[string]apperr.Message{"role": *msg, "artist": *msg},
	}
	user := userAdminPage{
		adminBase: ab, StatusID: "admin.user.status.disabled", Badge: "disabled", ArtistName: evil, Role: role,
		User: accounts.User{ID: 9, Email: evil + "@example.org", DisplayName: evil, Role: actor.RoleArtist, ArtistID: 4,
			Language: "de", TimeZone: evil, Disabled: true, CreatedAt: now, LastLoginAt: now},
		History: entityHistory{Kind: audit.KindUser, ID: 9, Zone: zone}, NoticeID: "admin.user.notice.role", ActionError: msg,
	}
	self := user
	self.Self, self.Role.Self, self.User.Disabled, self.User.LastLoginAt, self.User.TimeZone = true, true, false, time.Time{}, ""
	setting := settingRow{
		ID: 2, Field: fld("settings", "club.tagline.de", inputText, "de", evil), Default: evil,
		Help:          apperr.Message{ID: "settings.social.help", Args: map[string]any{"Network": evil}},
		UpdatedByName: evil, UpdatedAt: now, Zone: zone,
	}
	flag := flagToggle{Name: evil, DOMID: "flag-x", Description: evil, Version: 2, CSRF: "tok" + evil,
		UpdatedAt: now, Zone: zone, Error: &apperr.Message{ID: "admin.flag.conflict"}}
	known := flag
	known.TitleID, known.HelpID, known.Enabled, known.UpdatedByName = "admin.settings.flags", "admin.settings.lead", true, evil
	settingsPage := settingsAdminPage{adminBase: ab, Settings: []settingRow{setting}, Flags: []flagToggle{flag, known}}
	dashboard := dashboardPostsPanel{Show: true, Zone: zone, Posts: []blog.PostRow{
		{ID: 7, Title: evil, TitleLang: "de", PublishAt: now.Add(time.Hour)}, {ID: 8, PublishAt: now.Add(2 * time.Hour)},
	}}

	pages["admin/blog/index"] = postsAdminPage{adminBase: ab, List: list}
	pages["admin/blog/new"] = newPost
	pages["admin/blog/show"] = post
	pages["admin/blog/categories"] = categories
	pages["admin/users/index"] = usersAdminPage{adminBase: ab, List: list}
	pages["admin/users/show"] = user
	pages["admin/settings/index"] = settingsPage
	fragments["admin-post"] = post
	fragments["admin-post-status"] = status
	fragments["admin-post-langs"] = post.Langs
	fragments["admin-post-categories"] = cats
	fragments["admin-post-preview"] = postPreview{Lang: "de"}
	fragments["admin-post-new"] = newPost
	fragments["admin-category-list"] = categories
	fragments["admin-category"] = card
	fragments["admin-category-new"] = newCategory
	fragments["admin-user"] = self
	fragments["admin-user-role"] = role
	fragments["admin-setting"] = setting
	fragments["admin-setting-flag"] = known
	fragments["admin-dashboard-posts"] = dashboard
}

// The office's pages and fragments render in every language with hostile
// sample data, escaping it, and each fragment's root has the id htmx
// swaps it by.
func TestOfficeTemplates(t *testing.T) {
	t.Parallel()
	r, b := renderer(t)
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	base := Base{Lang: "en", Zone: i18n.Zone{Loc: la, Label: "SLT"}, Now: time.Date(2026, 12, 5, 5, 30, 0, 0, time.UTC), Meta: Meta{Title: "T"}}
	evil := `<script>alert("x")</script>`
	pages, fragments := map[string]any{}, map[string]any{}
	addOfficeSamples(pages, fragments, base, evil)
	for _, lang := range b.Languages() {
		for name, data := range pages {
			var buf bytes.Buffer
			require.NoError(t, r.Page(&buf, lang, name, data), "%s/%s", lang, name)
			out := buf.String()
			require.Contains(t, out, `<body class="admin"`, name)
			require.NotContains(t, out, `<script>alert`, "%s/%s leaks unescaped HTML", lang, name)
			require.NotContains(t, out, "ZgotmplZ", "%s/%s", lang, name)
			require.NotContains(t, out, "<no value>", "%s/%s", lang, name)
		}
		for name, data := range fragments {
			var buf bytes.Buffer
			require.NoError(t, r.Fragment(&buf, lang, name, data), "%s/%s", lang, name)
			out := buf.String()
			require.NotContains(t, out, `<script>alert`, "%s/%s leaks unescaped HTML", lang, name)
			require.NotContains(t, out, "ZgotmplZ", "%s/%s", lang, name)
			require.NotContains(t, out, "<no value>", "%s/%s", lang, name)
		}
	}
	for name, id := range map[string]string{
		"admin-post": "admin-post", "admin-post-status": "post-status-7", "admin-post-categories": "post-categories",
		"admin-post-preview": "post-preview-de", "admin-post-new": "admin-post-new", "admin-category-list": "admin-category-list",
		"admin-category": "category-3", "admin-category-new": "admin-category-new", "admin-user": "admin-user",
		"admin-user-role": "user-role", "admin-setting": "setting-2", "admin-setting-flag": "flag-x",
		"admin-dashboard-posts": "admin-dashboard-posts",
	} {
		var buf bytes.Buffer
		require.NoError(t, r.Fragment(&buf, "en", name, fragments[name]))
		require.Regexp(t, `^\s*<[a-z]+ [^>]*\bid="`+id+`"`, buf.String(), name)
	}
	var buf bytes.Buffer
	require.NoError(t, r.Fragment(&buf, "en", "admin-dashboard-posts", dashboardPostsPanel{}))
	require.Empty(t, bytes.TrimSpace(buf.Bytes()), "nothing for those who do not manage the blog")
}
