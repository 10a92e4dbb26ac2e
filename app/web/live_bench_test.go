package web_test

import (
	"bytes"
	"syscall"
	"testing"
	"time"

	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
)

// BenchmarkProgrammeFragment renders the programme's default view (the 20
// events of its first page, from the seeded database) as the hub pushes it
// and /events shows it. The view is built once: only the render is
// measured, which happens once per change and (language, zone) in use.
// Target (issue 7): at most 1 ms of CPU and 2,000 allocations per render.
func BenchmarkProgrammeFragment(b *testing.B) {
	srv := testenv.App(b)
	for _, lang := range []string{"en", "de"} {
		b.Run(lang, func(b *testing.B) {
			render, n, err := srv.ProgrammeFragment(b.Context(), lang)
			if err != nil {
				b.Fatal(err)
			}
			if n != 20 {
				b.Fatalf("the seeded programme's first page lists %d events, want 20", n)
			}
			var buf bytes.Buffer
			b.ReportAllocs()
			// The machine is shared (task bench runs beside other work):
			// the process's CPU time per render says more than wall time.
			cpu := cpuTime(b)
			for b.Loop() {
				buf.Reset()
				if err := render(&buf); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime(b)-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(buf.Len()), "B/fragment")
		})
	}
}

// cpuTime is the CPU time the process has used, user and system, garbage
// collection included.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkProgrammeTopicAfterChange renders the "events" topic as the hub
// does once an editor saved one event of the seeded programme: the change
// reaches the server (Changed), and the topic renders (the programme's
// default list, happening now, next). "warm" renders with no change, for
// comparison. The time between the two is what a change costs before the
// first client hears of it: the database reads and the index update.
func BenchmarkProgrammeTopicAfterChange(b *testing.B) {
	srv := testenv.App(b)
	ctx := b.Context()
	p, err := srv.Events.List(ctx, "en", events.Filter{})
	if err != nil {
		b.Fatal(err)
	}
	id := p.Events[len(p.Events)/2].ID
	v := live.Viewer{Lang: "en"}
	for _, change := range []bool{true, false} {
		b.Run(map[bool]string{true: "change", false: "warm"}[change], func(b *testing.B) {
			if _, err := srv.RenderTopic(ctx, live.TopicEvents, v); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			cpu := cpuTime(b)
			for b.Loop() {
				if change {
					srv.Changed(live.TopicEvents, id)
				}
				if _, err := srv.RenderTopic(ctx, live.TopicEvents, v); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime(b)-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}
