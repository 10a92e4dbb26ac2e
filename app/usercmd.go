package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/services"
	"github.com/dreamerscave/tdc/locales"
)

const userUsage = `usage:
  tdc user create --email E --role R [--name N] [--artist SLUG]
  tdc user role   --email E --role R [--artist SLUG]
  tdc user reset  --email E

create and reset take the password from TDC_PASSWORD, or ask for it on a
terminal. Roles: admin, editor, artist (with --artist), member.
`

// userCommand runs `tdc user ...`: accounts made, promoted and recovered
// from the command line, as the system actor. The first admin comes from
// here; so does a way back in for an admin who lost their password.
func userCommand(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return errors.New("user: say create, role or reset")
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the user's email address")
	role := fs.String("role", "", "admin, editor, artist or member")
	name := fs.String("name", "", "display name")
	artist := fs.String("artist", "", "slug of the artist profile an artist-role user owns")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("user: --email is required")
	}
	if (args[0] == "create" || args[0] == "role") && *role == "" {
		return errors.New("user: --role is required (admin, editor, artist or member)")
	}
	bundle, err := i18n.New(locales.FS, cfg.Languages)
	if err != nil {
		return err
	}
	conn, err := openDB(ctx, cfg, args[0] == "create")
	if err != nil {
		return err
	}
	defer conn.Close()
	if args[0] == "create" {
		// A fresh install can make its first admin before ever serving.
		if _, err := db.MigrateUp(ctx, conn); err != nil {
			return err
		}
	}
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	acc := services.New(cfg, conn, rdb, live.NewBus(rdb, cfg.RedisKeyPrefix, log), log, time.Now).Accounts
	explain := func(err error) error { return explainError(bundle, err) }

	var artistID int64
	if *artist != "" {
		if artistID, err = acc.ArtistIDBySlug(ctx, *artist); err != nil {
			return explain(err)
		}
	}
	system := actor.System()
	switch args[0] {
	case "create":
		pw, err := readPassword(getenv, stderr)
		if err != nil {
			return err
		}
		u, err := acc.Create(ctx, system, accounts.NewUser{
			Email: *email, Password: pw, DisplayName: *name, Role: actor.Role(*role), ArtistID: artistID, Verified: true,
		})
		if err != nil {
			return explain(err)
		}
		fmt.Fprintf(stdout, "created user %d <%s> with role %s\n", u.ID, u.Email, u.Role)
	case "role":
		u, err := acc.GetByEmail(ctx, *email)
		if err != nil {
			return explain(err)
		}
		if err := acc.SetRole(ctx, system, u.ID, actor.Role(*role), artistID); err != nil {
			return explain(err)
		}
		fmt.Fprintf(stdout, "user %d <%s> now has role %s\n", u.ID, u.Email, *role)
	case "reset":
		u, err := acc.GetByEmail(ctx, *email)
		if err != nil {
			return explain(err)
		}
		pw, err := readPassword(getenv, stderr)
		if err != nil {
			return err
		}
		if err := acc.SetPassword(ctx, system, u.ID, pw); err != nil {
			return explain(err)
		}
		fmt.Fprintf(stdout, "new password set for user %d <%s>; every session of theirs is signed out\n", u.ID, u.Email)
	default:
		fmt.Fprint(stderr, userUsage)
		return fmt.Errorf("user: unknown command %q (want create, role or reset)", args[0])
	}
	return nil
}

// explainError spells out a service's refusal in the default language.
func explainError(b *i18n.Bundle, err error) error {
	var inv *apperr.Invalid
	switch {
	case errors.As(err, &inv):
		fields := make([]string, 0, len(inv.Fields))
		for f := range inv.Fields {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		var msgs []string
		for _, f := range fields {
			m := inv.Fields[f]
			msgs = append(msgs, "--"+strings.ReplaceAll(f, "_", "-")+": "+b.T(b.Default(), m.ID, m.Args))
		}
		return errors.New("user: " + strings.Join(msgs, "; "))
	case errors.Is(err, apperr.ErrNotFound):
		return fmt.Errorf("user: no such user or artist (%w)", err)
	}
	return err
}

// readPassword takes the password from TDC_PASSWORD, or asks twice on the
// terminal without echoing it. Without either it fails rather than wait on
// a pipe or take an empty password.
func readPassword(getenv func(string) string, stderr io.Writer) (string, error) {
	if pw := getenv("TDC_PASSWORD"); pw != "" {
		return pw, nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", errors.New("user: no password: set TDC_PASSWORD, or run this on a terminal to be asked for it")
	}
	fmt.Fprint(stderr, "Password: ")
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", fmt.Errorf("user: read password: %w", err)
	}
	fmt.Fprint(stderr, "Password again: ")
	second, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", fmt.Errorf("user: read password: %w", err)
	}
	if string(first) != string(second) {
		return "", errors.New("user: the two passwords differ")
	}
	return string(first), nil
}
