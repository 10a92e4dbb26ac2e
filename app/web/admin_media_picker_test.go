package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

// An artist's photo, a venue's background and a post's cover are chosen in
// the picker, as an event's cover is: the page offers it, the choice is
// saved through the field's URL into the history, and the public page
// shows the picture. An artist picks their own photo, never another's.
func TestMediaPickerOnEveryPicture(t *testing.T) {
	t.Parallel()
	l := newLibrary(t)
	q := db.New(testenv.DB(t))
	ar := testenv.Artist(t, q, testenv.ArtistOpts{})
	loc := testenv.Location(t, q, testenv.LocationOpts{})
	postID, postSlug := testenv.Post(t, testenv.DB(t), testenv.PostOpts{})
	for _, tc := range []struct {
		name, entity, field, historyID, public, img string
		id                                          int64
	}{
		{"artist photo", "artists", "photo", "history-artist", "/artists/" + ar.Slug, ".artist-detail__photo img", ar.ID},
		{"location background", "locations", "background", "history-location", "/locations/" + loc.Slug, "img.location-header__bg", loc.ID},
		{"post cover", "posts", "cover", "history-post", "/blog/" + postSlug, ".cover img", postID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := testenv.Unique(tc.field) + ".png"
			mid := l.uploaded(t, l.sess, name)
			fieldURL := fmt.Sprintf("/admin/%s/%d/fields/%s", tc.entity, tc.id, tc.field)
			domID := fmt.Sprintf("#field-%s-%d-%s", tc.entity, tc.id, tc.field)
			pagePath := fmt.Sprintf("/admin/%s/%d", tc.entity, tc.id)
			if tc.entity == "posts" {
				pagePath = fmt.Sprintf("/admin/blog/%d", tc.id)
			}

			page := l.sess.Do(t, l.srv, l.sess.Request(http.MethodGet, pagePath, nil))
			require.Equal(t, http.StatusOK, page.StatusCode)
			d := htmlOf(t, page.Body)
			require.Zero(t, d.Find(domID+` input[type="number"]`).Length(), "no number box")
			choose := d.Find(domID+" a.media-field__choose").AttrOr("href", "")
			require.Equal(t, "/admin/media/picker?field="+url.QueryEscape(fieldURL), strings.ReplaceAll(choose, "%2f", "%2F"))

			_, _, viaEdit := l.editForm(t, l.sess, fieldURL+"/edit")
			require.Equal(t, 1, viaEdit.Find(domID+".media-picker").Length(), "the field's editor is the picker")
			version, _, picker := l.editForm(t, l.sess, "/admin/media/picker?field="+url.QueryEscape(fieldURL)+"&q="+url.QueryEscape(name))
			require.Equal(t, 1, picker.Find(fmt.Sprintf(`%s input[type=radio][name=value][value="%d"]`, domID, mid)).Length())

			res := l.save(t, l.sess, fieldURL, url.Values{"version": {version}, "original": {""}, "value": {fmt.Sprint(mid)}})
			require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
			saved := htmlOf(t, res.Body)
			m, err := l.srv.Media.Get(t.Context(), mid)
			require.NoError(t, err)
			thumb, _ := m.Variant("thumb")
			require.Equal(t, thumb.URL(), saved.Find(domID+" img.media-field__thumb").AttrOr("src", ""))
			require.Contains(t, saved.Find(fmt.Sprintf("#%s-%d", tc.historyID, tc.id)).Text(), tc.field)

			public := get(t, l.srv, tc.public)
			require.Equal(t, http.StatusOK, public.StatusCode)
			img := public.Doc.Find(tc.img)
			require.Equal(t, 1, img.Length(), public.Body)
			for _, v := range m.Variants {
				if v.Name != "thumb" {
					require.Contains(t, img.AttrOr("srcset", ""), fmt.Sprintf("%s %dw", v.URL(), v.Width))
				}
			}

			// Without JavaScript the picker's form posts and goes back to the page.
			version, _, _ = l.editForm(t, l.sess, fieldURL+"/edit")
			res = l.sess.Do(t, l.srv, l.sess.Request(http.MethodPost, fieldURL, strings.NewReader(url.Values{"version": {version}, "value": {""}}.Encode())))
			require.Equal(t, http.StatusSeeOther, res.StatusCode, res.Body)
			require.Equal(t, pagePath, res.Header.Get("Location"))
		})
	}

	t.Run("an artist picks their own photo only", func(t *testing.T) {
		own := testenv.Artist(t, q, testenv.ArtistOpts{})
		sess := l.signIn(t, actor.RoleArtist, own.ID)
		mid := l.uploaded(t, sess, testenv.Unique("mine")+".png")
		fieldURL := fmt.Sprintf("/admin/artists/%d/fields/photo", own.ID)
		version, _, _ := l.editForm(t, sess, "/admin/media/picker?field="+url.QueryEscape(fieldURL))
		res := l.save(t, sess, fieldURL, url.Values{"version": {version}, "value": {fmt.Sprint(mid)}})
		require.Equal(t, http.StatusOK, res.StatusCode, res.Body)

		other := fmt.Sprintf("/admin/artists/%d/fields/photo", ar.ID)
		res = sess.Do(t, l.srv, sess.Request(http.MethodGet, "/admin/media/picker?field="+url.QueryEscape(other), nil))
		require.Equal(t, http.StatusForbidden, res.StatusCode)
		before, err := l.srv.Artists.AdminGet(t.Context(), ar.ID)
		require.NoError(t, err)
		res = l.save(t, sess, other, url.Values{"version": {fmt.Sprint(before.Version)}, "value": {fmt.Sprint(mid)}})
		require.Equal(t, http.StatusForbidden, res.StatusCode)
		after, err := l.srv.Artists.AdminGet(t.Context(), ar.ID)
		require.NoError(t, err)
		require.Equal(t, before.PhotoMediaID, after.PhotoMediaID, "nothing changed")
	})
}
