package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/gcal"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/services"
)

const syncUsage = `usage:
  tdc sync gcal   compare every event with the club's Google Calendar, fix what
                  differs and print what changed; exits non-zero if any failed
`

// syncCommand runs `tdc sync gcal`: a full resync, for after an outage, a
// new calendar or edits made at Google.
func syncCommand(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	if len(args) != 1 || args[0] != "gcal" {
		fmt.Fprint(stderr, syncUsage)
		return errors.New("sync: say gcal")
	}
	conn, err := openDB(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The resync needs no Redis: it reads events and writes sync rows.
	svc := services.New(cfg, conn, nil, live.Discard{}, log, time.Now)
	rep, err := svc.GCal.Resync(ctx)
	c := rep.Counts
	fmt.Fprintf(stdout, "gcal: created %d, updated %d, deleted %d, unchanged %d, failed %d\n",
		c[gcal.Created], c[gcal.Updated], c[gcal.Deleted], c[gcal.Unchanged], c[gcal.Failed]+c[gcal.Later])
	for _, f := range rep.Failures {
		fmt.Fprintln(stdout, "failed:", f)
	}
	if err != nil {
		return err
	}
	if n := len(rep.Failures); n > 0 {
		return fmt.Errorf("sync: %d events failed (retried by the gcal-sync job)", n)
	}
	return nil
}
