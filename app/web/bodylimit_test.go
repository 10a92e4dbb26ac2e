package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/stretchr/testify/require"
)

func TestIsUpload(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, target string
		want                 bool
	}{
		{"the upload", "POST", "/admin/media", true},
		{"with a query", "POST", "/admin/media?lang=de", true},
		{"reading the library", "GET", "/admin/media", false},
		{"a trailing slash", "POST", "/admin/media/", false},
		{"upper case", "POST", "/Admin/Media", false},
		{"escaped", "POST", "/admin/%6Dedia", false},
		{"a field of a picture", "PATCH", "/admin/media/1/fields/alt.en", false},
		{"its delete", "POST", "/admin/media/1/delete", false},
		{"absolute form", "POST", "http://x/admin/media", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, isUpload([]byte(tc.method), requestPath([]byte(tc.target))))
		})
	}
}

func TestServerBodyLimit(t *testing.T) {
	t.Parallel()
	require.Equal(t, 20<<20+multipartOverhead, serverBodyLimit(1<<20, 20), "the upload's, when larger")
	require.Equal(t, 100<<20, serverBodyLimit(100<<20, 1), "TDC_BODY_LIMIT, when larger")
	require.Equal(t, 1<<20+multipartOverhead, uploadBodyLimit(1))
}

// withTimeout replaces the request's deadline with its own.
func TestWithTimeout(t *testing.T) {
	t.Parallel()
	app := fiber.New()
	var left time.Duration
	app.Get("/", withTimeout(time.Hour, func(c fiber.Ctx) error {
		d, ok := c.Context().Deadline()
		require.True(t, ok)
		left = time.Until(d)
		return c.SendStatus(fiber.StatusNoContent)
	}))
	res, err := app.Test(httptest.NewRequest(http.MethodGet, "/", nil))
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, res.StatusCode)
	require.Greater(t, left, 59*time.Minute)
}
