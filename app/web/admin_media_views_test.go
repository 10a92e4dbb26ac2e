package web

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/media"
)

// addMediaSamples adds the media library's pages and fragments to the
// sample data every template is rendered with, hostile text wherever an
// uploader or editor types (file names, alt texts, slugs).
func addMediaSamples(pages, fragments map[string]any, base Base, evil string) {
	sha := strings.Repeat("cd", 32)
	m := media.Media{
		ID: 7, SHA256: sha, ContentType: media.TypePNG, Size: 123456, Width: 1200, Height: 800,
		OriginalName: "crowd " + evil + ".png", UploadedBy: 3, CreatedAt: base.Now,
		Alt:      map[string]string{"en": "Alt " + evil},
		Variants: []media.Variant{{Name: media.VariantThumb, SHA256: sha, ContentType: media.TypePNG, Width: 320, Height: 320}, {Name: "w480", SHA256: sha, ContentType: media.TypePNG, Width: 480, Height: 320}},
	}
	thumb := mediaThumb{ID: 7, URL: "/media/" + sha + ".png", Width: 320, Height: 320, Name: m.OriginalName, Alt: "Alt " + evil, AltLang: "en", OrigWidth: 1200, OrigHeight: 800}
	ab := adminBase{Base: base, Actor: actor.Actor{UserID: 3, Role: actor.RoleEditor}, CSRF: "tok" + evil, Section: "media",
		Menu: []adminNav{{"media", "/admin/media", "admin.nav.media"}}}
	q := listQuery{Q: evil, Page: 2, Filters: map[string]string{}}
	lib := mediaLibrary{adminList: newAdminList("admin-media-library", "/admin/media", "admin.media.title", mediaListSpec, q, 100, 48, nil), Items: []mediaThumb{thumb, {ID: 8, URL: thumb.URL, Width: 10, Height: 10}}}
	lib.EmptyID = "admin.list.empty"
	fail := &apperr.Message{ID: "error.media.too_many_pixels", Args: map[string]any{"Width": 50000, "Height": 50000, "MaxMegapixels": "40", "MaxSide": 20000}}
	upload := mediaUpload{CSRF: evil, Accept: mediaAccept, MaxMB: 20, MaxBytes: 20 << 20, Error: fail, Name: evil + ".jpg"}
	alt := field{Entity: "media", ID: 7, Name: "alt.en", LabelID: "admin.media.alt", Lang: "en", Input: inputText, Value: evil, MaxLen: media.MaxAlt, CSRF: evil, Page: "/admin/media/7"}
	uses := []mediaUse{{KindID: "admin.kind.event", Name: evil, URL: "/admin/events/1"}, {KindID: "admin.kind.artist", Name: "a", URL: "/artists/a"}}
	history := entityHistory{Kind: audit.KindMedia, ID: 7, Zone: base.Zone, Entries: []audit.Logged{{At: base.Now, UserName: evil, Action: "update", Kind: audit.KindMedia, Summary: evil,
		Changes: []audit.Change{{Field: "alt.en", Old: evil, New: evil}}}}}
	img := &media.Image{ID: 7, Src: thumb.URL, SrcSet: thumb.URL + " 480w", Width: 480, Height: 320, Thumb: thumb.URL, ThumbWidth: 320, ThumbHeight: 320}
	item := mediaItemPage{adminBase: ab, Item: mediaItem{M: m, Title: evil, Preview: img, SizeKB: 121, Uses: uses, Alt: []field{alt, {Entity: "media", ID: 7, Name: "alt.de", LabelID: "admin.media.alt", Lang: "de", Input: inputText, ReadOnly: true}}, History: history, CanChange: true}}
	del := mediaDelete{ID: 7, Title: evil, Thumb: thumb, Uses: uses, CSRF: evil, Error: &apperr.Message{ID: "error.media.in_use", Args: map[string]any{"Events": 1, "Artists": 1, "Locations": 0, "Posts": 0, "Where": evil}}}
	cover := field{Entity: "events", ID: 1, Name: "cover", LabelID: "admin.event.cover", Input: inputMedia, Value: "7", Display: evil, Picture: &thumb, Version: 4, CSRF: evil, Page: "/admin/events/1",
		Error: &apperr.Message{ID: "error.content.unknown_image"}, Conflict: true, Theirs: evil, TheirsValue: "8"}
	picker := mediaPicker{Field: cover, Q: evil, Items: []mediaThumb{thumb, {ID: 8, URL: thumb.URL, Width: 10, Height: 10}}, Selected: 7, Page: 2, Pages: 3,
		PrevURL: "/admin/media/picker?field=%2Fadmin%2Fevents%2F1%2Ffields%2Fcover", NextURL: "/admin/media/picker?field=x&page=3"}

	pages["admin/media/index"] = mediaLibraryPage{adminBase: ab, Upload: upload, Library: lib}
	pages["admin/media/show"] = item
	pages["admin/media/delete"] = mediaDeletePage{adminBase: ab, Delete: del}
	pages["admin/media/picker"] = mediaPickerPage{fieldPage: fieldPage{adminBase: ab, Entity: evil, EntityPage: "/admin/events/1", Field: cover}, Picker: picker}
	fragments["admin-media-library"] = lib
	fragments["admin-media-card"] = thumb
	fragments["admin-media-upload"] = upload
	fragments["admin-media-item"] = item
	fragments["admin-media-delete"] = del
	fragments["admin-media-picker"] = picker
	fragments["admin-media-field"] = cover
}

