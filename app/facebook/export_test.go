package facebook

// SetAfterPost makes f run between Facebook's answer and our write of it.
func (s *Service) SetAfterPost(f func() error) { s.afterPost = f }
