package i18n

// KeptTranslations is how many translations with arguments are kept.
func (b *Bundle) KeptTranslations() int {
	b.args.mu.Lock()
	defer b.args.mu.Unlock()
	return len(b.args.m)
}
