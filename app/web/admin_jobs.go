package web

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/jobs"
)

// The scheduled jobs in the back office, for admins: each job's last run,
// how long it took, its result, its last error and its next run, as every
// instance recorded them in Redis, and a "Run now" button. A run started
// here runs on this instance, under the job's run lock, so it never
// overlaps a scheduled run on any instance.

func (s *Server) jobRoutes() []adminRoute {
	return []adminRoute{
		{methodsRead, "/admin/jobs", rolesAdmin, s.adminJobs},
		{methodsWrite, "/admin/jobs/:name/run", rolesAdmin, s.adminJobRun},
	}
}

type jobsAdminPage struct {
	adminBase
	Panel jobsPanel
}

// jobsPanel is the "admin-jobs" fragment's data.
type jobsPanel struct {
	Jobs []jobs.Status
	CSRF string
	// Notice says what a "Run now" did, Job to which job.
	Notice *apperr.Message
	Failed bool
}

func (s *Server) jobsPage(c fiber.Ctx) (jobsAdminPage, error) {
	st, err := s.Jobs.Statuses(c.Context())
	if err != nil {
		return jobsAdminPage{}, err
	}
	return jobsAdminPage{
		adminBase: s.adminBase(c, "jobs", s.Bundle.T(langOf(c), "admin.jobs.title", nil)),
		Panel:     jobsPanel{Jobs: st, CSRF: s.csrfToken(c)},
	}, nil
}

func (s *Server) adminJobs(c fiber.Ctx) error {
	data, err := s.jobsPage(c)
	if err != nil {
		return err
	}
	if name := c.Query("started"); name != "" {
		data.Panel.Notice = &apperr.Message{ID: "admin.jobs.started", Args: map[string]any{"Job": name}}
	}
	return s.adminPage(c, fiber.StatusOK, "admin/jobs/index", "admin-jobs", data)
}

// adminJobRun starts a job now. A job that runs already, here or on
// another instance, is refused with 409 and the panel says so.
func (s *Server) adminJobRun(c fiber.Ctx) error {
	name := c.Params("name")
	err := s.Jobs.RunNow(c.Context(), name)
	if errors.Is(err, jobs.ErrUnknownJob) {
		return fiber.ErrNotFound
	}
	status := fiber.StatusOK
	var notice apperr.Message
	switch {
	case errors.Is(err, jobs.ErrRunning):
		status, notice = fiber.StatusConflict, apperr.Message{ID: "admin.jobs.running", Args: map[string]any{"Job": name}}
	case err != nil:
		return err
	default:
		if !isPartial(c) {
			return s.redirectTo(c, "/admin/jobs?started="+name)
		}
		notice = apperr.Message{ID: "admin.jobs.started", Args: map[string]any{"Job": name}}
		// The run has just begun: let a quick one finish, so the panel
		// usually shows its result rather than "running".
		s.waitForRun(c, name)
	}
	data, err := s.jobsPage(c)
	if err != nil {
		return err
	}
	data.Panel.Notice, data.Panel.Failed = &notice, status != fiber.StatusOK
	return s.adminPage(c, status, "admin/jobs/index", "admin-jobs", data)
}

// waitForRun waits up to a second for job name to finish.
func (s *Server) waitForRun(c fiber.Ctx, name string) {
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		st, err := s.Jobs.Statuses(c.Context())
		if err != nil {
			return
		}
		for _, j := range st {
			if j.Name == name && j.RunningSince.IsZero() {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
}
