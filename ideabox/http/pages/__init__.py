"""What every page shares: templates and their filters, languages, forms, error pages,
the static files and how HTML routes are mounted."""