// The media library's pages and fragments render in every language with
// hostile text escaped, and each fragment's root element has the id htmx
// swaps it by.
func TestMediaTemplatesRender(t *testing.T) {
	t.Parallel()
	r, b := renderer(t)
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	evil := `<script>alert("x")</script>`
	pages, fragments := map[string]any{}, map[string]any{}
	base := Base{Lang: "en", Now: time.Date(2026, 12, 5, 5, 30, 0, 0, time.UTC), Meta: Meta{Title: evil}, Path: "/admin/media"}
	base.Zone.Loc, base.Zone.Label = la, "SLT"
	addMediaSamples(pages, fragments, base, evil)
	for _, name := range r.Pages() {
		if strings.HasPrefix(name, "admin/media/") {
			require.Contains(t, pages, name, "add sample data for page %s", name)
		}
	}
	for _, name := range r.Fragments() {
		if strings.HasPrefix(name, "admin-media") {
			require.Contains(t, fragments, name, "add sample data for fragment %s", name)
		}
	}
	for _, lang := range b.Languages() {
		for name, data := range pages {
			var buf bytes.Buffer
			require.NoError(t, r.Page(&buf, lang, name, data), "%s/%s", lang, name)
			require.NotContains(t, buf.String(), "<script>alert", "%s/%s leaks unescaped HTML", lang, name)
			require.NotContains(t, buf.String(), "ZgotmplZ", "%s/%s", lang, name)
		}
		for name, data := range fragments {
			var buf bytes.Buffer
			require.NoError(t, r.Fragment(&buf, lang, name, data), "%s/%s", lang, name)
			out := buf.String()
			require.NotContains(t, out, "<script>alert", "%s/%s leaks unescaped HTML", lang, name)
			require.NotContains(t, out, "ZgotmplZ", "%s/%s", lang, name)
			id := map[string]string{"admin-media-card": "admin-media-card-7", "admin-media-picker": "field-events-1-cover", "admin-media-field": "field-events-1-cover"}[name]
			if id == "" {
				id = name
			}
			require.Regexp(t, `^\s*<[a-z]+ [^>]*id="`+id+`"`, out, "%s/%s", lang, name)
		}
	}
	// A picture field handed to admin-field is shown by admin-media-field.
	var buf bytes.Buffer
	require.NoError(t, r.Fragment(&buf, "en", "admin-field", fragments["admin-media-field"]))
	require.Contains(t, buf.String(), `class="media-field__thumb"`)
	require.Contains(t, buf.String(), `href="/admin/media/picker?field=%2fadmin%2fevents%2f1%2ffields%2fcover"`)
}
